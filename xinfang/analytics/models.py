"""Running counts behind the figures (docs/domain.md §8), kept by the database itself.

Each row counts source rows that share a key: clocks by (body, kind, due date) and the state they are in,
evaluations by (judged body, local day, result), registrations by (registering body, local day). Triggers
installed by ``xinfang.analytics.tally`` change the counts in the same statement — hence the same
transaction — as the source rows, whoever writes them (services, bulk loads, the admin, cascades), so a
figure read from here is the figure counted over the source rows. See docs/figures.md.
"""

from __future__ import annotations

from django.db import models


class ClockTally(models.Model):
    """Clocks of one body and kind falling due on one day, by where they stand.

    on_time + late ≤ closed: a clock closed without a verdict (an objection agreed closes the 交办 clock)
    is closed and neither. evaluated counts evaluation windows stopped by an evaluation.
    """

    body = models.ForeignKey(
        "orgs.Body",
        verbose_name="责任机关",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    kind = models.CharField("期限类型", max_length=30)
    due_on = models.DateField("到期日")
    open_count = models.BigIntegerField("进行中", default=0)
    on_time_count = models.BigIntegerField("按期", default=0)
    late_count = models.BigIntegerField("逾期", default=0)
    evaluated_count = models.BigIntegerField("已评价", default=0)
    closed_count = models.BigIntegerField("已停止", default=0)

    class Meta:
        verbose_name = "期限统计"
        verbose_name_plural = "期限统计"
        constraints = [
            models.UniqueConstraint(fields=["body", "kind", "due_on"], name="clock_tally_key"),
        ]
        # The figures read a period of days across all bodies: (due_on) first. The dashboard reads every body's
        # figures for a year grouped by (body, kind): the key's order with the counts in the index, so no table
        # row is read. Its lights read the open clocks of every day there is (red has no first day): the rows
        # still open, from an index of those alone (issue 14: a whole-table scan that grew with the days).
        indexes = [
            models.Index(fields=["due_on", "kind"], name="clock_tally_due_idx"),
            models.Index(
                fields=[
                    "body",
                    "kind",
                    "due_on",
                    "on_time_count",
                    "late_count",
                    "evaluated_count",
                    "closed_count",
                    "open_count",
                ],
                name="clock_tally_counts_idx",
            ),
            models.Index(
                fields=["kind", "body", "due_on", "open_count"],
                condition=models.Q(open_count__gt=0),
                name="clock_tally_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body_id} {self.kind} {self.due_on}"


class EvaluationTally(models.Model):
    """Evaluations of the answers of one body made on one (local) day, by result."""

    body = models.ForeignKey(
        "orgs.Body",
        verbose_name="被评价机关",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    day = models.DateField("评价日期")
    result = models.CharField("评价结果", max_length=12)
    count = models.BigIntegerField("件数", default=0)

    class Meta:
        verbose_name = "评价统计"
        verbose_name_plural = "评价统计"
        constraints = [models.UniqueConstraint(fields=["body", "day", "result"], name="evaluation_tally_key")]
        indexes = [models.Index(fields=["day"], name="evaluation_tally_day_idx")]

    def __str__(self) -> str:
        return f"{self.body_id} {self.day} {self.result}"


class RegistrationTally(models.Model):
    """Cases one body registered on one (local) day, and how many of them were repeats."""

    body = models.ForeignKey(
        "orgs.Body",
        verbose_name="登记机关",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    day = models.DateField("登记日期")
    total = models.BigIntegerField("件数", default=0)
    repeats = models.BigIntegerField("重复件数", default=0)

    class Meta:
        verbose_name = "登记统计"
        verbose_name_plural = "登记统计"
        constraints = [models.UniqueConstraint(fields=["body", "day"], name="registration_tally_key")]
        indexes = [models.Index(fields=["day"], name="registration_tally_day_idx")]

    def __str__(self) -> str:
        return f"{self.body_id} {self.day}"


class CaseTally(models.Model):
    """Cases registered in one (local) month, counted by one measure's value (channel, type, category,
    region, body complained about, outcome, 越级) — the dashboard's and the annual report's counts by field.

    Keyed also by the bodies that decide *who* counts a case: the registering and the handling body (a body's
    figures scope is "registered or handles", analytics.figures.cases_in_scope) and, for a 检举控告, the body
    it accuses (never counted for that body or one above it, Art. 30, 46). 0 stands for "none" in the three
    body columns (a NULL would make every row unique to the upserts). `value` is text: a choice's stored value,
    or a category / region / body id, '' when the case has none."""

    month = models.DateField("登记月份")  # the first day of the local month
    registering = models.BigIntegerField("登记机关", default=0)
    handling = models.BigIntegerField("有权处理机关", default=0)
    accused = models.BigIntegerField("被检举控告机关", default=0)
    measure = models.CharField("统计项", max_length=16)
    value = models.CharField("取值", max_length=40)
    count = models.BigIntegerField("件数", default=0)

    class Meta:
        verbose_name = "事项分类统计"
        verbose_name_plural = "事项分类统计"
        # (month, …) first: the dashboard reads a year of months for a set of bodies.
        constraints = [
            models.UniqueConstraint(
                fields=["month", "registering", "handling", "accused", "measure", "value"],
                name="case_tally_key",
            )
        ]
        # What the dashboard and the annual report read — every column of their grouped queries, (measure,
        # value, month) first: the counts by field come in their GROUP BY order, with no table rows read and
        # no sort, and one measure's value (the 多元解纷 card's visits) is a range (issue 14).
        indexes = [
            models.Index(
                fields=["measure", "value", "month", "registering", "handling", "accused", "count"],
                name="case_tally_measure_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.registering}/{self.handling} {self.measure}={self.value}"


class BacklogTally(models.Model):
    """Backlog cases (积案) registered on one (local) day that one body answers for — the handling body, or the
    registering body while there is none (figures.case_scope_body_expr) — and how many of them are cleared
    (已办结 / 已终结 / 已归档): 积案化解率, a stock at the end of any period, without reading the cases."""

    body = models.ForeignKey(
        "orgs.Body",
        verbose_name="责任机关",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    day = models.DateField("登记日期")
    total = models.BigIntegerField("积案件数", default=0)
    cleared = models.BigIntegerField("已化解件数", default=0)

    class Meta:
        verbose_name = "积案统计"
        verbose_name_plural = "积案统计"
        constraints = [models.UniqueConstraint(fields=["body", "day"], name="backlog_tally_key")]

    def __str__(self) -> str:
        return f"{self.body_id} {self.day}"


class ActTally(models.Model):
    """The 信访部门's acts of Art. 41 (二) recorded on one (local) day by one body: 转送, 交办, 告知 and 督办 events
    on cases (analytics.annual), so the annual report counts them without reading the event log."""

    body = models.ForeignKey(
        "orgs.Body",
        verbose_name="机关",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    day = models.DateField("日期")
    action = models.CharField("动作", max_length=60)
    count = models.BigIntegerField("件数", default=0)

    class Meta:
        verbose_name = "转送交办督办统计"
        verbose_name_plural = "转送交办督办统计"
        constraints = [models.UniqueConstraint(fields=["body", "day", "action"], name="act_tally_key")]

    def __str__(self) -> str:
        return f"{self.body_id} {self.day} {self.action}"
