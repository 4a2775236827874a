"""Django's Redis cache with one client per server, kept (issue 14, ADR 0020).

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` on every cache call; each one builds its
table of ≈ 170 response callbacks, which cost more worker CPU than the round trip to Redis itself (≈ 0.7 ms of
a cached case page's two calls, profiled). The client only wraps the connection pool, which Django already
keeps per server, and is safe to share between threads (each command takes a connection from the pool), so
one per pool is kept. Everything else — keys, serialisation, timeouts, the pool — is Django's own.
`CACHE_URL=rediscache://…` selects it (config/settings/base.py).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django: Any = self  # Django's private helpers, which django-stubs leaves out
        pool = django._get_connection_pool(write)  # kept by Django, one per server
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = django._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
