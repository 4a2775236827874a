"""The append-only event log every service writes to, and the base model."""

from __future__ import annotations

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone

from xinfang.core.db import row_insert


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    pass


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("事件日志只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("事件日志只能追加，不能删除。")

    def bulk_create(self, objs, *args, **kwargs):
        from xinfang.core.audit import event_chain_link  # cycle: core.audit imports this module (Event)

        objs = list(objs)
        with transaction.atomic(using=self.db):
            event_chain_link(objs)
            return super().bulk_create(objs, *args, **kwargs)


class Event(models.Model):
    """One change (or one read of a case) — who, for which body, when, what, from what to what, why.

    Rows are never updated or deleted: the queryset and the instance refuse, triggers refuse on PostgreSQL
    and SQLite, and on PostgreSQL the app's own role may be left without the right to (`xinfang audit
    protect`). Each row is a link in a hash chain (`chain_*`, xinfang/core/audit.py), so an edit or a
    deletion made around all of that is found by `xinfang audit verify`.
    """

    occurred_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人（显示）", max_length=100, blank=True)
    body = models.ForeignKey(
        "orgs.Body",
        verbose_name="所属机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_type = models.CharField("对象类型", max_length=50)
    object_id = models.CharField("对象编号", max_length=64)
    action = models.CharField("动作", max_length=60)
    old_values = models.JSONField("原值", default=dict, blank=True)
    new_values = models.JSONField("新值", default=dict, blank=True)
    reason = models.TextField("理由", blank=True)
    legal_basis = models.CharField("依据", max_length=200, blank=True)
    # The hash chain (xinfang/core/audit.py); empty only for rows a bulk load wrote until they are sealed.
    chain_seq = models.BigIntegerField("链序号", null=True, blank=True, unique=True, editable=False)
    chain_prev = models.CharField("前一条散列", max_length=64, blank=True, editable=False)
    chain_hash = models.CharField("散列", max_length=64, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "事件日志"
        verbose_name_plural = "事件日志"
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id", "occurred_at"], name="event_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        from xinfang.core.audit import event_chain_link  # cycle: core.audit imports this module (Event)

        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("事件日志只能追加，不能修改。")
        # A transaction for the chain lock, without a savepoint inside the caller's: an event that cannot be
        # written fails the whole change it records (two statements fewer per event).
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(Event), savepoint=False):
            pending = getattr(transaction.get_connection(), "chain_pending", None)
            if pending is not None:  # linked at the end of the transaction (core.audit.events_chained_last)
                self._insert(*args, **kwargs)
                pending.append(self)
                return
            event_chain_link([self])
            self._insert(*args, **kwargs)

    def _insert(self, *args, **kwargs) -> None:
        # The INSERT compiled once (core.db.row_insert: the same statement, values and signals as save()).
        if args or set(kwargs) - {"using", "force_insert"}:
            super().save(*args, **kwargs)
        else:
            row_insert(self, using=kwargs.get("using"))

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("事件日志只能追加，不能删除。")


class DisabledObject(models.Model):
    """A database object a bulk path took away for speed (an index, the tally triggers), written down
    *before* it is taken away and deleted once it is back. A load killed in between leaves the row behind, and
    `xinfang doctor` puts the object back from it (`xinfang.core.maintenance`)."""

    kind = models.CharField("类别", max_length=20)  # "index" | "action"
    name = models.CharField("名称", max_length=200)
    # For an index: its own CREATE INDEX text. For an action: the dotted path of a function that restores it.
    restore = models.TextField("恢复方式")
    reason = models.CharField("原因", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "暂停的数据库对象"
        verbose_name_plural = "暂停的数据库对象"
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="disabled_object_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class Job(models.Model):
    """A long piece of work a user asked for — a large Excel ledger, a campaign ledger — run by the worker
    (xinfang.core.jobs). The page polls its progress; the file it leaves lies under the data directory and is
    served only to the user who asked for it (404 for anyone else). A worker killed mid-job leaves the row
    'running' with an old heartbeat: `job_run` takes such a job again, and `xinfang doctor` finds it."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        "orgs.Body",
        verbose_name="所属机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("类别", max_length=50)
    label = models.CharField("名称", max_length=200)
    parameters = models.JSONField("参数", default=dict, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    rows = models.PositiveIntegerField("行数", default=0)
    # Relative to settings.DATA_DIR / "jobs"; the download name shown to the user.
    result_path = models.CharField("结果文件", max_length=300, blank=True)
    result_name = models.CharField("下载文件名", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    personal_data = models.CharField("个人信息", max_length=10, default="masked")
    error = models.TextField("错误信息", blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进度时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_idx"),
            models.Index(fields=["state", "heartbeat_at"], name="job_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class EventOutbox(models.Model):
    """Events waiting to enter the event log: today the `read` of a case (ADR 0015).

    A case page writes one row here — one INSERT, no chain lock, no hash — instead of a chained Event; the
    periodic task `events_outbox_flush` (xinfang/core/outbox.py) moves the rows into `core_event` in batches,
    chaining them there, and deletes what it moved in the same transaction. So a row is either here or in the
    log, never both and never neither: a crash loses nothing and a second flush finds nothing to move. The
    columns are Event's content; `occurred_at` is the moment of the read itself, kept through the move."""

    occurred_at = models.DateTimeField("时间", default=timezone.now)
    # plain ids, no foreign keys: the insert checks nothing; the move into Event (whose keys PROTECT) does
    actor_id = models.BigIntegerField("操作人", null=True, blank=True)
    actor_label = models.CharField("操作人（显示）", max_length=100, blank=True)
    body_id = models.BigIntegerField("所属机关", null=True, blank=True)
    object_type = models.CharField("对象类型", max_length=50)
    object_id = models.CharField("对象编号", max_length=64)
    action = models.CharField("动作", max_length=60)
    old_values = models.JSONField("原值", default=dict, blank=True)
    new_values = models.JSONField("新值", default=dict, blank=True)
    reason = models.TextField("理由", blank=True)
    legal_basis = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "待入链事件"
        verbose_name_plural = "待入链事件"

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
