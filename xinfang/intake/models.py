"""The routing rule table (属地管理、分级负责; administrators edit it in the admin)."""

from __future__ import annotations

from django.db import models


class TargetLevel(models.TextChoices):
    COUNTY = "county", "问题属地所在县区"
    CITY = "city", "市级"
    SAME_AS_REGISTRAR = "registrar", "与登记机关同级"


class RouteRule(models.Model):
    """category (+ region, + type) → the line of work and level that handles it. The most specific active
    rule with the lowest priority number wins."""

    category = models.ForeignKey(
        "cases.Category", verbose_name="内容分类", null=True, blank=True, on_delete=models.CASCADE
    )
    region = models.ForeignKey(
        "orgs.Region", verbose_name="适用区划（含下级）", null=True, blank=True, on_delete=models.CASCADE
    )
    petition_type = models.CharField(
        "信访类型",
        max_length=20,
        blank=True,
        choices=[
            ("", "不限"),
            ("suggestion", "建议意见类"),
            ("accusation", "检举控告类"),
            ("appeal", "申诉求决类"),
        ],
    )
    target_sector = models.CharField("主管行业", max_length=40, blank=True)
    target_level = models.CharField(
        "层级", max_length=10, choices=TargetLevel.choices, default=TargetLevel.COUNTY
    )
    target_body = models.ForeignKey(
        "orgs.Body",
        verbose_name="指定机关",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="指定后优先于行业和层级",
    )
    priority = models.PositiveSmallIntegerField("优先级（小者优先）", default=100)
    note = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "转送规则"
        verbose_name_plural = "转送规则"
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.note or f"{self.category or '任意分类'} → {self.target_body or self.target_sector}"
