"""Small cache-based counters for the public pages: rate limits and lockouts (no extra dependency).

A fixed window per key is enough here: the aim is to make guessing a 查询码 or flooding the registrars'
queue slow and visible, not to meter traffic precisely. Counters live in Django's default cache, which all
workers share (a file cache in the data folder by default, Redis via CACHE_URL for several servers), so N
workers allow 5 wrong 查询码, not N × 5 (xinfang/core/tests/test_two_servers.py; ADR 0003 and 0012).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from xinfang.core.errors import RateLimited

PREFIX = "portal:rl:"


def _key(scope: str, ident: str) -> str:
    # Hash the identifier: ID numbers and addresses never sit in the cache in clear text.
    return PREFIX + scope + ":" + hashlib.sha256(ident.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Limit:
    scope: str
    max_hits: int
    window_s: int
    message: Any  # a lazy translation: the message in the language of the request that hit the limit

    def count(self, ident: str) -> int:
        return int(cache.get(_key(self.scope, ident)) or 0)

    def exceeded(self, ident: str) -> bool:
        return self.count(ident) >= self.max_hits

    def hit(self, ident: str) -> int:
        """Count one more; the window starts at the first hit."""
        key = _key(self.scope, ident)
        if cache.add(key, 1, timeout=self.window_s):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.window_s)
            return 1

    def reset(self, ident: str) -> None:
        cache.delete(_key(self.scope, ident))

    def check(self, ident: str) -> None:
        if ident and self.exceeded(ident):
            raise RateLimited(self.message, code=f"rate_limited_{self.scope}")


def client_address(request) -> str:
    """The client address as the server sees it. Behind a reverse proxy, the proxy must set REMOTE_ADDR
    (e.g. uwsgi/gunicorn forwarded-allow-ips): a client-supplied X-Forwarded-For is never trusted here."""
    return request.META.get("REMOTE_ADDR") or "unknown"


# Submissions: a person may petition several times a day, but not dozens.
SUBMIT_PER_ADDRESS = Limit("submit_addr", 10, 3600, _("同一网络地址提交过于频繁，请一小时后再试。"))
SUBMIT_PER_ID = Limit(
    "submit_id", 5, 24 * 3600, _("同一身份证号码今日提交次数已达上限，请明天再试或来信来访。")
)
# Tracking: 5 wrong 查询码 per 编号 or per address → locked for 15 minutes.
LOCKOUT_TRIES = 5
LOCKOUT_SECONDS = 15 * 60
WRONG_CODE_PER_NUMBER = Limit(
    "wrong_number",
    LOCKOUT_TRIES,
    LOCKOUT_SECONDS,
    _("查询码错误次数过多，该编号已暂停查询15分钟，请稍后再试。"),
)
WRONG_CODE_PER_ADDRESS = Limit(
    "wrong_addr", LOCKOUT_TRIES, LOCKOUT_SECONDS, _("查询码错误次数过多，请15分钟后再试。")
)
# Any lookups at all from one address (right or wrong): stops slow scanning across many numbers.
TRACK_PER_ADDRESS = Limit("track_addr", 60, 3600, _("查询过于频繁，请一小时后再试。"))
