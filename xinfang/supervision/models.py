"""Supervision and leadership (docs/domain.md §6, 条例 Art. 38–40): 督办 on its escalation ladder, the three 建议 of
Art. 40, 领导包案 with 一案一策 and 提级包案 after a 倒流, backlog campaigns to 清零, leaders' reception days,
and 调度会 with their follow-ups.

Every state field here is written only by `xinfang/supervision/services.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from xinfang.core.i18n import shown_choices

USER = settings.AUTH_USER_MODEL


# ------------------------------------------------------------------------------------------ 督办 (Art. 40)


class SupervisionKind(models.Model):
    """One rung of the escalation ladder (系统督办 → … → 建议问责督办). Administrator-editable: the six of the seed
    report ship as data (migration 0002); a deployment may rename, reorder or switch rungs off."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    rung = models.PositiveSmallIntegerField("层级（越大越严）", unique=True)
    # 发函督办 sends a 督办单 (a document) to the body.
    produces_letter = models.BooleanField("出具督办单", default=False)
    is_active = models.BooleanField("启用", default=True)
    description = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "督办方式"
        verbose_name_plural = "督办方式（升级阶梯）"
        ordering = ["rung"]

    def __str__(self) -> str:
        return self.name

    def next_rung(self) -> SupervisionKind | None:
        return SupervisionKind.objects.filter(is_active=True, rung__gt=self.rung).order_by("rung").first()


class SupervisionReason(models.TextChoices):
    OVERDUE = "overdue", gettext_noop("超期未办结")
    SHIRKING = "shirking", gettext_noop("推诿")
    PERFUNCTORY = "perfunctory", gettext_noop("敷衍")
    DELAY = "delay", gettext_noop("拖延")
    FALSIFICATION = "falsification", gettext_noop("弄虚作假")
    REFUSED_OPINION = "refused_opinion", gettext_noop("拒不执行信访处理意见")
    IMPROPER = "improper", gettext_noop("违反规定受理、办理")
    QUALITY = "quality", gettext_noop("办理质量不合格")


class SupervisionStatus(models.TextChoices):
    OPEN = "open", gettext_noop("待回复")
    REPLIED = "replied", gettext_noop("已回复待办结")
    CLOSED = "closed", gettext_noop("已办结")
    ESCALATED = "escalated", gettext_noop("已升级")


class Supervision(models.Model):
    """One 督办: a supervising body tells a body to put right its handling of one or more cases, by a date."""

    number = models.CharField("督办编号", max_length=40, unique=True)
    kind = models.ForeignKey(SupervisionKind, verbose_name="督办方式", on_delete=models.PROTECT)
    issuing_body = models.ForeignKey(
        "orgs.Body", verbose_name="督办机关", on_delete=models.PROTECT, related_name="supervisions_issued"
    )
    body = models.ForeignKey(
        "orgs.Body", verbose_name="被督办单位", on_delete=models.PROTECT, related_name="supervisions"
    )
    cases = models.ManyToManyField("cases.Case", verbose_name="信访事项", related_name="supervisions")
    reason = models.CharField("督办事由", max_length=20, choices=shown_choices(SupervisionReason.choices))
    requirement = models.TextField("督办要求")
    issued_by = models.ForeignKey(
        USER, verbose_name="督办人", null=True, blank=True, on_delete=models.PROTECT
    )
    issued_at = models.DateTimeField("督办时间", default=timezone.now)
    issued_on = models.DateField("督办日期")
    reply_due = models.DateField("回复期限", db_index=True)
    status = models.CharField(
        "状态",
        max_length=12,
        choices=shown_choices(SupervisionStatus.choices),
        default=SupervisionStatus.OPEN,
        db_index=True,
    )
    auto = models.BooleanField("系统自动发起", default=False)
    # The red clock a 系统督办 was opened for (one per clock).
    source_clock = models.ForeignKey(
        "deadlines.Clock", verbose_name="红灯期限", null=True, blank=True, on_delete=models.SET_NULL
    )
    escalated_from = models.OneToOneField(
        "self",
        verbose_name="升级自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_to",
    )
    # The ladder's proposal once the reply is late: the supervisor escalates or dismisses it.
    proposed_kind = models.ForeignKey(
        SupervisionKind,
        verbose_name="建议升级为",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_on = models.DateField("建议升级日期", null=True, blank=True)
    proposal_dismissed = models.BooleanField("不予升级", default=False)
    letter_number = models.CharField("督办单文号", max_length=60, blank=True)
    reply_measures = models.TextField("整改措施", blank=True)
    reply_result = models.TextField("办理结果", blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        USER, verbose_name="回复人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_on_time = models.BooleanField("按期回复", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, verbose_name="办结人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closing_note = models.TextField("办结意见", blank=True)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["issuing_body", "status"], name="sup_issuing_status_idx"),
            models.Index(fields=["body", "status"], name="sup_body_status_idx"),
            # the list's order on each side, newest first (issue 14, selectors.SUPERVISION_KEYS)
            models.Index(fields=["issuing_body", "issued_at", "id"], name="sup_issuing_at_idx"),
            models.Index(fields=["body", "issued_at", "id"], name="sup_body_at_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_clock"], condition=Q(source_clock__isnull=False), name="sup_one_per_clock"
            )
        ]

    def __str__(self) -> str:
        return self.number


