"""`Authorization: Token <key>` against hashed tokens (xinfang.api.models.ApiToken)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from xinfang.api.models import ApiToken, token_digest

# How stale `last_used_at` may get before a request writes it again (one write per token per minute at most).
LAST_USED_PRECISION = timedelta(minutes=1)


class HashedTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str):
        if len(key) > 200 or "\x00" in key:
            raise exceptions.AuthenticationFailed(_("访问令牌无效。"))
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=token_digest(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("访问令牌无效。"))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (token.user, token)
