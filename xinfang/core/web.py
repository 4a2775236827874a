"""Small pieces the apps' server-rendered views share, so each rule is written once.

- ``require_role``: a refused role learns nothing — the same 404 as a missing record (docs/security.md).
- ``call_or_404``: a selector's ``NotFound`` (not visible, or absent) becomes the page's 404.
- ``form_date``: a date typed in a form, or a ``ValidationFailed`` with a Chinese message for that field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import Http404
from django.utils.translation import gettext

from xinfang.core.errors import NotFound, ValidationFailed


def require_role(request, *roles) -> None:
    if not request.actor.has_role(*roles):
        raise Http404()


def call_or_404(fn: Callable[..., Any], **kwargs) -> Any:
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404() from exc


def form_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        msg = gettext("请填写正确的日期（YYYY-MM-DD）。")
        raise ValidationFailed(msg, code="invalid_date", extra={field: msg}) from None
