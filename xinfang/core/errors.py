"""One family of domain errors. Services raise them; the UI shows `message`, the API returns `code`.

Codes are stable strings that integrations may rely on; never rename one, only add. Messages are Chinese,
marked for translation: the defaults lazily, the services' own with `gettext` where they raise (the request's
language is active then), so `message` is a plain string in the language of whoever gets the error.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    code = "error"
    http_status = 400
    default_message = _("操作未能完成。")

    def __init__(
        self, message: str | None = None, *, code: str | None = None, extra: dict[str, Any] | None = None
    ):
        # A lazy default turns into the text of the language active where the error is raised.
        self.message = str(message or self.default_message)
        if code:
            self.code = code
        self.extra = extra or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **({"detail": self.extra} if self.extra else {})}


class ValidationFailed(ApplicationError):
    code = "validation_failed"
    default_message = _("提交的内容有误，请检查后重试。")


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404
    default_message = _("未找到该记录，或您无权查看。")


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    http_status = 403
    default_message = _("您没有权限进行此操作。")


class TransitionNotAllowed(ApplicationError):
    code = "transition_not_allowed"
    http_status = 409
    default_message = _("当前状态下不允许此操作。")


class Conflict(ApplicationError):
    """Somebody else changed the record first (two officers acting on one case at once)."""

    code = "conflict"
    http_status = 409
    default_message = _("该事项刚被他人处理，请刷新后查看最新状态。")


class WindowClosed(ApplicationError):
    """A legal window (复查/复核 request, 异议, evaluation) has closed."""

    code = "window_closed"
    http_status = 409
    default_message = _("法定期限已过，不能再提出。")


class ConfidentialityViolation(ApplicationError):
    """检举控告 material would reach the one complained about (条例 Art. 30, 46)."""

    code = "confidentiality"
    http_status = 403
    default_message = _("检举控告材料不得转送、交由被检举控告人员或单位处理。")


class RateLimited(ApplicationError):
    code = "rate_limited"
    http_status = 429
    default_message = _("操作过于频繁，请稍后再试。")
