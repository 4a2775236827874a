"""The hall's forms: they shape input for the services, which hold every rule (the forms repeat none)."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Category, PetitionType
from xinfang.core.i18n import shown_choices
from xinfang.orgs.models import Body, BodyKind, Region
from xinfang.reception.models import (
    ConsultationKind,
    DutyKind,
    DutyShift,
    HearingBasis,
    ParticipantRole,
    Retention,
    Service,
    VisitOutcome,
)
from xinfang.reception.services import ParticipantInput

LOCAL_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CheckinForm(forms.Form):
    service = forms.ModelChoiceField(label=_("窗口"), queryset=Service.objects.none(), empty_label=None)
    party_size = forms.IntegerField(label=_("来访人数"), min_value=1, max_value=500, initial=1)

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["service"].queryset = services


class TransferForm(forms.Form):
    to_service = forms.ModelChoiceField(label=_("分流至"), queryset=Service.objects.none(), empty_label=None)
    agency = forms.ModelChoiceField(
        label=_("到场接访机关（部门窗口）"),
        queryset=Body.objects.none(),
        required=False,
        empty_label=_("——默认——"),
    )

    def __init__(self, *args, services=None, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_service"].queryset = services if services is not None else Service.objects.none()
        self.fields["agency"].queryset = agencies if agencies is not None else Body.objects.none()


class OpenDayForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("当日接访机关"), queryset=Body.objects.none(), required=False)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies


def agencies_near(body: Body):
    """The 有权处理机关 that may sit at this hall's windows: the bodies of its region (not the bureau itself)."""
    return (
        Body.objects.filter(region=body.region, is_active=True)
        .exclude(kind=BodyKind.XINFANG)
        .order_by("code")
    )


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    is_representative = forms.BooleanField(label=_("代表"), required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any((data.get(k) or "").strip() for k in ("name", "id_number", "phone", "address"))


# More rows than Art. 20 allows on purpose: the visit service refuses a sixth representative with the law's
# own words, which a formset's generic "too many forms" would not say.
PersonFormSet = formset_factory(PersonForm, extra=1, max_num=20, validate_max=True)


class VisitForm(forms.Form):
    is_group = forms.BooleanField(label=_("多人走访（推选代表）"), required=False)
    people_count = forms.IntegerField(label=_("来访人数"), min_value=1, max_value=10000, initial=1)
    statement = forms.CharField(label=_("反映内容"), widget=forms.Textarea(attrs={"rows": 4}))
    reply = forms.CharField(
        label=_("答复及处理情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    outcome = forms.ChoiceField(label=_("接待结果"), choices=shown_choices(VisitOutcome.choices))
    consultation_kind = forms.ChoiceField(
        label=_("咨询类别"), choices=[("", "——"), *shown_choices(ConsultationKind.choices)], required=False
    )
    case_number = forms.CharField(label=_("已有事项编号"), max_length=60, required=False)
    petition_type = forms.ChoiceField(
        label=_("信访类型"), choices=[("", "——"), *shown_choices(PetitionType.choices)], required=False
    )
    problem_region = forms.ModelChoiceField(
        label=_("问题属地"), queryset=Region.objects.none(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("内容分类"), queryset=Category.objects.filter(is_active=True), required=False
    )
    leader_shift = forms.ModelChoiceField(
        label=_("参与领导"), queryset=DutyShift.objects.none(), required=False
    )
    lawyer_shift = forms.ModelChoiceField(
        label=_("参与律师"), queryset=DutyShift.objects.none(), required=False
    )
    recording_ref = forms.CharField(label=_("录音录像编号"), max_length=80, required=False)
    recording_device = forms.CharField(label=_("录制设备"), max_length=80, required=False)
    recording_start = forms.DateTimeField(label=_("录制开始"), required=False, widget=LOCAL_DT)
    recording_end = forms.DateTimeField(label=_("录制结束"), required=False, widget=LOCAL_DT)
    recording_file = forms.FileField(label=_("录音录像文件"), required=False)

    def __init__(self, *args, shifts=None, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if shifts is not None:
            self.fields["leader_shift"].queryset = shifts.filter(kind=DutyKind.LEADER)
            self.fields["lawyer_shift"].queryset = shifts.exclude(kind=DutyKind.LEADER)
        if regions is not None:
            self.fields["problem_region"].queryset = regions


class ShiftForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类别"), choices=shown_choices(DutyKind.choices))
    name = forms.CharField(label=_("姓名"), max_length=50)
    affiliation = forms.CharField(label=_("单位/律所"), max_length=100, required=False)
    service = forms.ModelChoiceField(label=_("值班地点"), queryset=Service.objects.none(), required=False)

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["service"].queryset = services


class HearingForm(forms.Form):
    basis = forms.ChoiceField(label=_("听证依据"), choices=shown_choices(HearingBasis.choices))
    scheduled_at = forms.DateTimeField(label=_("听证时间"), widget=LOCAL_DT)
    place = forms.CharField(label=_("地点"), max_length=100)
    reason = forms.CharField(label=_("听证事由"), required=False, max_length=300)
    participants = forms.CharField(
        label=_("参加人（每行：身份|姓名|单位）"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("身份：听证员、律师、信访人或代表、有关机关、其他"),  # or the codes hearing_officer …
    )

    def clean_participants(self):

        # The Chinese label or the role's code (hearing_officer, lawyer, …): either names the role.
        by_label = {label: value for value, label in ParticipantRole.choices} | {
            v: v for v in ParticipantRole.values
        }
        out = []
        for line in self.cleaned_data["participants"].splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts or not parts[0]:
                continue
            if parts[0] not in by_label or len(parts) < 2 or not parts[1]:
                raise forms.ValidationError(_("无法识别的参加人：%(line)s") % {"line": line})
            out.append(ParticipantInput(by_label[parts[0]], parts[1], parts[2] if len(parts) > 2 else ""))
        return out


class ConcludeForm(forms.Form):
    minutes = forms.CharField(label=_("听证笔录"), widget=forms.Textarea(attrs={"rows": 5}))
    conclusion = forms.CharField(label=_("听证结论"), widget=forms.Textarea(attrs={"rows": 3}))


class PublishForm(forms.Form):
    summary = forms.CharField(label=_("公示内容（不得含个人信息）"), widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消理由"), max_length=300)


class ArchiveForm(forms.Form):
    retention = forms.ChoiceField(
        label=_("保管期限"), choices=shown_choices(Retention.choices), initial=Retention.SHORT
    )
    location = forms.CharField(label=_("存放位置"), max_length=100, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ArchiveSearchForm(forms.Form):
    q = forms.CharField(label=_("档号 / 编号 / 关键词"), required=False)
    retention = forms.ChoiceField(
        label=_("保管期限"), required=False, choices=[("", _("全部")), *shown_choices(Retention.choices)]
    )
