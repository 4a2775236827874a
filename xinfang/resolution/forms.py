"""Forms shape the input only; the services decide (consent, stage, outcomes)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.core.i18n import shown_choices
from xinfang.resolution.models import Consent, ConsentHow, Organisation, Side
from xinfang.resolution.rules import KIND_RULES, Outcome, ReferralKind
from xinfang.resolution.services import PartyInput


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(label=_("移送类别"), choices=shown_choices(ReferralKind.choices))
    organisation = forms.ModelChoiceField(label=_("接收组织"), queryset=Organisation.objects.none())
    summary = forms.CharField(
        label=_("纠纷概要（移送材料）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("接收组织只能看到这里填写的内容和当事人姓名，看不到信访事项本身。"),
    )
    claims = forms.CharField(label=_("当事人诉求"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class PartyForm(forms.Form):
    side = forms.ChoiceField(label=_("当事人地位"), choices=shown_choices(Side.choices))
    name = forms.CharField(label=_("姓名/名称"), max_length=100, required=False)
    consent = forms.ChoiceField(
        label=_("是否同意调解"),
        choices=[("", _("未表示")), *shown_choices(Consent.choices)],
        required=False,
    )
    consent_how = forms.ChoiceField(
        label=_("同意方式"), choices=[("", "—"), *shown_choices(ConsentHow.choices)], required=False
    )
    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def as_input(self) -> PartyInput | None:
        d = self.cleaned_data
        if not d.get("name"):
            return None
        return PartyInput(
            side=d["side"],
            name=d["name"],
            consent=d.get("consent") or "",
            consent_how=d.get("consent_how") or "",
            person_id=d.get("person_id"),
        )


PartyFormSet = forms.formset_factory(PartyForm, extra=1, max_num=10)


class SessionForm(forms.Form):
    held_on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=1440, initial=60)
    attendees = forms.IntegerField(label=_("参加人数"), min_value=1, max_value=500, initial=1)
    note = forms.CharField(label=_("记录"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("结果"))
    outcome_on = forms.DateField(
        label=_("结果日期（协议生效日）"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    text = forms.CharField(
        label=_("协议内容/结果说明"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    reference_number = forms.CharField(label=_("文书编号（案号）"), max_length=60, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = {o.value for o in KIND_RULES[kind].outcomes}
        self.fields["outcome"].choices = [c for c in shown_choices(Outcome.choices) if c[0] in allowed]
        self.fields["outcome_on"].initial = timezone.localdate()


class ConfirmationForm(forms.Form):
    applied_on = forms.DateField(
        label=_("申请司法确认日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), max_length=300)
