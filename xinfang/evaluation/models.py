"""The petitioner's satisfaction with each answer (docs/domain.md §7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from xinfang.core.i18n import shown_choices


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", gettext_noop("满意")
    BASICALLY = "basically", gettext_noop("基本满意")
    UNSATISFIED = "unsatisfied", gettext_noop("不满意")


class Stage(models.TextChoices):
    ANSWER = "answer", gettext_noop("处理意见")
    REVIEW = "review", gettext_noop("复查意见")
    REREVIEW = "rereview", gettext_noop("复核意见")


class EvaluationChannel(models.TextChoices):
    ONLINE = "online", gettext_noop("网上评价")
    PHONE_ON_BEHALF = "phone", gettext_noop("电话回访代为评价")


class Evaluation(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name="信访事项", on_delete=models.CASCADE, related_name="evaluations"
    )
    stage = models.CharField("评价对象", max_length=10, choices=shown_choices(Stage.choices))
    result = models.CharField("评价结果", max_length=12, choices=shown_choices(Satisfaction.choices))
    channel = models.CharField("评价方式", max_length=10, choices=shown_choices(EvaluationChannel.choices))
    comment = models.TextField("意见", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代为记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("评价时间", default=timezone.now)

    class Meta:
        verbose_name = "满意度评价"
        verbose_name_plural = "满意度评价"
        constraints = [models.UniqueConstraint(fields=["case", "stage"], name="evaluation_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_stage_display()} {self.get_result_display()}"