class RecommendationKind(models.TextChoices):
    IMPROVE = "improve", gettext_noop("改进工作的建议")
    POLICY = "policy", gettext_noop("完善政策的建议")
    ACCOUNTABILITY = "accountability", gettext_noop("追究责任的建议")


class Adoption(models.TextChoices):
    ADOPTED = "adopted", gettext_noop("采纳")
    PARTLY = "partly", gettext_noop("部分采纳")
    NOT_ADOPTED = "not_adopted", gettext_noop("未采纳")


class Recommendation(models.Model):
    """A 建议 of Art. 40; the body owes written feedback on its adoption (Art. 40 ¶4), tracked until it comes."""

    kind = models.CharField("建议类别", max_length=20, choices=shown_choices(RecommendationKind.choices))
    issuing_body = models.ForeignKey(
        "orgs.Body", verbose_name="提出机关", on_delete=models.PROTECT, related_name="recommendations_issued"
    )
    body = models.ForeignKey(
        "orgs.Body", verbose_name="建议对象", on_delete=models.PROTECT, related_name="recommendations"
    )
    supervision = models.ForeignKey(
        Supervision, verbose_name="所涉督办", null=True, blank=True, on_delete=models.PROTECT
    )
    cases = models.ManyToManyField("cases.Case", verbose_name="所涉事项", blank=True, related_name="+")
    text = models.TextField("建议内容")
    issued_by = models.ForeignKey(USER, verbose_name="提出人", null=True, on_delete=models.PROTECT)
    issued_on = models.DateField("提出日期")
    feedback_due = models.DateField("反馈期限")
    adoption = models.CharField(
        "采纳情况", max_length=20, choices=shown_choices(Adoption.choices), blank=True
    )
    feedback = models.TextField("书面反馈", blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    feedback_by = models.ForeignKey(
        USER, verbose_name="反馈人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "建议（第四十条）"
        verbose_name_plural = "建议（第四十条）"
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.body}"


# ------------------------------------------------------------------------------------------------ 包案


class LeaderCaseLevel(models.TextChoices):
    ORDINARY = "ordinary", gettext_noop("领导包案")
    RAISED = "raised", gettext_noop("提级包案")


class LeaderCaseStatus(models.TextChoices):
    ACTIVE = "active", gettext_noop("包案中")
    RESOLVED = "resolved", gettext_noop("已化解")
    UNRESOLVED = "unresolved", gettext_noop("未化解")


class LeaderCase(models.Model):
    """A leader takes charge of a case with a plan (一案一策); the four 包 are its dated steps."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="信访事项", on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(USER, verbose_name="包案领导", on_delete=models.PROTECT, related_name="+")
    leader_body = models.ForeignKey(
        "orgs.Body", verbose_name="领导所在机关", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(
        "类别",
        max_length=10,
        choices=shown_choices(LeaderCaseLevel.choices),
        default=LeaderCaseLevel.ORDINARY,
    )
    raised_from = models.ForeignKey(
        "self", verbose_name="提级自", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.TextField("一案一策化解方案")
    # 五个重新, recorded when raised (提级包案): {key: text} over FIVE_RENEWALS.
    renewals = models.JSONField("五个重新", default=dict, blank=True)
    status = models.CharField(
        "状态",
        max_length=12,
        choices=shown_choices(LeaderCaseStatus.choices),
        default=LeaderCaseStatus.ACTIVE,
        db_index=True,
    )
    outcome_note = models.TextField("化解结果", blank=True)
    opened_at = models.DateTimeField("包案时间", default=timezone.now)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    opened_by = models.ForeignKey(
        USER, verbose_name="确定人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "领导包案"
        verbose_name_plural = "领导包案"
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "leader"], condition=Q(status="active"), name="leadercase_one_active"
            )
        ]
        # 领办台账's order (issue 14, selectors.LEADER_CASE_KEYS): a region's, and one leader's own. Descending
        # where the order is (status ascending, newest first): SQLite sorts a mixed order an index lacks.
        indexes = [
            models.Index(fields=["status", "-opened_at", "-id"], name="leadercase_status_at_idx"),
            models.Index(fields=["leader", "status", "-opened_at", "-id"], name="leadercase_leader_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.leader} · {self.case_id}"


class StepKind(models.TextChoices):
    GRASP = "grasp", gettext_noop("包掌握情况")
    EDUCATE = "educate", gettext_noop("包思想教育")
    RESOLVE = "resolve", gettext_noop("包解决化解")
    SETTLE = "settle", gettext_noop("包息诉息访")


# The five 重新 of the seed report's 提级包案 (wording of local practice; change the labels here).
FIVE_RENEWALS = (
    ("rehear", gettext_noop("重新接谈")),
    ("reinvestigate", gettext_noop("重新调查")),
    ("reassess", gettext_noop("重新研判")),
    ("replan", gettext_noop("重新制定化解方案")),
    ("reassign", gettext_noop("重新落实包案责任")),
)


class LeaderCaseStep(models.Model):
    leader_case = models.ForeignKey(LeaderCase, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("环节", max_length=10, choices=shown_choices(StepKind.choices))
    planned_on = models.DateField("计划日期")
    done_on = models.DateField("完成日期", null=True, blank=True)
    note = models.TextField("情况", blank=True)

    class Meta:
        verbose_name = "包案环节"
        verbose_name_plural = "包案环节"
        ordering = ["planned_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["leader_case", "kind"], name="leadercase_step_unique")]

    def __str__(self) -> str:
        return f"{self.leader_case_id} · {self.kind}"


class LeaderCaseNote(models.Model):
    leader_case = models.ForeignKey(LeaderCase, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField("进展")
    at = models.DateTimeField("时间", default=timezone.now)
    by = models.ForeignKey(USER, verbose_name="记录人", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "包案进展"
        verbose_name_plural = "包案进展"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.leader_case_id} · {self.at:%Y-%m-%d}"


class BackflowStatus(models.TextChoices):
    FLAGGED = "flagged", gettext_noop("待提级")
    RAISED = "raised", gettext_noop("已提级包案")
    DISMISSED = "dismissed", gettext_noop("不予提级")


class Backflow(models.Model):
    """倒流: a new petition on the same matter after the earlier case was 办结."""

    case = models.OneToOneField(
        "cases.Case", verbose_name="倒流事项", on_delete=models.PROTECT, related_name="backflow"
    )
    earlier = models.ForeignKey(
        "cases.Case", verbose_name="已办结事项", on_delete=models.PROTECT, related_name="+"
    )
    found_by = models.CharField("发现方式", max_length=20)  # "repeat_link" | "similarity"
    detected_at = models.DateTimeField("发现时间", default=timezone.now)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=shown_choices(BackflowStatus.choices),
        default=BackflowStatus.FLAGGED,
        db_index=True,
    )
    leader_case = models.ForeignKey(
        LeaderCase, verbose_name="提级包案", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "倒流"
        verbose_name_plural = "倒流"
        ordering = ["-detected_at", "-pk"]
        # the list's order per status, newest first (issue 14, selectors.BACKFLOW_KEYS)
        indexes = [models.Index(fields=["status", "-detected_at", "-id"], name="backflow_status_at_idx")]

    # ---------------------------------------------------------------------------------------- 积案 campaigns

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.earlier_id}"


class Campaign(models.Model):
    """A backlog campaign (e.g. 集中治理重复信访、化解信访积案专项行动) run by a higher level."""

    name = models.CharField("专项行动名称", max_length=100)
    issuing_body = models.ForeignKey(
        "orgs.Body", verbose_name="交办机关", on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField("说明", blank=True)
    started_on = models.DateField("开始日期")
    ends_on = models.DateField("清零期限")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    cleared_at = models.DateTimeField("清零时间", null=True, blank=True)

    class Meta:
        verbose_name = "积案化解专项行动"
        verbose_name_plural = "积案化解专项行动"
        ordering = ["-started_on", "-pk"]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveSmallIntegerField("批次")
    handed_down_on = models.DateField("交办日期")
    source = models.CharField("来源", max_length=10)  # "excel" | "rule"
    rule = models.JSONField("筛选规则", default=dict, blank=True)

    class Meta:
        verbose_name = "交办批次"
        verbose_name_plural = "交办批次"
        ordering = ["campaign", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="batch_number_unique")]

    def __str__(self) -> str:
        return f"{self.campaign} 第{self.number}批"


class CampaignResult(models.TextChoices):
    RESOLVED = "resolved", gettext_noop("已化解")
    STOPPED = "stopped", gettext_noop("息诉息访")
    CONCLUDED = "concluded", gettext_noop("依法终结")


class CampaignCase(models.Model):
    """One case of a campaign: who answers for it, by when, its progress and its 化解 result; cleared (销号)
    once the higher level signs off the result."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    responsible_body = models.ForeignKey(
        "orgs.Body", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    leader_name = models.CharField("包案领导", max_length=50, blank=True)
    due_on = models.DateField("化解期限")
    result = models.CharField(
        "化解结果", max_length=12, choices=shown_choices(CampaignResult.choices), blank=True
    )
    result_text = models.TextField("化解情况", blank=True)
    evidence = models.TextField("佐证材料", blank=True)
    result_at = models.DateTimeField("报结时间", null=True, blank=True)
    signed_off_at = models.DateTimeField("审核销号时间", null=True, blank=True)
    signed_off_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "专项行动事项"
        verbose_name_plural = "专项行动事项"
        ordering = ["batch", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "case"], name="campaign_case_unique")]
        # the items' order (issue 14, selectors.CAMPAIGN_ITEM_KEYS): the issuer's, a responsible body's
        indexes = [
            models.Index(fields=["campaign", "batch", "id"], name="campaigncase_batch_idx"),
            models.Index(
                fields=["campaign", "responsible_body", "batch", "id"], name="campaigncase_body_batch_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.case_id}"


class CampaignTally(models.Model):
    """清零 progress counted per campaign × batch × responsible body — items, reported (报结), signed off (销号) —
    kept by database triggers on the items (supervision/progress.py), so a campaign page reads a few tally rows,
    not a GROUP BY over its items (issue 14: 100,000 items at 1M cases). `xinfang doctor` recounts it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="+")
    responsible_body = models.ForeignKey("orgs.Body", on_delete=models.CASCADE, related_name="+")
    total = models.IntegerField(default=0)
    reported = models.IntegerField(default=0)
    signed = models.IntegerField(default=0)

    class Meta:
        verbose_name = "专项行动进度计数"
        verbose_name_plural = "专项行动进度计数"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "batch", "responsible_body"], name="campaigntally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.batch_id} · {self.responsible_body_id}"


class CampaignProgress(models.Model):
    item = models.ForeignKey(CampaignCase, on_delete=models.CASCADE, related_name="progress")
    text = models.TextField("进展")
    at = models.DateTimeField("时间", default=timezone.now)
    by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "化解进展"
        verbose_name_plural = "化解进展"
        ordering = ["at", "pk"]

    # ----------------------------------------------------------------------------------- 领导接访日, 下访

    def __str__(self) -> str:
        return f"{self.item_id} · {self.at:%Y-%m-%d}"


class ReceptionKind(models.TextChoices):
    RECEPTION_DAY = "day", gettext_noop("领导接访日")
    VISIT_DOWN = "down", gettext_noop("领导下访")
    JOINT = "joint", gettext_noop("联合接访")


class LeaderReception(models.Model):
    leader = models.ForeignKey(USER, verbose_name="接访领导", on_delete=models.PROTECT, related_name="+")
    leader_body = models.ForeignKey("orgs.Body", verbose_name="领导所在机关", on_delete=models.PROTECT)
    kind = models.CharField("类别", max_length=6, choices=shown_choices(ReceptionKind.choices))
    date = models.DateField("日期", db_index=True)
    place = models.CharField("地点", max_length=100)
    topic = models.CharField("接访范围", max_length=200, blank=True)
    joint_bodies = models.CharField("联合接访单位", max_length=300, blank=True)
    published = models.BooleanField("已在门户公布", default=False)
    notes = models.TextField("接访情况", blank=True)

    class Meta:
        verbose_name = "领导接访"
        verbose_name_plural = "领导接访"
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class ReceptionSlot(models.Model):
    reception = models.ForeignKey(LeaderReception, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.TimeField("开始时间")
    booked_name = models.CharField("预约人", max_length=50, blank=True)
    booked_phone = models.CharField("联系电话", max_length=20, blank=True)
    booked_matter = models.CharField("反映事项", max_length=300, blank=True)
    booking_code = models.CharField("预约码", max_length=12, blank=True)
    booked_at = models.DateTimeField("预约时间", null=True, blank=True)

    class Meta:
        verbose_name = "预约时段"
        verbose_name_plural = "预约时段"
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.reception_id} {self.starts_at}"

    @property
    def phone_masked(self) -> str:
        p = self.booked_phone
        return f"{p[:3]}****{p[-4:]}" if len(p) >= 8 else ("*" * len(p))


class ReceivedCase(models.Model):
    """A case received at a leader's reception day, 下访 or 联合接访: tagged so its outcome is counted."""

    reception = models.ForeignKey(LeaderReception, on_delete=models.CASCADE, related_name="received")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reception", "case"], name="received_case_unique")]

    # ------------------------------------------------------------------------------------------------ 调度会

    def __str__(self) -> str:
        return f"{self.reception_id} · {self.case_id}"


class Meeting(models.Model):
    """调度会: a case conference where each hard case is analysed, with decisions and follow-ups."""

    body = models.ForeignKey("orgs.Body", verbose_name="召开机关", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("日期")
    title = models.CharField("会议名称", max_length=100)
    participants = models.TextField("参会人员")
    decisions = models.TextField("会议决定", blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "调度会"
        verbose_name_plural = "调度会"
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class MeetingCase(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="discussed")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    analysis = models.TextField("研判分析", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="meeting_case_unique")]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.case_id}"


class FollowUp(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="followups")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    task = models.CharField("工作任务", max_length=300)
    owner_body = models.ForeignKey(
        "orgs.Body", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        USER, verbose_name="责任人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField("完成期限")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_note = models.TextField("完成情况", blank=True)

    class Meta:
        verbose_name = "调度会落实事项"
        verbose_name_plural = "调度会落实事项"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner_body", "done_at"], name="followup_owner_idx")]

    def __str__(self) -> str:
        return self.task
