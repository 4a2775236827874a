"""The portal's forms: every limit a petitioner can hit is checked here, in the petitioner's language
(Chinese, or English where chosen), before any write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.cases.attachments import MAX_ATTACHMENTS, AttachmentsField, attachment_problem  # noqa: F401
from xinfang.cases.models import PetitionType
from xinfang.cases.querycode import ALPHABET, LENGTH, normalize
from xinfang.evaluation.models import Satisfaction
from xinfang.orgs.models import Region, RegionLevel
from xinfang.people.validators import normalize_id_number, normalize_phone, validate_id_number, validate_phone
from xinfang.portal.humancheck import HONEYPOT_FIELD

REQUEST_MAX = 5000  # the registration service's own limit
FACTS_MAX = 20000
REASON_MAX = 2000
NUMBER_MAX = 60

PETITION_TYPE_HELP = {
    PetitionType.APPEAL: _(
        "为自己或他人的合法权益提出请求，希望有关机关解决具体问题（如拖欠工资、房屋漏水、补偿未到位）。"
    ),
    PetitionType.SUGGESTION: _("对政府工作、公共事务提出建议或意见，希望被研究采纳（如增设公交站点）。"),
    PetitionType.ACCUSATION: _(
        "检举、控告国家工作人员或单位的违纪违法行为。您的检举材料不会转给被检举的人员或单位（第三十条）。"
    ),
}


def _too_long_text(label, n: int) -> str:
    return gettext("%(label)s不能超过%(n)s个字，请删减后再提交（较长的材料可以作为附件上传）。") % {
        "label": label,
        "n": n,
    }


def _required_text(label) -> str:
    return gettext("请填写%(label)s。") % {"label": label}


# Lazy: the messages are built at import time and read in the language of each request.
_too_long = lazy(_too_long_text, str)
_required = lazy(_required_text, str)


def shown_choices(choices) -> list:
    """Model choices whose labels are marked with gettext_noop, translated when the form is shown."""
    return [(value, _(label)) for value, label in choices]


def attachment_check(f) -> None:
    """The one attachment policy (xinfang/cases/attachments.py), as a form error next to the field."""
    problem = attachment_problem(f)
    if problem is not None:
        raise ValidationError(problem[1])


def region_choices() -> list:
    """问题属地 as the petitioner knows it: the city, then each county with its townships."""
    regions = list(Region.objects.order_by("path").only("pk", "name", "level", "parent_id", "path"))
    choices: list = [("", gettext("请选择问题发生地"))]
    by_parent: dict[int | None, list[Region]] = {}
    for r in regions:
        by_parent.setdefault(r.parent_id, []).append(r)
    for city in (r for r in regions if r.level == RegionLevel.CITY):
        choices.append((str(city.pk), gettext("%(name)s（市级）") % {"name": city.name}))
        for county in by_parent.get(city.pk, []):
            group = [(str(county.pk), gettext("%(name)s（区县级）") % {"name": county.name})]
            group += [(str(t.pk), f"{county.name} · {t.name}") for t in by_parent.get(county.pk, [])]
            choices.append((county.name, group))
    return choices


class SubmitForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        error_messages={"required": _required(_("真实姓名")), "max_length": _too_long(_("姓名"), 50)},
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18 + 4,
        error_messages={"required": _required(_("身份证号码")), "max_length": _("身份证号码应为18位。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("用于接收编号、查询码和办理进展短信。"),
        error_messages={"required": _required(_("手机号码")), "max_length": _("电话号码过长。")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱（选填）"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("电子邮箱格式不正确。"), "max_length": _("电子邮箱过长。")},
    )
    address = forms.CharField(
        label=_("通信地址"),
        max_length=200,
        error_messages={"required": _required(_("通信地址")), "max_length": _too_long(_("通信地址"), 200)},
    )
    problem_region = forms.TypedChoiceField(
        label=_("问题发生地（问题属地）"),
        coerce=int,
        help_text=_("问题发生在哪个区县、乡镇（街道），就选哪里；您的信访将由当地信访部门登记办理。"),
        error_messages={
            "required": _("请选择问题发生地。"),
            "invalid_choice": _("请选择列表中的问题发生地。"),
        },
    )
    petition_type = forms.ChoiceField(
        label=_("信访类型"),
        choices=shown_choices(PetitionType.choices),
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择信访类型。"), "invalid_choice": _("请选择列表中的信访类型。")},
    )
    request_text = forms.CharField(
        label=_("您的诉求"),
        max_length=REQUEST_MAX,
        help_text=_("简要写明希望有关机关做什么。"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _required(_("诉求")), "max_length": _too_long(_("诉求"), REQUEST_MAX)},
    )
    facts = forms.CharField(
        label=_("事实和理由"),
        max_length=FACTS_MAX,
        help_text=_("发生了什么、何时何地、找过哪些部门、结果如何。"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _required(_("事实和理由")),
            "max_length": _too_long(_("事实和理由"), FACTS_MAX),
        },
    )
    attachments = AttachmentsField(label=_("附件（选填）"), required=False)
    human_answer = forms.CharField(
        label=_("验证题"),
        max_length=4,
        error_messages={"required": _("请回答验证题。"), "max_length": _("验证题答案不正确，请重新作答。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 4}),
    )
    human_token = forms.CharField(widget=forms.HiddenInput, max_length=400, required=False)
    # The honeypot: hidden from people by CSS and aria-hidden; scripts that fill every field fill it.
    website = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem_region"].choices = region_choices()
        assert HONEYPOT_FIELD == "website"

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_required(_("真实姓名")))
        if any(c in name for c in "<>{}[]\\/|@#$%^*=+~`") or any(ord(c) < 32 for c in name):
            raise ValidationError(gettext("姓名中含有不能使用的符号。"))
        return name

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data["id_number"])
        try:
            validate_id_number(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None
        return value

    def clean_phone(self) -> str:
        value = normalize_phone(self.cleaned_data["phone"])
        try:
            validate_phone(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None
        return value

    def clean_problem_region(self) -> Region:
        region = Region.objects.filter(pk=self.cleaned_data["problem_region"]).first()
        if region is None:
            raise ValidationError(gettext("请选择列表中的问题发生地。"))
        return region

    def clean_request_text(self) -> str:
        value = self.cleaned_data["request_text"].strip()
        if len(value) < 5:
            raise ValidationError(gettext("诉求太短，请写明希望有关机关做什么（至少5个字）。"))
        return value


def _code_chars_ok(value: str) -> bool:
    return len(value) == LENGTH and all(c in ALPHABET for c in value)


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("编号"),
        max_length=NUMBER_MAX,
        error_messages={"required": _("请填写编号。"), "max_length": _("编号或查询码不正确。")},
    )
    code = forms.CharField(
        label=_("查询码"),
        max_length=40,
        error_messages={"required": _("请填写查询码。"), "max_length": _("编号或查询码不正确。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip()

    def clean_code(self) -> str:
        # A malformed code is simply a wrong code: same answer, and it still counts as a try.
        return normalize(self.cleaned_data["code"])

    def code_well_formed(self) -> bool:
        return _code_chars_ok(self.cleaned_data.get("code", ""))


class EvaluateForm(forms.Form):
    result = forms.ChoiceField(
        label=_("您对答复的评价"),
        choices=shown_choices(Satisfaction.choices),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择满意、基本满意或不满意。"),
            "invalid_choice": _("请选择满意、基本满意或不满意。"),
        },
    )
    comment = forms.CharField(
        label=_("意见（选填）"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _too_long(_("意见"), REASON_MAX)},
    )


class AppealForm(forms.Form):
    """请求复查 / 复核: the reason is required by the table."""

    reason = forms.CharField(
        label=_("请求理由"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("请写明请求的理由。"),
            "max_length": _too_long(_("请求理由"), REASON_MAX),
        },
    )


class ContactForm(forms.Form):
    """New contact details for the petitioner of the case unlocked with its 编号 and 查询码 (nothing else
    identifies them on the portal: an ID number alone changes nothing). Fields left empty stay as they are."""

    phone = forms.CharField(
        label=_("新的手机号码"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(label=_("新的通信地址"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("新的电子邮箱"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("电子邮箱格式不正确。")},
    )

    def clean_phone(self) -> str:
        value = normalize_phone(self.cleaned_data["phone"])
        if value:
            try:
                validate_phone(value)
            except ValidationError as exc:
                raise ValidationError(exc.messages[0]) from None
        return value

    def clean(self):
        data = super().clean()
        if not any((data.get(k) or "").strip() for k in ("phone", "address", "email")):
            raise ValidationError(gettext("请至少填写一项新的联系方式。"))
        return data
