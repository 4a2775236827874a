"""The 信访事项 (case) and what hangs off it: petitioners, attachments, notices, number sequences.

The state field is written only by services (xinfang/cases/services.py) following the one transition
table (xinfang/cases/workflow.py). Nothing else sets it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from xinfang.core.db import row_insert, row_update
from xinfang.core.i18n import shown_choices
from xinfang.core.models import TimeStampedModel
from xinfang.core.periods import period


class Channel(models.TextChoices):
    ONLINE = "online", gettext_noop("网上信访")
    LETTER = "letter", gettext_noop("来信")
    VISIT = "visit", gettext_noop("来访")
    PHONE = "phone", gettext_noop("来电")
    FAX = "fax", gettext_noop("传真")
    LEADER_MAILBOX = "leader_mailbox", gettext_noop("领导信箱")
    HIGHER_ASSIGNED = "higher_assigned", gettext_noop("上级交办")


class PetitionType(models.TextChoices):
    SUGGESTION = "suggestion", gettext_noop("建议意见类")  # Art. 29
    ACCUSATION = "accusation", gettext_noop("检举控告类")  # Art. 30
    APPEAL = "appeal", gettext_noop("申诉求决类")  # Art. 31


class State(models.TextChoices):
    REGISTERED = "registered", gettext_noop("已登记")
    TRANSFERRED = "transferred", gettext_noop("已转送")
    ASSIGNED = "assigned", gettext_noop("已交办")
    TOLD = "told", gettext_noop("已告知")
    RECEIVED = "received", gettext_noop("已签收")
    OBJECTED = "objected", gettext_noop("异议待核")
    ACCEPTED = "accepted", gettext_noop("已受理")
    DIVERTED = "diverted", gettext_noop("已导入法定程序")
    NOT_ACCEPTED = "not_accepted", gettext_noop("不予受理")
    NOT_REACCEPTED = "not_reaccepted", gettext_noop("不再受理")
    REPEAT_LINKED = "repeat_linked", gettext_noop("重复件已并入")
    ANSWERED = "answered", gettext_noop("已答复")
    REVIEWING = "reviewing", gettext_noop("复查中")
    REVIEWED = "reviewed", gettext_noop("已复查")
    REREVIEWING = "rereviewing", gettext_noop("复核中")
    REREVIEWED = "rereviewed", gettext_noop("已复核")
    CONCLUDED = "concluded", gettext_noop("已办结")
    TERMINATED = "terminated", gettext_noop("已终结")
    ARCHIVED = "archived", gettext_noop("已归档")


class Route(models.TextChoices):
    """The six ways of 条例 Art. 31 for 申诉求决类 matters."""

    LITIGATION = "1", gettext_noop("（一）诉讼、复议、检察、公安等法律程序")
    ARBITRATION = "2", gettext_noop("（二）仲裁")
    PARTY_APPEAL = "3", gettext_noop("（三）党员申诉、申请复审")
    ADMINISTRATIVE = "4", gettext_noop("（四）行政复议、裁决、确认、许可、处罚等行政程序")
    PERFORM = "5", gettext_noop("（五）依法履行或者答复")
    HANDLE = "6", gettext_noop("（六）听取陈述、调查核实、出具信访处理意见书")


# The states in which a case is still being worked on: the staff queue lists these (Case.queue_body is set
# while the case is in one). cases.workflow.OPEN_STATES is the same set (a test checks it); spelled out here
# because the model cannot import the workflow, which imports the model.
QUEUE_STATES: tuple[str, ...] = (
    "accepted",
    "answered",
    "assigned",
    "objected",
    "received",
    "registered",
    "rereviewed",
    "rereviewing",
    "reviewed",
    "reviewing",
    "transferred",
)

DIVERTING_ROUTES = {Route.LITIGATION, Route.ARBITRATION, Route.PARTY_APPEAL, Route.ADMINISTRATIVE}


class Outcome(models.TextChoices):
    SUPPORT = "support", gettext_noop("予以支持")  # Art. 32 (一)
    EXPLAIN = "explain", gettext_noop("解释说明")  # Art. 32 (二)
    NOT_SUPPORT = "not_support", gettext_noop("不予支持")  # Art. 32 (三)
    ADOPTED = "adopted", gettext_noop("采纳")  # Art. 29, suggestions
    PARTLY_ADOPTED = "partly_adopted", gettext_noop("部分采纳")
    NOT_ADOPTED = "not_adopted", gettext_noop("未采纳")
    MEDIATED = "mediated", gettext_noop("调解/和解达成协议")  # Art. 33
    PERFORMED = "performed", gettext_noop("依法履行")  # Art. 31 (五)


class Category(models.Model):
    """The content taxonomy (城乡建设, 环境保护, …), administrator-editable."""

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级分类", null=True, blank=True, on_delete=models.PROTECT
    )
    # The line of work (orgs.Body.sector) that usually handles it; routing rules may say otherwise.
    default_sector = models.CharField("默认主管行业", max_length=40, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "内容分类"
        verbose_name_plural = "内容分类"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class CaseNumberSequence(models.Model):
    """The last 编号 issued per registering body and year; incremented under a row lock."""

    body = models.ForeignKey("orgs.Body", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="case_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.body_id}/{self.year}: {self.last}"


class Case(TimeStampedModel):
    number = models.CharField("编号", max_length=60, unique=True)
    query_code_hash = models.CharField("查询码（散列）", max_length=128, editable=False)
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    channel = models.CharField("来源渠道", max_length=20, choices=shown_choices(Channel.choices))
    petition_type = models.CharField("信访类型", max_length=20, choices=shown_choices(PetitionType.choices))
    category = models.ForeignKey(
        Category, verbose_name="内容分类", null=True, blank=True, on_delete=models.PROTECT
    )
    problem_region = models.ForeignKey(
        "orgs.Region", verbose_name="问题属地", on_delete=models.PROTECT, related_name="cases"
    )
    title = models.CharField("标题", max_length=200, blank=True)
    request = models.TextField("诉求")
    facts = models.TextField("事实和理由", blank=True)
    subject_text = models.CharField("被反映对象", max_length=200, blank=True)
    # The body complained about, when known: 检举控告 material never goes to it (Art. 30, 46).
    subject_body = models.ForeignKey(
        "orgs.Body",
        verbose_name="被反映单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    anonymous = models.BooleanField("匿名", default=False)
    people_count = models.PositiveIntegerField("涉及人数", default=1, validators=[MinValueValidator(1)])

    # Flags (docs/domain.md §2)
    law_related = models.BooleanField("涉法涉诉", default=False)
    skipped_levels = models.BooleanField("越级", default=False)
    is_group = models.BooleanField("集体访", default=False)
    cross_boundary = models.JSONField("三跨三分离", default=list, blank=True)
    is_backlog = models.BooleanField("积案", default=False)
    leader_in_charge = models.BooleanField("领导包案", default=False)
    reached_higher = models.BooleanField("进京/赴省", default=False)
    is_repeat = models.BooleanField("重复信访", default=False, db_index=True)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name="首次信访事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
    )

    state = models.CharField(
        "状态", max_length=20, choices=shown_choices(State.choices), default=State.REGISTERED, db_index=True
    )
    registering_body = models.ForeignKey(
        "orgs.Body", verbose_name="登记机关", on_delete=models.PROTECT, related_name="registered_cases"
    )
    # Who holds the case now (the 信访部门 before transfer, the agency after, the reviewing body …).
    current_body = models.ForeignKey(
        "orgs.Body", verbose_name="当前办理机关", on_delete=models.PROTECT, related_name="current_cases"
    )
    # The agency with authority that handles (and answers) the matter.
    handling_body = models.ForeignKey(
        "orgs.Body",
        verbose_name="有权处理机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    # Who sent it to the handling body (objections go back there, Art. 23).
    sender_body = models.ForeignKey(
        "orgs.Body",
        verbose_name="转送/交办机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sent_cases",
    )
    review_body = models.ForeignKey(
        "orgs.Body",
        verbose_name="复查机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rereview_body = models.ForeignKey(
        "orgs.Body",
        verbose_name="复核机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Art. 24 ¶1: the bodies disputed who accepts; their common superior, named here, decides (then cleared).
    dispute_body = models.ForeignKey(
        "orgs.Body",
        verbose_name="受理争议的决定机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes_to_decide",
    )
    co_bodies = models.ManyToManyField(
        "orgs.Body", verbose_name="协办机关（Art. 24）", blank=True, related_name="co_handled_cases"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    route = models.CharField(
        "处理途径（Art. 31）", max_length=2, choices=shown_choices(Route.choices), blank=True
    )
    outcome = models.CharField("处理意见", max_length=20, choices=shown_choices(Outcome.choices), blank=True)
    review_outcome = models.CharField(
        "复查意见", max_length=20, choices=shown_choices(Outcome.choices), blank=True
    )
    rereview_outcome = models.CharField(
        "复核意见", max_length=20, choices=shown_choices(Outcome.choices), blank=True
    )
    extension_days = models.PositiveSmallIntegerField(
        "延期天数", default=0, validators=[MaxValueValidator(period("extension_max").days)]
    )
    in_hearing = models.BooleanField("听证中", default=False)
    assignment_due = models.DateField("交办反馈期限", null=True, blank=True)

    registered_at = models.DateTimeField("登记时间", default=timezone.now, db_index=True)
    # When the petition reached the body (a letter arrived, a visit happened, a web form was submitted): the
    # day the law counts from (Art. 22, 23 "收到…之日"), kept apart from when it was typed in (registered_at).
    arrived_at = models.DateTimeField("收到时间", null=True, blank=True)
    sent_at = models.DateTimeField("转送/交办/告知时间", null=True, blank=True)
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理（告知）时间", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    review_requested_at = models.DateTimeField("复查请求时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("复查答复时间", null=True, blank=True)
    rereview_requested_at = models.DateTimeField("复核请求时间", null=True, blank=True)
    rereviewed_at = models.DateTimeField("复核答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结/终结时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)

    # What the intake suggested and what the registrar chose (both kept, issue 7).
    suggestion = models.JSONField("智能辅助建议", default=dict, blank=True)

    # Denormalised from the clocks (issue 14), so that the lists sort and filter on indexed columns of the case
    # alone: the due date and kind of the nearest open clock the body holding the case owes (not a petitioner's
    # lapsing window, not a paused clock; the rule: deadlines.selectors.case_nearest_clocks). The light is not
    # stored (it depends on today): a light filter is a range on `due_on` (deadlines.selectors.light_q).
    # Kept by the clock services and case_act (deadlines.clocks.case_due_sync), the bulk generator, and checked
    # and repaired by `xinfang doctor` (cases.due).
    due_on = models.DateField("最近期限", null=True, blank=True, editable=False)
    due_kind = models.CharField("最近期限类型", max_length=30, blank=True, editable=False)
    # The body whose queue lists the case: the holding body while the case is open (QUEUE_STATES), else NULL.
    # Set by save() from state and current_body; the queue reads one index, case_queue_body_idx (queue_body,
    # due_on, registered_at, id, …), in page order. (A partial index on `state IN (…)` was not used by SQLite: the
    # query's IN list is bound parameters, which it does not match against the index's literals.)
    queue_body = models.ForeignKey(
        "orgs.Body",
        verbose_name="待办机关",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = "信访事项"
        verbose_name_plural = "信访事项"
        indexes = [
            models.Index(fields=["current_body", "state"], name="case_current_state_idx"),
            models.Index(fields=["handling_body", "registered_at"], name="case_handling_reg_idx"),
            models.Index(fields=["registering_body", "registered_at"], name="case_registering_reg_idx"),
            models.Index(fields=["problem_region", "registered_at"], name="case_region_reg_idx"),
            # The figures (analytics.figures): the 重复信访率 counts a period's registrations per registering
            # body from this covering index alone (an index-only scan, on both databases), and the 积案化解率
            # reads the few backlog cases (a small partial index) instead of every case.
            models.Index(fields=["registered_at", "registering_body", "is_repeat"], name="case_reg_at_idx"),
            models.Index(fields=["registered_at"], name="case_backlog_reg_idx", condition=Q(is_backlog=True)),
            # The queue: one body's open cases in (due_on, registered_at, id) order straight off the index, so a
            # page is a LIMIT on an index range at any depth (keyset paging). The id is named (its last key: the
            # order needs no sort on either database) and the index also holds the two columns of the
            # 检举控告 exclusion, so the light counts (the first 1,001 due dates) are read from the index alone —
            # through it they cost a read of the wide case row each, at 1M cases mostly a page from disk
            # (issue 14: ≈ 19 ms wall → 1 ms at 100k on SQLite).
            models.Index(
                fields=["queue_body", "due_on", "registered_at", "id", "petition_type", "subject_body"],
                name="case_queue_body_idx",
            ),
            # Search and API sorted or filtered by the light across the visible scope.
            models.Index(fields=["due_on", "registered_at"], name="case_due_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def queue_body_for_state(self) -> int | None:
        return self.current_body_id if self.state in QUEUE_STATES else None

    def save(self, *args, **kwargs) -> None:
        self.queue_body_id = self.queue_body_for_state()
        fields = kwargs.get("update_fields")
        if fields is not None and {"state", "current_body", "current_body_id"} & set(fields):
            kwargs["update_fields"] = [*fields, "queue_body"]
        if fields and not args and set(kwargs) <= {"update_fields", "using"}:
            # the UPDATE compiled once per set of columns (the same statement, values and signals as save())
            row_update(self, kwargs["update_fields"], using=kwargs.get("using"))
        elif self._state.adding and self.pk is None and not args and set(kwargs) <= {"using", "force_insert"}:
            row_insert(self, using=kwargs.get("using"))  # a new case: its INSERT compiled once
        else:
            super().save(*args, **kwargs)


class CasePetitioner(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="petitioners")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="case_links")
    is_representative = models.BooleanField("代表", default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "信访人"
        verbose_name_plural = "信访人"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="case_person_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.person_id}"


ALLOWED_ATTACHMENT_EXTENSIONS = [
    "pdf",
    "jpg",
    "jpeg",
    "png",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "txt",
    "mp3",
    "mp4",
]
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _attachment_path(instance, filename: str) -> str:
    return f"cases/{timezone.now():%Y/%m}/{instance.case_id}/{filename}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        "文件",
        upload_to=_attachment_path,
        validators=[FileExtensionValidator(allowed_extensions=ALLOWED_ATTACHMENT_EXTENSIONS)],
    )
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100, blank=True)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    uploaded_by_body = models.ForeignKey(
        "orgs.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


class NoticeKind(models.TextChoices):
    TRANSFER = "transfer", gettext_noop("转送告知书")
    ASSIGN = "assign", gettext_noop("交办通知")
    TELL = "tell", gettext_noop("告知书（告知向有权机关提出）")
    ACCEPT = "accept", gettext_noop("受理告知书")
    NOT_ACCEPT = "not_accept", gettext_noop("不予受理告知书")
    NOT_REACCEPT = "not_reaccept", gettext_noop("不再受理告知书")
    DIVERT = "divert", gettext_noop("导入法定程序告知书")
    EXTEND = "extend", gettext_noop("延期告知书")
    HEARING = "hearing", gettext_noop("听证通知")
    MEDIATION = "mediation", gettext_noop("调解（和解）协议书")
    OPINION = "opinion", gettext_noop("信访处理意见书")
    REVIEW_OPINION = "review_opinion", gettext_noop("复查意见书")
    REREVIEW_OPINION = "rereview_opinion", gettext_noop("复核意见书")
    TERMINATE = "terminate", gettext_noop("终结告知")


class Notice(models.Model):
    """A written notice as a record: its text is rendered once from a template and never changes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("文书类型", max_length=20, choices=shown_choices(NoticeKind.choices))
    title = models.CharField("标题", max_length=100)
    text = models.TextField("正文")
    legal_basis = models.CharField("法律依据", max_length=200)
    next_right = models.CharField("信访人下一步权利", max_length=300, blank=True)
    next_right_deadline = models.DateField("权利行使期限", null=True, blank=True)
    issued_at = models.DateTimeField("出具时间", default=timezone.now)
    issued_by = models.ForeignKey(
        "orgs.Body", verbose_name="出具机关", on_delete=models.PROTECT, related_name="+"
    )
    event_id = models.BigIntegerField("对应事件", null=True, blank=True)
    visible_to_petitioner = models.BooleanField("信访人可见", default=True)

    class Meta:
        verbose_name = "告知文书"
        verbose_name_plural = "告知文书"
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.title}"
