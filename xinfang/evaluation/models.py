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


# ----------------------------------------------------------------------------------- 质效评价 (quality review)
# docs/quality.md. Every state field below is written only by xinfang/evaluation/services*.py.

USER = settings.AUTH_USER_MODEL


class CriterionGroup(models.TextChoices):
    """The four parts of 三到位一处理 (条例 Art. 27), plus a deployment's own."""

    SOLVE = "solve", gettext_noop("解决问题到位")
    EDUCATE = "educate", gettext_noop("思想教育到位")
    ASSIST = "assist", gettext_noop("帮扶救助到位")
    LAWFUL = "lawful", gettext_noop("依法处理")
    CUSTOM = "custom", gettext_noop("自定义标准")


class CriteriaSet(models.Model):
    """One version of a set of review criteria. Versions never change once saved: an edit of wording or
    weights makes the next version (`criteria_set_revise`), so a review keeps pointing at what it used."""

    key = models.SlugField("标准集代码", max_length=40)
    name = models.CharField("名称", max_length=100)
    version = models.PositiveIntegerField("版本")
    based_on = models.ForeignKey(
        "self", verbose_name="修订自", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    change_note = models.CharField("修订说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name="修订人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("修订时间", default=timezone.now)

    class Meta:
        verbose_name = "评价标准集（版本）"
        verbose_name_plural = "评价标准集（版本）"
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="criteriaset_key_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Criterion(models.Model):
    """One criterion of one version. `code` stays the same across versions (solve-1 …), so reviews of
    different versions can be compared criterion by criterion."""

    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name="标准集", on_delete=models.PROTECT, related_name="criteria"
    )
    group = models.CharField("类别", max_length=10, choices=shown_choices(CriterionGroup.choices))
    code = models.SlugField("代码", max_length=30)
    ordinal = models.PositiveSmallIntegerField("序号")
    text = models.TextField("标准内容")
    weight = models.DecimalField("权重", max_digits=6, decimal_places=2, default=1)
    is_custom = models.BooleanField("本地增设", default=False)

    class Meta:
        verbose_name = "评价标准"
        verbose_name_plural = "评价标准"
        ordering = ["criteria_set", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="criterion_code_per_set"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:30]}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("待抽取")
    DRAWN = "drawn", gettext_noop("评价中")
    CLOSED = "closed", gettext_noop("已结束")


