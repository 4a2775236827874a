"""API throttling per token, counted in the shared cache (settings.CACHES: one store for every worker)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from xinfang.api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Each token has its own budget (XINFANG_API_RATE, e.g. "300/min"); a session user has one per user,
    an anonymous caller one per address."""

    scope = "token"

    def get_rate(self):
        # Read at request time (not at import like DRF's class attribute), so settings changes apply.
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"t{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = f"a{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
