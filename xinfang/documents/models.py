"""Documents (文书) issued on a case, their numbering, their service (送达) and the head's sign-off (签发).

- ``Letterhead``: per body, its 机关代字 and optional seal image (an administrator enters them).
- ``NumberCounter``: the last 序号 per body, year and series — locked with ``select_for_update``.
- ``Document``: one issued document: the notice it prints (``cases.Notice``), its 文号, the frame and the
  context it is rendered from. The file itself is rendered on demand from the stored context, so a
  template fix reaches old documents' layout but never their words: the wording is frozen in ``context``.
- ``Service``: how and when the document reached the petitioner; ``received_on`` starts the 复查/复核
  window (条例 Art. 35, 36: 自收到书面答复之日起).
- ``Draft``: a decision awaiting the body head's approval (the transition table's ``sign_off`` column).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from xinfang.core.i18n import shown_choices


class Letterhead(models.Model):
    body = models.OneToOneField("orgs.Body", verbose_name="机关", on_delete=models.CASCADE, related_name="+")
    mark = models.CharField("发文机关标志", max_length=60, blank=True, help_text="留空则用机关全称")
    code = models.CharField("机关代字", max_length=20, help_text="文号中的机关代字，如“示住建信”")
    seal = models.FileField("印章图片（可选）", upload_to="seals/", blank=True)

    class Meta:
        verbose_name = "发文机关设置"
        verbose_name_plural = "发文机关设置"

    def __str__(self) -> str:
        return self.code


class NumberCounter(models.Model):
    body = models.ForeignKey("orgs.Body", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "文号计数"
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="doc_counter_body_year")]

    def __str__(self) -> str:
        return f"{self.body_id}/{self.year}: {self.last}"


class Document(models.Model):
    RECEIPT = "receipt"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents")
    notice = models.OneToOneField(
        "cases.Notice", null=True, blank=True, on_delete=models.CASCADE, related_name="document"
    )
    kind = models.CharField("文书类型", max_length=40)
    title = models.CharField("标题", max_length=100)
    number = models.CharField("文号", max_length=60, blank=True)
    issued_by = models.ForeignKey(
        "orgs.Body", verbose_name="出具机关", on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField("成文日期")
    issued_at = models.DateTimeField("出具时间", default=timezone.now)
    context = models.JSONField("文书内容", default=dict)
    to_petitioner = models.BooleanField("送达信访人", default=True)
    # 复查/复核 window this document opens for the petitioner (a ClockKind value), moved to the receipt day.
    window_kind = models.CharField(max_length=30, blank=True)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["issued_at", "id"]
        indexes = [models.Index(fields=["case", "issued_at"], name="doc_case_idx")]

    def __str__(self) -> str:
        return f"{self.number or self.kind} {self.title}"


class ServiceMethod(models.TextChoices):
    IN_PERSON = "in_person", gettext_noop("当面送达")
    POST = "post", gettext_noop("邮寄送达")
    SMS = "sms", gettext_noop("短信送达")
    PORTAL = "portal", gettext_noop("网上送达")
    PUBLIC = "public", gettext_noop("公告送达")


class Service(models.Model):
    """送达: one record per document (a second attempt replaces the method while not yet received)."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="service")
    method = models.CharField("送达方式", max_length=20, choices=shown_choices(ServiceMethod.choices))
    tracking_number = models.CharField("邮件单号", max_length=60, blank=True)
    served_on = models.DateField("送达（寄出）日期", null=True, blank=True)
    received_on = models.DateField("收到日期", null=True, blank=True)
    received_source = models.CharField(
        "收到日期来源", max_length=20, blank=True, help_text="entered：经办人录入；portal：信访人首次网上查看"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"

    def __str__(self) -> str:
        return f"{self.document_id} {self.method} {self.received_on or ''}"


class DraftStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("待负责人审批")
    RETURNED = "returned", gettext_noop("已退回修改")
    APPROVED = "approved", gettext_noop("已签发")
    WITHDRAWN = "withdrawn", gettext_noop("已撤回")


class Draft(models.Model):
    """A decision the handler drafted (答复、复查/复核意见、不予/不再受理、延期) awaiting the head's sign-off.

    ``inputs`` are the action's inputs as JSON (bodies by pk, dates as ISO strings); approval replays them
    through ``case_act`` as the head, so the decision, its clocks and its notice happen on approval only."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="drafts")
    body = models.ForeignKey("orgs.Body", verbose_name="机关", on_delete=models.PROTECT, related_name="+")
    action = models.CharField("操作", max_length=40)
    inputs = models.JSONField(default=dict)
    reason = models.TextField("理由", blank=True)
    preview = models.TextField("文书预览", blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=shown_choices(DraftStatus.choices), default=DraftStatus.PENDING
    )
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField("负责人意见", blank=True)

    class Meta:
        verbose_name = "待签发文书"
        verbose_name_plural = "待签发文书"
        ordering = ["-drafted_at", "-id"]
        indexes = [models.Index(fields=["body", "status"], name="draft_body_status_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.status}"
