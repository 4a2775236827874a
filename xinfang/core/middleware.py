from __future__ import annotations

import logging

from django.contrib import messages
from django.db import DataError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from xinfang.core.errors import ApplicationError

logger = logging.getLogger(__name__)


class ApplicationErrorMiddleware:
    """Turns a domain error that escaped a view into a Chinese error page with the stable code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError) or request.path.startswith("/api/"):
            return None
        if getattr(request, "htmx", False):
            messages.error(request, exception.message)
        return render(request, "core/error.html", {"error": exception}, status=exception.http_status)


class BadInputMiddleware:
    """Input no page or endpoint can use is refused with a 4xx before it reaches a view, and the few
    database and arithmetic errors that bad input can still cause are answered 400, never 500.

    - a NUL character in the path or query (PostgreSQL text cannot hold one): 400 `nul_character`
    - a run of more than 18 digits in the path (no id is that long; the database would overflow): 404
    - under /api/, a path no route matches: the API's JSON 404 instead of the HTML page
    - DataError (a value out of the column's range) and OverflowError (a date past year 9999) raised in a
      view: 400 `invalid_input`, logged as a warning so the cause can still be fixed at its source.
    """

    MAX_ID_DIGITS = 18

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.path + "?" + request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in raw or "\x00" in raw:
            return self._refuse(request, 400, "nul_character", _("内容中不能含有空字符（NUL）。"))
        if any(len(part) > self.MAX_ID_DIGITS and part.isdigit() for part in request.path.split("/")):
            return self._refuse(request, 404, "not_found", _("未找到该记录，或您无权查看。"))
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            # a path no API route matches: the API's JSON error, not the site's HTML page
            return self._refuse(request, 404, "not_found", _("未找到该记录，或您无权查看。"))
        return response

    def process_exception(self, request, exception):

        if not isinstance(exception, DataError | OverflowError):
            return None
        logger.warning("bad input answered 400 at %s: %r", request.path, exception)
        return self._refuse(request, 400, "invalid_input", _("提交的内容超出允许范围，请检查后重试。"))

    @staticmethod
    def _refuse(request, status: int, code: str, message) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"code": code, "message": str(message), "detail": {}}, status=status)
        error = ApplicationError(message, code=code)
        error.http_status = status
        return render(request, "core/error.html", {"error": error}, status=status)
