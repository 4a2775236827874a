"""One error shape for the whole API: {"code", "message", "detail"}, with the stable ApplicationError codes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf
from rest_framework.response import Response

from xinfang.core.errors import ApplicationError

# DRF's own errors, mapped onto codes an integration can rely on (never rename, only add).
DRF_CODES: dict[type[drf.APIException], tuple[str, Any]] = {
    drf.ValidationError: ("validation_failed", _("提交的内容有误，请检查后重试。")),
    drf.ParseError: ("validation_failed", _("请求内容不是有效的 JSON。")),
    drf.NotAuthenticated: ("not_authenticated", _("请提供有效的访问令牌（Authorization: Token …）。")),
    drf.AuthenticationFailed: ("not_authenticated", _("访问令牌无效。")),
    drf.PermissionDenied: ("permission_denied", _("您没有权限进行此操作。")),
    drf.NotFound: ("not_found", _("未找到该记录，或您无权查看。")),
    drf.MethodNotAllowed: ("method_not_allowed", _("不支持该请求方法。")),
    drf.UnsupportedMediaType: ("unsupported_media_type", _("请以 application/json 提交。")),
    drf.Throttled: ("rate_limited", _("操作过于频繁，请稍后再试。")),
}


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "detail": detail if detail is not None else {}}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.extra), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if not isinstance(exc, drf.APIException):
        return None  # a bug: let Django's 500 handling (and its logging) take it
    code, message = next(
        ((c, m) for cls, (c, m) in DRF_CODES.items() if isinstance(exc, cls)),
        (str(exc.default_code), str(exc.default_detail)),
    )
    detail: Any = exc.detail if isinstance(exc, drf.ValidationError) else {}
    if isinstance(detail, list):
        detail = {"non_field_errors": detail}
    response = Response(error_body(code, str(message), detail), status=exc.status_code)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response