class ReviewPlan(models.Model):
    """What a committee reviews for one period and one body (with the bodies under it, if asked): a seeded
    random share plus every case a rule names (不满意, came back, flagged), or all cases."""

    name = models.CharField("计划名称", max_length=100)
    owner_body = models.ForeignKey(
        "orgs.Body", verbose_name="评价机关", on_delete=models.PROTECT, related_name="review_plans_owned"
    )
    body = models.ForeignKey(
        "orgs.Body", verbose_name="被评价单位", on_delete=models.PROTECT, related_name="review_plans"
    )
    include_subordinates = models.BooleanField("含下级单位", default=True)
    period_start = models.DateField("期间起")
    period_end = models.DateField("期间止")
    all_cases = models.BooleanField("全部评价", default=False)
    sample_percent = models.DecimalField("随机抽取比例（%）", max_digits=5, decimal_places=2, default=10)
    include_unsatisfied = models.BooleanField("含全部不满意事项", default=True)
    include_returned = models.BooleanField("含全部办结后复查/复核或再次信访的事项", default=True)
    include_flagged = models.BooleanField("含督查员标记的事项", default=True)
    seed = models.BigIntegerField("随机种子")
    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name="评价标准集", on_delete=models.PROTECT, related_name="plans"
    )
    status = models.CharField(
        "状态", max_length=10, choices=shown_choices(PlanStatus.choices), default=PlanStatus.DRAFT
    )
    created_by = models.ForeignKey(USER, verbose_name="制定人", null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("制定时间", default=timezone.now)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    population = models.PositiveIntegerField("应评事项数", default=0)

    class Meta:
        verbose_name = "评价计划"
        verbose_name_plural = "评价计划"
        ordering = ["-period_start", "-pk"]

    def __str__(self) -> str:
        return self.name


class SampleRule(models.TextChoices):
    ALL = "all", gettext_noop("全部评价")
    RANDOM = "random", gettext_noop("随机抽取")
    UNSATISFIED = "unsatisfied", gettext_noop("信访人不满意")
    RETURNED = "returned", gettext_noop("办结后复查/复核或再次信访")
    FLAGGED = "flagged", gettext_noop("督查员标记")


class ReviewFlag(models.Model):
    """A 督查员 asks the committee to review a case; the next plan that covers it takes it in."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="信访事项", on_delete=models.CASCADE, related_name="+"
    )
    body = models.ForeignKey("orgs.Body", verbose_name="标记机关", on_delete=models.PROTECT, related_name="+")
    flagged_by = models.ForeignKey(USER, verbose_name="标记人", null=True, on_delete=models.PROTECT)
    reason = models.CharField("标记理由", max_length=300)
    created_at = models.DateTimeField("标记时间", default=timezone.now)
    plan = models.ForeignKey(
        ReviewPlan,
        verbose_name="纳入计划",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flags",
    )

    class Meta:
        verbose_name = "评价标记"
        verbose_name_plural = "评价标记"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.reason[:20]}"


class ItemStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("待评价")
    REVIEWED = "reviewed", gettext_noop("已评价")


class SampleItem(models.Model):
    """One case in a plan's sample, with every rule that put it there (recorded at the draw)."""

    plan = models.ForeignKey(
        ReviewPlan, verbose_name="评价计划", on_delete=models.CASCADE, related_name="items"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="信访事项", on_delete=models.PROTECT, related_name="+"
    )
    # The body whose handling is reviewed (the case's handling body at the draw).
    body = models.ForeignKey("orgs.Body", verbose_name="办理单位", on_delete=models.PROTECT, related_name="+")
    rules = models.JSONField("抽取依据", default=list)
    status = models.CharField(
        "状态", max_length=10, choices=shown_choices(ItemStatus.choices), default=ItemStatus.PENDING
    )

    class Meta:
        verbose_name = "抽取事项"
        verbose_name_plural = "抽取事项"
        ordering = ["plan", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "case"], name="sampleitem_once_per_plan")]
        # the sample list's order within a plan (issue 14): (plan, id), a status filter (plan, status, id)
        indexes = [
            models.Index(fields=["plan", "status", "id"], name="sampleitem_plan_status_id_idx"),
            models.Index(fields=["plan", "id"], name="sampleitem_plan_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.case_id}"


class ReviewResult(models.TextChoices):
    PASS = "pass", gettext_noop("合格")
    BASIC = "basic", gettext_noop("基本合格")
    FAIL = "fail", gettext_noop("不合格")


class Review(models.Model):
    """The committee's substantive (实体性) review of one sampled case, with the procedural (程序性) checks as
    they were computed when it was given."""

    item = models.OneToOneField(
        SampleItem, verbose_name="抽取事项", on_delete=models.PROTECT, related_name="review"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="信访事项", on_delete=models.PROTECT, related_name="+"
    )
    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name="所用标准集版本", on_delete=models.PROTECT, related_name="reviews"
    )
    reviewer = models.ForeignKey(USER, verbose_name="评价委员", on_delete=models.PROTECT, related_name="+")
    reviewer_body = models.ForeignKey(
        "orgs.Body", verbose_name="评价机关", on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField("评价结论", max_length=10, choices=shown_choices(ReviewResult.choices))
    score = models.DecimalField("加权得分", max_digits=5, decimal_places=1, null=True, blank=True)
    summary = models.TextField("评价意见")
    procedural = models.JSONField("程序性评价（评价时计算）", default=list)
    reviewed_at = models.DateTimeField("评价时间", default=timezone.now)

    class Meta:
        verbose_name = "质效评价"
        verbose_name_plural = "质效评价"
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_result_display()}"


class ScoreLevel(models.TextChoices):
    MET = "met", gettext_noop("到位")
    PARTLY = "partly", gettext_noop("基本到位")
    NOT_MET = "not_met", gettext_noop("不到位")
    NOT_APPLICABLE = "na", gettext_noop("不适用")


class CriterionScore(models.Model):
    """One criterion's score in one review, with the reviewer's note and evidence: a list of
    {"kind": "event"|"notice"|"attachment"|"document", "id": n} naming the case's own records."""

    review = models.ForeignKey(
        Review, verbose_name="质效评价", on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name="评价标准", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField("评分", max_length=10, choices=shown_choices(ScoreLevel.choices))
    note = models.TextField("说明", blank=True)
    evidence = models.JSONField("佐证", default=list, blank=True)

    class Meta:
        verbose_name = "标准评分"
        verbose_name_plural = "标准评分"
        ordering = ["review", "criterion__ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="criterionscore_once"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.criterion_id} {self.level}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", gettext_noop("待整改")
    SUBMITTED = "submitted", gettext_noop("已报送待验收")
    DONE = "done", gettext_noop("整改完成")


class Rectification(models.Model):
    """整改: a failed review goes back to the body that handled the case, with a deadline, until the
    committee accepts what the body did (条例 Art. 39 ¶3 责令限期整改)."""

    review = models.OneToOneField(
        Review, verbose_name="质效评价", on_delete=models.PROTECT, related_name="rectification"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="信访事项", on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        "orgs.Body", verbose_name="整改单位", on_delete=models.PROTECT, related_name="rectifications"
    )
    issuing_body = models.ForeignKey(
        "orgs.Body", verbose_name="评价机关", on_delete=models.PROTECT, related_name="rectifications_issued"
    )
    requirement = models.TextField("整改要求")
    issued_by = models.ForeignKey(
        USER, verbose_name="交办人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField("交办日期")
    due_on = models.DateField("整改期限", db_index=True)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=shown_choices(RectificationStatus.choices),
        default=RectificationStatus.OPEN,
        db_index=True,
    )
    report = models.TextField("整改情况", blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, verbose_name="报送人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_on_time = models.BooleanField("按期报送", null=True, blank=True)
    send_backs = models.PositiveSmallIntegerField("退回次数", default=0)
    done_at = models.DateTimeField("验收时间", null=True, blank=True)
    done_by = models.ForeignKey(
        USER, verbose_name="验收人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervision = models.ForeignKey(
        "supervision.Supervision",
        verbose_name="督办",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "整改"
        verbose_name_plural = "整改"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["body", "status"], name="rectification_body_status_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"


class RectificationStepKind(models.TextChoices):
    SUBMIT = "submit", gettext_noop("报送整改情况")
    ACCEPT = "accept", gettext_noop("验收通过")
    SEND_BACK = "send_back", gettext_noop("退回重新整改")


class RectificationStep(models.Model):
    """The history of one 整改: each report and each answer to it, kept in order."""

    rectification = models.ForeignKey(
        Rectification, verbose_name="整改", on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField("环节", max_length=10, choices=shown_choices(RectificationStepKind.choices))
    text = models.TextField("内容")
    by = models.ForeignKey(USER, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey("orgs.Body", verbose_name="操作机关", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "整改环节"
        verbose_name_plural = "整改环节"
        ordering = ["rectification", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.kind}"


# ------------------------------------------------------------------------------------------- 回访 (return visit)


class ReturnVisitKind(models.TextChoices):
    PHONE = "phone", gettext_noop("电话回访")
    VISIT = "visit", gettext_noop("上门回访")


class ReturnVisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", gettext_noop("待回访")
    DONE = "done", gettext_noop("已回访")
    UNREACHABLE = "unreachable", gettext_noop("未能联系")
    CANCELLED = "cancelled", gettext_noop("已取消")


class ReturnVisit(models.Model):
    """回访 after an answer (docs/domain.md §7): scheduled, done, its outcome noted; a satisfaction rating given
    by phone is the answer's `Evaluation` with channel PHONE_ON_BEHALF, linked here (services: q19b)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="信访事项", on_delete=models.CASCADE, related_name="return_visits"
    )
    stage = models.CharField("回访对象", max_length=10, choices=shown_choices(Stage.choices))
    body = models.ForeignKey("orgs.Body", verbose_name="回访单位", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("回访方式", max_length=10, choices=shown_choices(ReturnVisitKind.choices))
    scheduled_on = models.DateField("计划回访日期", db_index=True)
    scheduled_by = models.ForeignKey(
        USER, verbose_name="安排人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态",
        max_length=12,
        choices=shown_choices(ReturnVisitStatus.choices),
        default=ReturnVisitStatus.SCHEDULED,
        db_index=True,
    )
    done_at = models.DateTimeField("回访时间", null=True, blank=True)
    outcome = models.TextField("回访情况", blank=True)
    evaluation = models.OneToOneField(
        Evaluation,
        verbose_name="代为评价",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="return_visit",
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name="回访人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("安排时间", default=timezone.now)

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["scheduled_on", "pk"]
        # The 回访 list's views read these in order (issue 14, ADR 0018): due/upcoming by day, done by time.
        indexes = [
            # the id too: PostgreSQL's indexes do not end in it (SQLite's rowid does), and without it the
            # (day, id) order was a sort of the body's whole list at 100k
            models.Index(fields=["body", "status", "scheduled_on", "id"], name="returnvisit_body_day_idx"),
            models.Index(fields=["body", "-done_at", "-id"], name="returnvisit_body_done_idx"),
        ]
        # One 回访 per answer: the issuing hook and the daily job may both try (services.return_visit_schedule).
        constraints = [models.UniqueConstraint(fields=["case", "stage"], name="return_visit_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.scheduled_on}"
