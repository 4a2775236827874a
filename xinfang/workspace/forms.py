"""Forms of the staff workspace. They only shape input; the services decide what is valid in law."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.forms.utils import flatatt
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.cases.attachments import AttachmentsField
from xinfang.cases.models import Category, Channel, Outcome, PetitionType, Route, State
from xinfang.cases.services.actions import TARGET_KINDS
from xinfang.cases.services.register import MAX_REPRESENTATIVES
from xinfang.cases.workflow import OPEN_STATES, Transition
from xinfang.core.periods import period
from xinfang.evaluation.models import Satisfaction
from xinfang.orgs.models import Body, BodyKind, Region, RegionLevel
from xinfang.people.services import person_validate


def shown_choices(choices) -> list:
    """Model choices whose labels are marked with gettext_noop, translated when the form is shown."""
    return [(value, _(label)) for value, label in choices]


# Channels a registrar types in by hand (online petitions arrive through the portal, 交办 through the API).
INTAKE_CHANNELS = [(c.value, _(c.label)) for c in (Channel.LETTER, Channel.VISIT, Channel.PHONE, Channel.FAX)]
FLAG_FIELDS = {
    "law_related": _("涉法涉诉"),
    "skipped_levels": _("越级"),
    "is_group": _("集体访"),
    "is_backlog": _("积案"),
    "leader_in_charge": _("领导包案"),
    "reached_higher": _("进京/赴省"),
}


class FastSelect(forms.Select):
    """A <select> built in Python: Django renders each <option> through a template, which made the option
    lists (80 regions, the categories) the largest cost of the queue page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for o in options:
                parts.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        o["value"],
                        mark_safe(" selected") if o["selected"] else "",
                        o["label"],
                    )
                )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))


