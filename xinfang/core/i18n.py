"""Translation helpers shared by the apps."""

from __future__ import annotations

from django.utils import dateformat
from django.utils.translation import gettext, gettext_lazy


def shown_choices(choices: list[tuple[str, str]]) -> list:
    """A model field's ``choices`` with their labels translated where shown.

    The choice labels are marked with gettext_noop: ``X.label`` stays the Chinese source text (notices,
    messages, reverse look-ups by label keep working in any language), while a field built with these
    choices shows them translated (get_FOO_display, forms, admin)."""
    return [(value, gettext_lazy(label)) for value, label in choices]


def message_date(d) -> str:
    """A date inside a message the services raise: 2026年03月05日, or March 5, 2026 in English."""
    return dateformat.format(d, gettext("Y年m月d日"))
