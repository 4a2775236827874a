from __future__ import annotations

from django.contrib import messages
from django.shortcuts import render

from xinfang.core.errors import ApplicationError


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
