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
        # The figures read a period of days across all bodies: (due_on) first.
        indexes = [models.Index(fields=["due_on", "kind"], name="clock_tally_due_idx")]

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
