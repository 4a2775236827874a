"""Translation helpers shared by the apps."""

from __future__ import annotations

from django.utils.translation import gettext_lazy


def shown_choices(choices: list[tuple[str, str]]) -> list:
    """A model field's ``choices`` with their labels translated where shown.

    The choice labels are marked with gettext_noop: ``X.label`` stays the Chinese source text (notices,
    messages, reverse look-ups by label keep working in any language), while a field built with these
    choices shows them translated (get_FOO_display, forms, admin)."""
    return [(value, gettext_lazy(label)) for value, label in choices]
