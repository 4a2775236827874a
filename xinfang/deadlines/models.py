"""The administrator-entered work calendar: the State Council schedule for years the package lacks.

The State Council publishes each year's holiday schedule (with its 调休 make-up working days) late in
the previous year; ``chinesecalendar`` only knows the years up to its release. An administrator enters
the new year's days here and then marks the year complete; until then any deadline that reaches into
that year is flagged (see ``xinfang.deadlines.calendar``). Entered days also override the package, to
correct it or to add a local holiday.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from xinfang.core.i18n import shown_choices
from xinfang.deadlines.calendar import DayKind
from xinfang.deadlines.lights import Light


class CalendarDay(models.Model):
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField(
        "节日名称", max_length=50, blank=True, help_text="如“春节”“国庆节”；调休上班日填所属节日"
    )
    note = models.CharField("备注", max_length=200, blank=True, help_text="如发文字号：国办发明电〔2026〕×号")

    class Meta:
        ordering = ["date"]
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".rstrip()


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(
        "年份", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    # Declared by a person, not inferred from the rows: a year with only Spring Festival entered looks
    # plausible and would silently mis-date every deadline that meets its National Day.
    complete = models.BooleanField(
        "已完整录入",
        default=False,
        help_text="该年度全部放假与调休上班日均已录入后再勾选；未勾选的年度期限将被标记",
    )

    class Meta:
        ordering = ["year"]
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"

    def __str__(self) -> str:
        return f"{self.year}年（{'已完整录入' if self.complete else '未完整录入'}）"


class CalendarVersion(models.Model):
    """One row (id 1) whose token changes whenever a CalendarDay or CalendarYear row is inserted, changed or
    deleted — set by database triggers (migration 0005), so a change from any process, the admin, a script or
    raw SQL is seen. `WorkCalendar.cached()` keeps one calendar per process and re-reads the rows only when
    the token differs from the one it was loaded under. The token is random, not a counter: a rolled-back
    change restores the old token, and a counter could later reach the same number with other rows."""

    token = models.BigIntegerField("版本", default=0)

    class Meta:
        verbose_name = "日历版本"
        verbose_name_plural = "日历版本"

    def __str__(self) -> str:
        return str(self.token)


class Clock(models.Model):
    """One legal clock on one case: who owes what by when. Due dates are stored so lists index on them."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="信访事项", on_delete=models.CASCADE, related_name="clocks"
    )
    kind = models.CharField("期限类型", max_length=30)
    # The body that owes the action (for a petitioner's window: the body holding the case).
    body = models.ForeignKey(
        "orgs.Body", verbose_name="责任机关", on_delete=models.PROTECT, related_name="clocks"
    )
    is_window = models.BooleanField("信访人权利期限", default=False)
    started_on = models.DateField("起算日")
    days = models.PositiveSmallIntegerField("期限天数")
    working = models.BooleanField("按工作日计算", default=False)
    extension_days = models.PositiveSmallIntegerField("延长天数", default=0)
    # Dated pauses as [[first, last], …] (ISO dates, inclusive): a 听证 stops the clock (Art. 36).
    pauses = models.JSONField("暂停", default=list, blank=True)
    paused_since = models.DateField("暂停起始", null=True, blank=True)
    due_on = models.DateField("到期日")
    beyond_known_calendar = models.BooleanField("超出已知日历", default=False)
    counted = models.JSONField("计算说明", default=list, blank=True)
    legal_basis = models.CharField("依据", max_length=100, blank=True)
    is_open = models.BooleanField("进行中", default=True)
    stopped_on = models.DateField("停止日", null=True, blank=True)
    # Decided when the clock stops: met within its limit or not (按期 figures read this).
    on_time = models.BooleanField("按期", null=True, blank=True)
    stopped_by = models.CharField("停止动作", max_length=40, blank=True)

    class Meta:
        verbose_name = "法定期限"
        verbose_name_plural = "法定期限"
        indexes = [
            # Partial: only the open clocks (about one in eight) are read by the lists and the lights, so the
            # index is small, and with the implicit id at its end it gives (due_on, id) order with no sort.
            # Queries must say `is_open` as the bare condition (`is_open=True`) for the planner to use it.
            models.Index(
                fields=["body", "due_on"], name="clock_open_body_due_idx", condition=Q(is_open=True)
            ),
            models.Index(fields=["due_on"], name="clock_open_due_on_idx", condition=Q(is_open=True)),
            models.Index(fields=["case", "kind"], name="clock_case_kind_idx"),
            # The figures read a year of clocks of a few kinds across all bodies: on PostgreSQL the INCLUDE
            # columns make that an index-only scan (SQLite builds the plain (kind, due_on) index).
            models.Index(
                fields=["kind", "due_on"],
                name="clock_kind_due_idx",
                include=["body", "is_open", "on_time", "stopped_by"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} → {self.due_on}"


class LedgerDay(models.Model):
    """One body's daily ledger (每日交账销账): its yellow and red items on one day, built by cron."""

    body = models.ForeignKey(
        "orgs.Body", verbose_name="责任机关", on_delete=models.PROTECT, related_name="ledger_days"
    )
    date = models.DateField("日期")
    built_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "每日台账"
        verbose_name_plural = "每日台账"
        ordering = ["-date", "body_id"]
        constraints = [models.UniqueConstraint(fields=["body", "date"], name="ledger_day_body_date_uniq")]
        indexes = [models.Index(fields=["date", "body"], name="ledger_day_date_body_idx")]

    def __str__(self) -> str:
        return f"{self.body_id} {self.date.isoformat()}"


class LedgerItem(models.Model):
    """One yellow or red clock on one day's ledger, to be cleared (销账) with a note of what was done."""

    ledger_day = models.ForeignKey(
        LedgerDay, verbose_name="台账", on_delete=models.CASCADE, related_name="items"
    )
    clock = models.ForeignKey(
        Clock, verbose_name="期限", on_delete=models.CASCADE, related_name="ledger_items"
    )
    # The light and due date when the item was put on the ledger: the clock may move later (延期, 听证).
    light = models.CharField("灯色", max_length=10, choices=shown_choices(Light.choices))
    due_on = models.DateField("到期日")
    rolled_over_from = models.OneToOneField(
        "self",
        verbose_name="结转自",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rolled_over_to",
    )
    cleared_at = models.DateTimeField("销账时间", null=True, blank=True)
    cleared_by = models.ForeignKey(
        "orgs.User", verbose_name="销账人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_note = models.CharField("销账说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "台账事项"
        verbose_name_plural = "台账事项"
        constraints = [
            models.UniqueConstraint(fields=["ledger_day", "clock"], name="ledger_item_day_clock_uniq"),
        ]
        indexes = [models.Index(fields=["ledger_day", "cleared_at"], name="ledger_item_day_cleared_idx")]

    def __str__(self) -> str:
        return f"{self.ledger_day} clock {self.clock_id} {self.light}"

    @property
    def is_cleared(self) -> bool:
        return self.cleared_at is not None


class LedgerNotice(models.Model):
    """What the cron command sent: one digest per body, day, person and channel, so it is sent once."""

    class Channel(models.TextChoices):
        EMAIL = "email", gettext_noop("邮件")
        SMS = "sms", gettext_noop("短信")

    ledger_day = models.ForeignKey(
        LedgerDay, verbose_name="台账", on_delete=models.CASCADE, related_name="notices"
    )
    user = models.ForeignKey("orgs.User", verbose_name="接收人", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField("渠道", max_length=10, choices=shown_choices(Channel.choices))
    address = models.CharField("地址", max_length=254)
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "台账提醒"
        verbose_name_plural = "台账提醒"
        constraints = [
            models.UniqueConstraint(fields=["ledger_day", "user", "channel"], name="ledger_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_day} {self.channel} → {self.user_id}"
