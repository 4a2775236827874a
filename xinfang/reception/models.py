"""The reception hall (接待大厅): services and their queues, the visit record, duty rosters, public hearings
and the archive.

The eight steps of the seed report map onto these rows: 安检排号 → `Ticket` (numbered per `ServiceDay`,
the counter row locked at issue), 导访分流 → the service a ticket is issued for or transferred to,
接待接访 → `Visit` (+ `VisitPerson`, the recording reference), 转送交办/复查复核 → the case services,
公开听证 → `Hearing`, 结案归档 → `ArchiveRecord`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import FileExtensionValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from xinfang.core.i18n import shown_choices
from xinfang.core.models import TimeStampedModel


def private_storage() -> FileSystemStorage:
    """Recordings live outside MEDIA_ROOT: no URL serves them; only the permission-checked view reads them.
    A callable, so the path follows DATA_DIR at run time and migrations keep a reference, not a path."""
    return FileSystemStorage(location=settings.DATA_DIR / "private" / "reception", base_url=None)


class ServiceKind(models.TextChoices):
    ROOM = "room", gettext_noop("接访室")
    AGENCY = "agency", gettext_noop("部门窗口（实时接访）")
    LAWYERS = "lawyers", gettext_noop("律师接待室")
    ONE_STOP = "one_stop", gettext_noop("一站式矛盾纠纷调处中心")
    REVIEW = "review", gettext_noop("复查复核窗口")


class Service(models.Model):
    """One place in the hall that takes a queue: a 接访室, an agency's window, the lawyers' room, the
    one-stop centre, the 复查/复核 desk. Tickets are numbered per service and day with its prefix."""

    body = models.ForeignKey(
        "orgs.Body", verbose_name="所属信访部门", on_delete=models.PROTECT, related_name="hall_services"
    )
    kind = models.CharField("类别", max_length=20, choices=shown_choices(ServiceKind.choices))
    name = models.CharField("名称", max_length=60)
    prefix = models.CharField(
        "号码前缀", max_length=2, validators=[RegexValidator(r"^[A-Z]{1,2}$", "一至两个大写字母")]
    )
    room = models.CharField("所在房间", max_length=60, blank=True)
    # The agency that usually staffs an agency window; the day's row says who is actually there.
    default_agency = models.ForeignKey(
        "orgs.Body",
        verbose_name="常驻机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务窗口"
        verbose_name_plural = "服务窗口"
        ordering = ["body", "sort", "prefix"]
        constraints = [models.UniqueConstraint(fields=["body", "prefix"], name="hall_service_prefix_unique")]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class ServiceDay(models.Model):
    """A service open on one day: the queue counter (`last_number`, incremented under a row lock) and the
    有权处理机关 present at an agency window that day (实时接访)."""

    service = models.ForeignKey(
        Service, verbose_name="服务窗口", on_delete=models.PROTECT, related_name="days"
    )
    date = models.DateField("日期")
    agency = models.ForeignKey(
        "orgs.Body",
        verbose_name="当日接访机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_number = models.PositiveIntegerField("已发号", default=0)
    opened_at = models.DateTimeField("开放时间", default=timezone.now)

    class Meta:
        verbose_name = "窗口当日"
        verbose_name_plural = "窗口当日"
        constraints = [models.UniqueConstraint(fields=["service", "date"], name="hall_service_day_unique")]
        indexes = [models.Index(fields=["date", "service"], name="hall_day_date_idx")]

    def __str__(self) -> str:
        return f"{self.service} {self.date}"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", gettext_noop("等候中")
    CALLED = "called", gettext_noop("已叫号")
    SERVING = "serving", gettext_noop("接待中")
    DONE = "done", gettext_noop("已办完")
    NO_SHOW = "no_show", gettext_noop("过号")
    TRANSFERRED = "transferred", gettext_noop("已分流")


OPEN_TICKET_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)


class Ticket(models.Model):
    """A queue number (排号). Carries no personal data: the board and the printed ticket show its code only."""

    service_day = models.ForeignKey(
        ServiceDay, verbose_name="窗口当日", on_delete=models.PROTECT, related_name="tickets"
    )
    number = models.PositiveIntegerField("号码")
    code = models.CharField("排队号", max_length=8)
    status = models.CharField(
        "状态", max_length=12, choices=shown_choices(TicketStatus.choices), default=TicketStatus.WAITING
    )
    party_size = models.PositiveSmallIntegerField("来访人数", default=1, validators=[MinValueValidator(1)])
    from_kiosk = models.BooleanField("自助取号", default=False)
    transferred_from = models.OneToOneField(
        "self",
        verbose_name="分流自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_to",
    )
    issued_at = models.DateTimeField("取号时间", default=timezone.now)
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    started_at = models.DateTimeField("开始接待", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    calls = models.PositiveSmallIntegerField("叫号次数", default=0)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        ordering = ["service_day", "number"]
        constraints = [
            models.UniqueConstraint(fields=["service_day", "number"], name="hall_ticket_number_unique")
        ]
        indexes = [models.Index(fields=["service_day", "status", "number"], name="hall_ticket_queue_idx")]

    def __str__(self) -> str:
        return self.code

    @property
    def waited_seconds(self) -> int | None:
        if self.called_at is None:
            return None
        return int((self.called_at - self.issued_at).total_seconds())


class DutyKind(models.TextChoices):
    LEADER = "leader", gettext_noop("值班领导")
    LEGAL_ADVISER = "legal_adviser", gettext_noop("法律顾问")
    PUBLIC_LAWYER = "public_lawyer", gettext_noop("公职律师")


LAWYER_KINDS = (DutyKind.LEGAL_ADVISER, DutyKind.PUBLIC_LAWYER)


class DutyShift(models.Model):
    """Who is on duty in the hall on a day, and where: a leader (领导接访), a 法律顾问 or 公职律师."""

    body = models.ForeignKey(
        "orgs.Body", verbose_name="所属信访部门", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField("日期")
    kind = models.CharField("类别", max_length=20, choices=shown_choices(DutyKind.choices))
    name = models.CharField("姓名", max_length=50)
    affiliation = models.CharField("单位/律所", max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="系统用户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        Service,
        verbose_name="值班地点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shifts",
    )
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "值班安排"
        verbose_name_plural = "值班安排"
        ordering = ["date", "kind", "name"]
        indexes = [models.Index(fields=["body", "date"], name="hall_shift_body_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class VisitOutcome(models.TextChoices):
    CONSULTATION = "consultation", gettext_noop("咨询（无需登记事项）")
    NEW_CASE = "new_case", gettext_noop("登记为信访事项")
    EXISTING_CASE = "existing_case", gettext_noop("关联已有信访事项")


class ConsultationKind(models.TextChoices):
    LEGAL = "legal", gettext_noop("法律咨询")
    INFORMATION = "information", gettext_noop("政策与信息咨询")
    PROGRESS = "progress", gettext_noop("查询办理进度")


class Visit(TimeStampedModel):
    """One reception (接待接访): who came, what they said, who received them, the recording, and the case."""

    body = models.ForeignKey("orgs.Body", verbose_name="接待机关", on_delete=models.PROTECT, related_name="+")
    ticket = models.OneToOneField(
        Ticket, verbose_name="排队号", null=True, blank=True, on_delete=models.PROTECT, related_name="visit"
    )
    service_day = models.ForeignKey(
        ServiceDay,
        verbose_name="窗口当日",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    date = models.DateField("接待日期", db_index=True)
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接待人员", on_delete=models.PROTECT, related_name="+"
    )
    leader_shift = models.ForeignKey(
        DutyShift,
        verbose_name="参与领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_visits",
    )
    lawyer_shift = models.ForeignKey(
        DutyShift,
        verbose_name="参与律师",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lawyer_visits",
    )
    is_group = models.BooleanField("多人走访", default=False)
    people_count = models.PositiveIntegerField("来访人数", default=1, validators=[MinValueValidator(1)])
    statement = models.TextField("反映内容")
    reply = models.TextField("答复及处理情况", blank=True)
    outcome = models.CharField("接待结果", max_length=20, choices=shown_choices(VisitOutcome.choices))
    consultation_kind = models.CharField(
        "咨询类别", max_length=20, choices=shown_choices(ConsultationKind.choices), blank=True
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="信访事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hall_visits",
    )
    # The first case of the matter (a repeat petition points at it): the 最多访一次 count is per matter.
    matter = models.ForeignKey(
        "cases.Case",
        verbose_name="同一事项（首件）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # This visit is the n-th by any of its people on the same matter (1: first visit).
    matter_visit_no = models.PositiveSmallIntegerField("同一事项第几次来访", default=1)
    # Audio/video (全程录音录像): a reference to the hall's recorder, or an uploaded file kept privately.
    recording_ref = models.CharField("录音录像编号", max_length=80, blank=True)
    recording_device = models.CharField("录制设备", max_length=80, blank=True)
    recording_start = models.DateTimeField("录制开始", null=True, blank=True)
    recording_end = models.DateTimeField("录制结束", null=True, blank=True)
    recording_file = models.FileField(
        "录音录像文件",
        storage=private_storage,
        upload_to="recordings/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(["mp3", "mp4", "wav", "m4a", "webm"])],
    )

    class Meta:
        verbose_name = "接待记录"
        verbose_name_plural = "接待记录"
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["body", "date"], name="hall_visit_body_date_idx"),
            models.Index(fields=["matter", "started_at"], name="hall_visit_matter_idx"),
            # the visit list's order, newest first (issue 14, selectors.VISIT_KEYS)
            models.Index(fields=["body", "started_at", "id"], name="hall_visit_body_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} #{self.pk}"


class VisitPerson(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="people")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="hall_visits")
    is_representative = models.BooleanField("代表", default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "来访人"
        verbose_name_plural = "来访人"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "person"], name="hall_visit_person_unique")]

    def __str__(self) -> str:
        return f"{self.visit_id} · {self.person_id}"


class HearingBasis(models.TextChoices):
    REREVIEW = "rereview", gettext_noop("复核听证（第三十六条）")
    COMPLEX = "complex", gettext_noop("重大、复杂、疑难事项听证（第三十一条第（六）项）")


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", gettext_noop("已安排")
    CONCLUDED = "concluded", gettext_noop("已举行")
    CANCELLED = "cancelled", gettext_noop("已取消")


class Hearing(TimeStampedModel):
    """A public hearing (公开听证). Deciding to hold it pauses the case's 复核 (or 办理) clock through the
    case's own transition table (`hearing_start`); concluding or cancelling it resumes the clock."""

    body = models.ForeignKey("orgs.Body", verbose_name="举行机关", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", verbose_name="信访事项", on_delete=models.PROTECT, related_name="hearings"
    )
    basis = models.CharField("听证依据", max_length=20, choices=shown_choices(HearingBasis.choices))
    status = models.CharField(
        "状态", max_length=12, choices=shown_choices(HearingStatus.choices), default=HearingStatus.SCHEDULED
    )
    scheduled_at = models.DateTimeField("听证时间")
    place = models.CharField("地点", max_length=100)
    paused_on = models.DateField("期限暂停日")
    concluded_on = models.DateField("结束日", null=True, blank=True)
    minutes = models.TextField("听证笔录", blank=True)
    conclusion = models.TextField("听证结论", blank=True)
    notice = models.ForeignKey(
        "cases.Notice",
        verbose_name="听证通知",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    public_summary = models.TextField("公示内容", blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "公开听证"
        verbose_name_plural = "公开听证"
        ordering = ["-scheduled_at", "-id"]
        # the list's order, newest first, with the id (keyset keys: reception.selectors.HEARING_KEYS)
        indexes = [models.Index(fields=["body", "-scheduled_at", "-id"], name="hall_hearing_body_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.scheduled_at:%Y-%m-%d}"


class ParticipantRole(models.TextChoices):
    HEARING_OFFICER = "hearing_officer", gettext_noop("听证员")
    LAWYER = "lawyer", gettext_noop("律师")
    REPRESENTATIVE = "representative", gettext_noop("信访人或代表")
    AGENCY = "agency", gettext_noop("有关机关")
    OTHER = "other", gettext_noop("其他")


class HearingParticipant(models.Model):
    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField("身份", max_length=20, choices=shown_choices(ParticipantRole.choices))
    name = models.CharField("姓名/名称", max_length=100)
    affiliation = models.CharField("单位", max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "听证参加人"
        verbose_name_plural = "听证参加人"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class Retention(models.TextChoices):
    PERMANENT = "permanent", gettext_noop("永久")
    LONG = "30y", gettext_noop("30年")
    SHORT = "10y", gettext_noop("10年")


class ArchiveSequence(models.Model):
    body = models.ForeignKey("orgs.Body", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="hall_archive_seq_unique")]

    def __str__(self) -> str:
        return f"{self.body_id}/{self.year}: {self.last}"


class ArchiveRecord(models.Model):
    """结案归档: the archived case's 档号 and how long it is kept."""

    case = models.OneToOneField(
        "cases.Case", verbose_name="信访事项", on_delete=models.PROTECT, related_name="archive"
    )
    body = models.ForeignKey("orgs.Body", verbose_name="归档机关", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("档号", max_length=60, unique=True)
    retention = models.CharField("保管期限", max_length=12, choices=shown_choices(Retention.choices))
    location = models.CharField("存放位置", max_length=100, blank=True)
    archived_at = models.DateTimeField("归档时间", default=timezone.now, db_index=True)
    archived_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "归档记录"
        verbose_name_plural = "归档记录"
        ordering = ["-archived_at", "-id"]
        indexes = [
            models.Index(fields=["-archived_at", "-id"], name="hall_archive_at_idx")
        ]  # the list's order

    def __str__(self) -> str:
        return self.number
