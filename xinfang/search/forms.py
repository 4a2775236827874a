from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Category, PetitionType, State
from xinfang.core.i18n import shown_choices
from xinfang.orgs.models import Body
from xinfang.search.selectors import SearchFilters

SORT_CHOICES = [
    ("newest", _("登记时间（新→旧）")),
    ("oldest", _("登记时间（旧→新）")),
    ("due", _("期限（近→远）")),
    ("number", _("编号")),
]
LIGHT_CHOICES = [("", _("全部")), ("red", _("红灯")), ("yellow", _("黄灯")), ("green", _("绿灯"))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("检索"), required=False, max_length=200)
    state = forms.MultipleChoiceField(label=_("状态"), required=False, choices=shown_choices(State.choices))
    light = forms.ChoiceField(label=_("期限灯"), required=False, choices=LIGHT_CHOICES)
    body = forms.ModelChoiceField(
        label=_("当前办理机关"), required=False, queryset=Body.objects.none(), empty_label=_("全部")
    )
    category = forms.ModelChoiceField(
        label=_("内容分类"), required=False, queryset=Category.objects.none(), empty_label=_("全部")
    )
    petition_type = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部")), *shown_choices(PetitionType.choices)]
    )
    registered_from = forms.DateField(
        label=_("登记日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    registered_to = forms.DateField(
        label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(is_active=True).order_by("path")
        self.fields["category"].queryset = Category.objects.filter(is_active=True)

    def filters(self) -> SearchFilters:
        if not self.is_valid():
            return SearchFilters()
        d = self.cleaned_data
        return SearchFilters(
            q=d["q"],
            state=list(d["state"]),
            light=d["light"],
            body=d["body"].pk if d["body"] else None,
            category=d["category"].pk if d["category"] else None,
            petition_type=d["petition_type"],
            registered_from=d["registered_from"],
            registered_to=d["registered_to"],
            sort=d["sort"] or "newest",
        )
