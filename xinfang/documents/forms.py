from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.core.i18n import shown_choices
from xinfang.documents.models import ServiceMethod


class ServiceForm(forms.Form):
    method = forms.ChoiceField(label=_("送达方式"), choices=shown_choices(ServiceMethod.choices))
    tracking_number = forms.CharField(label=_("邮件单号"), max_length=60, required=False)
    served_on = forms.DateField(
        label=_("送达（寄出）日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_on = forms.DateField(
        label=_("信访人收到日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
