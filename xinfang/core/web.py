"""Small pieces the apps' server-rendered views share, so each rule is written once.

- ``require_role``: a refused role learns nothing — the same 404 as a missing record (docs/security.md).
- ``call_or_404``: a selector's ``NotFound`` (not visible, or absent) becomes the page's 404.
- ``form_date``: a date typed in a form, or a ``ValidationFailed`` with a Chinese message for that field.
- ``post_action``: run one POST action through its service; a message either way, back to the page it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError, NotFound, ValidationFailed


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


def post_action(request, fn: Callable[..., Any], success: str, back: str, **kwargs):
    try:
        fn(actor=request.actor, **kwargs)
    except NotFound as exc:
        raise Http404() from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(back)
