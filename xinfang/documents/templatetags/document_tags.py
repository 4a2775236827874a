"""Filters for document templates: ``{{ d|cn_date }}`` (二〇二六年十二月三日), ``{{ d|doc_date }}``
(2026年12月3日, for dates inside the text) and ``{{ text|paras }}`` (free text kept with its line breaks)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from xinfang.documents.rendering import chinese_date, html_text

register = template.Library()


@register.filter
def cn_date(value) -> str:
    return chinese_date(value)


@register.filter
def doc_date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


@register.filter
def text_br(value) -> str:
    return mark_safe(html_text(str(value or "")))


@register.filter
def sentence(value) -> str:
    """Free text as one sentence: its own closing mark kept, one added when it has none — never two
    (the doubled 。。 the old notices printed when a reason already ended with one)."""
    text = str(value or "").strip().rstrip("，,;；:： ")
    if not text:
        return ""
    return text if text[-1] in "。！？!?）)”" else text + "。"


@register.filter
def clause(value) -> str:
    """Free text inside a sentence (因……，): its closing mark dropped, so no 。， follows."""
    return str(value or "").strip().rstrip("。；;，,：: ")
