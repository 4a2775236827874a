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


# —— 三跨三分离 (the seed's 《"三跨三分离"信访事项责任划分办法》): who leads and who assists ——


class Situation(models.TextChoices):
    PERSON_MATTER = "person_matter", "人事分离"  # the matter arose away from where the person lives
    PERSON_HOUSEHOLD = "person_household", "人户分离"  # the person lives away from their 户籍
    ALL_APART = "all_apart", "人事户分离"  # matter, residence and 户籍: three places


class Place(models.TextChoices):
    MATTER = "matter", "问题发生地"
    RESIDENCE = "residence", "经常居住地"
    HOUSEHOLD = "household", "户籍地"


class ResponsibilityRule(models.Model):
    """One row of the responsibility table: in this situation (and, optionally, this category), the body of
    this place leads and those of these places assist. Administrators edit it; the most specific active rule
    with the lowest priority number applies, and is named beside what it proposes."""

    situation = models.CharField("情形", max_length=20, choices=Situation.choices)
    category = models.ForeignKey(
        "cases.Category", verbose_name="内容分类（空为不限）", null=True, blank=True, on_delete=models.CASCADE
    )
    lead_place = models.CharField("牵头地", max_length=10, choices=Place.choices)
    assist_places = models.JSONField("协办地", default=list, blank=True, help_text='如 ["residence"]')
    sector = models.CharField(
        "牵头/协办的行业", max_length=40, blank=True, help_text="空：按内容分类的主管行业，无则为当地人民政府"
    )
    level = models.CharField("层级", max_length=10, choices=TargetLevel.choices, default=TargetLevel.COUNTY)
    basis = models.CharField("依据", max_length=200)
    priority = models.PositiveSmallIntegerField("优先级（小者优先）", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "三跨三分离责任规则"
        verbose_name_plural = "三跨三分离责任规则"
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.get_situation_display()}：{self.get_lead_place_display()}牵头"


class AssistTask(models.Model):
    """A 协办 task: a body asked to assist with a case another body leads, tracked until it reports back."""

    class TaskState(models.TextChoices):
        OPEN = "open", "待协办"
        DONE = "done", "已完成"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assist_tasks")
    body = models.ForeignKey("orgs.Body", verbose_name="协办机关", on_delete=models.PROTECT, related_name="+")
    lead_body = models.ForeignKey(
        "orgs.Body", verbose_name="牵头机关", on_delete=models.PROTECT, related_name="+"
    )
    rule = models.ForeignKey(
        ResponsibilityRule, verbose_name="依据规则", null=True, blank=True, on_delete=models.SET_NULL
    )
    request = models.CharField("协办事项", max_length=500, blank=True)
    state = models.CharField("状态", max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    result = models.TextField("协办结果", blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "协办任务"
        verbose_name_plural = "协办任务"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["body", "state"], name="assist_body_state_idx")]
        constraints = [models.UniqueConstraint(fields=["case", "body"], name="assist_case_body_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.body_id}"
