"""The one-stop centre: the directory of receiving organisations, referrals, their parties' consent,
sessions, outcomes and the written notices the petitioner receives. ADR 0011 says why an organisation is a
model of its own and how its staff log in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from xinfang.core.i18n import shown_choices
from xinfang.core.models import TimeStampedModel
from xinfang.resolution.rules import OrganisationKind, Outcome, ReferralKind


class Organisation(models.Model):
    """A receiving organisation (人民调解委员会, 仲裁委员会, 法院, 法律援助, 心理咨询) serving an area.

    ``body`` is the account its staff act for when they log in (a body of its own, never a body that handles
    cases); without one the organisation is listed but its outcomes are recorded by the referring body."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=30, choices=shown_choices(OrganisationKind.choices))
    region = models.ForeignKey(
        "orgs.Region", verbose_name="服务区域", on_delete=models.PROTECT, related_name="dispute_organisations"
    )
    body = models.OneToOneField(
        "orgs.Body",
        verbose_name="系统账号所属机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispute_organisation",
    )
    room = models.CharField("地点/功能室", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "解纷组织"
        verbose_name_plural = "解纷组织"
        ordering = ["region__code", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="res_org_region_name")]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    REFERRED = "referred", gettext_noop("已移送")
    IN_PROGRESS = "in_progress", gettext_noop("办理中")
    CLOSED = "closed", gettext_noop("已办结")
    WITHDRAWN = "withdrawn", gettext_noop("已撤回")


OPEN_STATUSES = (Status.REFERRED, Status.IN_PROGRESS)


class CaseEffect(models.TextChoices):
    NONE = "", gettext_noop("无")
    DIVERTED = "diverted", gettext_noop("已导入法定程序")
    TOLD = "told", gettext_noop("已告知向有关机构提出")
    CLOSED_WITH_AGREEMENT = "closed_with_agreement", gettext_noop("以调解/和解协议办结")
    RETURNED = "returned", gettext_noop("调解不成，退回继续办理")
    PENDING = "pending", gettext_noop("待移送机关处理")


class Referral(TimeStampedModel):
    number = models.CharField("移送编号", max_length=30, unique=True)
    kind = models.CharField("移送类别", max_length=30, choices=shown_choices(ReferralKind.choices))
    organisation = models.ForeignKey(
        Organisation, verbose_name="接收组织", on_delete=models.PROTECT, related_name="referrals"
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="信访事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    # A hall visit (xinfang.reception) by id: the hall calls referral_create; this app never imports it.
    visit_id = models.PositiveBigIntegerField("接待记录", null=True, blank=True, db_index=True)
    referring_body = models.ForeignKey(
        "orgs.Body", verbose_name="移送机关", on_delete=models.PROTECT, related_name="dispute_referrals"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    referred_on = models.DateField("移送日期", db_index=True)
    # The only material the organisation sees: what the officer chose to send, not the case file.
    summary = models.TextField("纠纷概要（移送材料）")
    claims = models.TextField("当事人诉求", blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=shown_choices(Status.choices), default=Status.REFERRED
    )
    accepted_on = models.DateField("接收日期", null=True, blank=True)
    outcome = models.CharField("结果", max_length=30, choices=shown_choices(Outcome.choices), blank=True)
    outcome_on = models.DateField("结果日期", null=True, blank=True, db_index=True)
    outcome_text = models.TextField("协议内容/结果说明", blank=True)
    reference_number = models.CharField(
        "文书编号（裁决书、判决书、裁定书、调解书）", max_length=60, blank=True
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 人民调解法 Art. 33: the 30 days to apply jointly for 司法确认, from the day the agreement takes effect.
    confirmation_due_on = models.DateField("司法确认申请截止日", null=True, blank=True, db_index=True)
    confirmation_counted = models.JSONField("期限计算说明", default=list, blank=True)
    confirmation_applied_on = models.DateField("申请司法确认日期", null=True, blank=True)
    confirmation_reminded_on = models.DateField("已提醒日期", null=True, blank=True)
    case_effect = models.CharField(
        "对信访事项的影响", max_length=30, choices=shown_choices(CaseEffect.choices), blank=True
    )
    case_effect_note = models.CharField("说明", max_length=300, blank=True)
    # The case clocks this referral paused (local practice, XINFANG_REFERRAL_PAUSES_CLOCKS): resumed on return.
    paused_clocks = models.JSONField("暂停的期限", default=list, blank=True)

    class Meta:
        verbose_name = "解纷移送"
        verbose_name_plural = "解纷移送"
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="res_ref_org_status"),
            models.Index(fields=["referring_body", "referred_on"], name="res_ref_body_on"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Side(models.TextChoices):
    APPLICANT = "applicant", gettext_noop("申请人")
    RESPONDENT = "respondent", gettext_noop("被申请人")


class Consent(models.TextChoices):
    AGREED = "agreed", gettext_noop("同意")
    REFUSED = "refused", gettext_noop("拒绝")


class ConsentHow(models.TextChoices):
    SIGNED = "signed", gettext_noop("书面签字")
    ORAL = "oral", gettext_noop("口头同意（已记录）")
    PHONE = "phone", gettext_noop("电话确认（已记录）")


class Party(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField("当事人地位", max_length=20, choices=shown_choices(Side.choices))
    name = models.CharField("姓名/名称", max_length=100)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent = models.CharField(
        "是否同意调解", max_length=10, choices=shown_choices(Consent.choices), blank=True
    )
    consent_how = models.CharField(
        "同意方式", max_length=10, choices=shown_choices(ConsentHow.choices), blank=True
    )
    consent_on = models.DateField("表示日期", null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """One sitting: a mediation session, an arbitral or court hearing, a counselling or consultation session."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("日期", db_index=True)
    minutes = models.PositiveSmallIntegerField("时长（分钟）", default=60)
    attendees = models.PositiveSmallIntegerField("参加人数", default=1)
    note = models.TextField("记录", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "工作记录"
        verbose_name_plural = "工作记录"
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.held_on}"


class NoticeKind(models.TextChoices):
    REFERRED = "referred", gettext_noop("移送告知书")
    FAILED = "failed", gettext_noop("调解终止告知书")
    AGREEMENT = "agreement", gettext_noop("调解结果告知书")


class ReferralNotice(models.Model):
    """What the petitioner is told in writing, rendered once and never changed."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("文书类型", max_length=20, choices=shown_choices(NoticeKind.choices))
    title = models.CharField("标题", max_length=100)
    text = models.TextField("正文")
    legal_basis = models.CharField("法律依据", max_length=200)
    issued_by = models.ForeignKey("orgs.Body", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "告知书"
        verbose_name_plural = "告知书"
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return self.title