def region_choices(root: Region | None = None) -> list:
    """Regions grouped by county (optgroups), the city itself first."""
    regions = list(Region.objects.order_by("path").only("pk", "name", "level", "path", "parent_id"))
    if root is not None:
        regions = [r for r in regions if r.path.startswith(root.path) or root.path.startswith(r.path)]
    top = [(r.pk, r.name) for r in regions if r.level in (RegionLevel.PROVINCE, RegionLevel.CITY)]
    groups: list = [("", gettext("——请选择——"))]
    if top:
        groups.append((gettext("市级"), top))
    for county in (r for r in regions if r.level == RegionLevel.COUNTY):
        towns = [(r.pk, f"{county.name}·{r.name}") for r in regions if r.parent_id == county.pk]
        whole = gettext("%(name)s（全区县）") % {"name": county.name}
        groups.append((county.name, [(county.pk, whole), *towns]))
    return groups


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("来源渠道"), choices=INTAKE_CHANNELS, initial=Channel.LETTER)
    petition_type = forms.ChoiceField(
        label=_("信访类型"), choices=[("", _("——请选择——")), *shown_choices(PetitionType.choices)]
    )
    category = forms.ModelChoiceField(
        label=_("内容分类"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("——未分类——"),
    )
    problem_region = forms.TypedChoiceField(label=_("问题属地"), coerce=int, choices=())
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    request = forms.CharField(label=_("信访诉求"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    facts = forms.CharField(label=_("事实和理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    subject_text = forms.CharField(label=_("被反映对象"), max_length=200, required=False)
    subject_body = forms.ModelChoiceField(
        label=_("被反映单位（可选）"), queryset=Body.objects.none(), required=False, empty_label=_("——无——")
    )
    anonymous = forms.BooleanField(label=_("匿名（仅检举控告类）"), required=False)
    people_count = forms.IntegerField(label=_("涉及人数"), min_value=1, initial=1)
    # Several files in one input; the view reads request.FILES.getlist (the service checks size and type).
    attachments = AttachmentsField(label=_("附件"), required=False)  # the one policy (cases/attachments.py)
    # When the letter arrived / the visit happened (the clocks count from it; today if left empty).
    arrived_on = forms.DateField(
        label=_("收到日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # 三跨三分离: where the petitioner lives and where their 户籍 is, when not where the matter arose.
    residence_region = forms.TypedChoiceField(
        label=_("经常居住地"), coerce=int, required=False, empty_value=None
    )
    household_region = forms.TypedChoiceField(label=_("户籍地"), coerce=int, required=False, empty_value=None)
    # The registrar's choice beside an earlier case of the same matter ("link:12", "new:12", …).
    repeat_decision = forms.CharField(required=False, widget=forms.HiddenInput)
    repeat_reason = forms.CharField(label=_("理由"), required=False, max_length=500)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem_region"].choices = region_choices()
        self.fields["problem_region"].widget = FastSelect(choices=self.fields["problem_region"].choices)
        for name in ("residence_region", "household_region"):
            self.fields[name].choices = self.fields["problem_region"].choices
            self.fields[name].widget = FastSelect(choices=self.fields["problem_region"].choices)
        if actor is not None and actor.body is not None:
            # Default the 问题属地 to the registrar's own region.
            self.fields["problem_region"].initial = actor.body.region_id
        self.fields["subject_body"].queryset = Body.objects.filter(is_active=True).order_by("path")
        for name, label in FLAG_FIELDS.items():
            self.fields[name] = forms.BooleanField(label=label, required=False)

    def flag_fields(self):
        return [self[name] for name in FLAG_FIELDS]


class PetitionerForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    name = forms.CharField(label=_("姓名（名称）"), max_length=100, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    is_representative = forms.BooleanField(label=_("代表"), required=False)

    def clean(self):
        data = super().clean()
        if not self.is_blank():
            # The same checks the service runs, so that a wrong ID number shows before anything else.
            errors = person_validate(
                name=data.get("name", ""), id_number=data.get("id_number", ""), phone=data.get("phone", "")
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return data

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any((data.get(k) or "").strip() for k in ("id_number", "phone", "name", "address"))


PetitionerFormSet = formset_factory(PetitionerForm, extra=1, max_num=50, validate_max=True)


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *[(s.value, _(s.label)) for s in State if s in OPEN_STATES]],
    )
    channel = forms.ChoiceField(
        label=_("渠道"), required=False, choices=[("", _("全部渠道")), *shown_choices(Channel.choices)]
    )
    petition_type = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *shown_choices(PetitionType.choices)]
    )
    category = forms.ModelChoiceField(
        label=_("分类"), queryset=Category.objects.all(), required=False, empty_label=_("全部分类")
    )
    flag = forms.ChoiceField(
        label=_("标记"), required=False, choices=[("", _("全部标记")), *FLAG_FIELDS.items()]
    )
    region = forms.TypedChoiceField(label=_("属地"), required=False, coerce=int, empty_value=None, choices=())
    # 红/黄/绿: a range on the case's indexed due date for today (cases.selectors.case_queue, deadlines.lights).
    light = forms.ChoiceField(
        label=_("灯色"),
        required=False,
        choices=[("", _("全部灯色")), ("red", _("红灯")), ("yellow", _("黄灯")), ("green", _("绿灯"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = region_choices()
        choices[0] = ("", gettext("全部属地"))
        self.fields["region"].choices = choices
        for name in ("state", "channel", "petition_type", "category", "flag", "region", "light"):
            self.fields[name].widget = FastSelect(choices=self.fields[name].choices)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data["category"] = data["category"].pk if data.get("category") else None
        return data


def queue_filters(query) -> dict:
    """The queue's filters from a query string (the ledger export's, through analytics.views.QUEUE_FILTERS)."""
    return QueueFilterForm(query or None).filters()


class _BodyChooserMixin:
    """The transfer target as a search box over <optgroup>s by level and kind (东城区 · 职能部门/单位 …),
    instead of one flat list of every body; xinfang/static/xinfang/chooser.js filters as one types."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.attrs, **(attrs or {})}
        values = value if isinstance(value, (list, tuple)) else [value]
        chosen = {str(v) for v in values if v not in (None, "")}
        select_id = attrs.get("id") or f"id_{name}"
        parts = [
            format_html(
                '<input type="search" class="chooser-search" data-chooser="{}" placeholder="{}" aria-label="{}">',
                select_id,
                gettext("输入机关名称筛选"),
                gettext("筛选机关"),
            ),
            format_html(
                '<select name="{}" id="{}" size="{}"{}>',
                name,
                select_id,
                attrs.get("size", 8),
                mark_safe(" multiple") if self.allow_multiple_selected else "",
            ),
        ]
        if not self.allow_multiple_selected:
            parts.append(format_html('<option value="">{}</option>', gettext("——请选择——")))
        group = None
        for body in self.bodies:
            label = f"{body.region.name} · {gettext(BodyKind(body.kind).label)}"
            if label != group:
                if group is not None:
                    parts.append(mark_safe("</optgroup>"))
                parts.append(format_html('<optgroup label="{}">', label))
                group = label
            parts.append(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    body.pk,
                    mark_safe(" selected") if str(body.pk) in chosen else "",
                    body.name,
                )
            )
        if group is not None:
            parts.append(mark_safe("</optgroup>"))
        parts.append(mark_safe("</select>"))
        parts.append(format_html('<script src="{}" defer></script>', static("xinfang/chooser.js")))
        return mark_safe("".join(parts))


class BodyChooser(_BodyChooserMixin, forms.Select):
    def __init__(self, bodies, attrs=None):
        super().__init__(attrs)
        self.bodies = bodies


class BodyMultiChooser(_BodyChooserMixin, forms.SelectMultiple):
    def __init__(self, bodies, attrs=None):
        super().__init__(attrs)
        self.bodies = bodies


def _chooser_order(bodies: list[Body]) -> list[Body]:
    """By level (the region: the city, then each county, then its townships) and kind within it."""
    kinds = [k.value for k in BodyKind]
    return sorted(
        bodies, key=lambda b: (b.region.path.count("/"), b.region.path, kinds.index(b.kind), b.code)
    )


def target_bodies(actor) -> list[Body]:
    """Where a case may be sent: the agencies, 政法部门 and 纪检监察 of the acting body's region and below."""
    region_path = actor.body.region.path
    return list(
        Body.objects.filter(
            region__path__startswith=region_path,
            kind__in=TARGET_KINDS,  # the service checks the same (cases/services/actions.py)
            is_active=True,
        )
        .exclude(pk=actor.body.pk)
        .select_related("region")
        .order_by("region__path", "code")
    )


class ActionForm(forms.Form):
    """The form of one transition, built from its `fields` (and nothing else)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, transition: Transition, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        for name in transition.fields:
            field = self._field_for(name, actor)
            if field is not None:
                self.fields[name] = field

    def _field_for(self, name: str, actor) -> forms.Field | None:
        t = self.transition
        if name in ("target_body", "co_bodies"):
            bodies = _chooser_order(target_bodies(actor))
            qs = Body.objects.filter(pk__in=[b.pk for b in bodies]).order_by("path")
            if name == "target_body":
                return forms.ModelChoiceField(
                    label=_("有权处理机关"),
                    queryset=qs,
                    empty_label=_("——请选择——"),
                    widget=BodyChooser(bodies),
                )
            return forms.ModelMultipleChoiceField(
                label=_("协办机关（可多选）"),
                queryset=qs,
                required=False,
                widget=BodyMultiChooser(bodies, attrs={"size": 4}),
            )
        if name == "route":
            return forms.ChoiceField(
                label=_("处理途径（第三十一条）"),
                choices=[("", _("——请选择——")), *shown_choices(Route.choices)],
            )
        if name == "outcome":
            return forms.ChoiceField(
                label=_("处理意见"), choices=[("", _("——请选择——")), *shown_choices(Outcome.choices)]
            )
        if name == "text":
            return forms.CharField(label=_("意见正文"), widget=forms.Textarea(attrs={"rows": 4}))
        if name == "reason":
            return forms.CharField(
                label=_("理由") if t.reason_required else _("理由（可选）"),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=t.reason_required,
            )
        if name == "told_where":
            return forms.CharField(label=_("告知向何机关提出"), max_length=200)
        if name in ("due_date", "hearing_date"):
            label = _("反馈期限") if name == "due_date" else _("听证日期")
            return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))
        if name == "days":
            most = period("extension_max").current_days()
            return forms.IntegerField(label=_("延长天数"), min_value=1, max_value=most, initial=most)
        return None

    def inputs(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if "co_bodies" in data:
            data["co_bodies"] = list(data["co_bodies"] or [])
        return data


class EvaluationForm(forms.Form):
    result = forms.ChoiceField(
        label=_("评价结果"), choices=shown_choices(Satisfaction.choices), widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("信访人意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


__all__ = [
    "FLAG_FIELDS",
    "MAX_REPRESENTATIVES",
    "ActionForm",
    "EvaluationForm",
    "IntakeForm",
    "PetitionerFormSet",
    "QueueFilterForm",
    "region_choices",
    "target_bodies",
]
