"""The Redis cache (xinfang.core.cache): Django's RedisCache keeping one client per server instead of a new
one per call — the same answers, one client. Needs Redis on 127.0.0.1:6379 (skipped without it, except in CI)."""

from __future__ import annotations

import os

import pytest

from xinfang.core.cache import RedisCache

REDIS_DB = 14  # not test_two_servers' database (it empties its own)


@pytest.fixture
def redis_cache():
    import redis

    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI (127.0.0.1:6379): {exc}")
        pytest.skip(f"Redis is not reachable on 127.0.0.1:6379 ({exc})")
    cache = RedisCache(url, {"KEY_PREFIX": f"xf-test-cache-{os.getpid()}"})
    yield cache
    cache.delete_many(["a", "b", "n", "gone"])


def test_same_answers_one_client(redis_cache):
    cache = redis_cache
    cache.set("a", {"x": 1}, 60)
    assert cache.add("a", "other", 60) is False
    assert cache.get("a") == {"x": 1}
    cache.set_many({"b": b"\x00page", "n": 5}, 60)
    assert cache.get_many(["a", "b", "gone"]) == {"a": {"x": 1}, "b": b"\x00page"}
    assert cache.incr("n", 2) == 7
    assert cache.delete("a") is True and cache.get("a") is None
    clients = {id(cache._cache.get_client(write=w)) for w in (False, True, False)}
    assert len(clients) == 1  # Django's own makes a new redis.Redis on every call
    assert cache._cache.get_client().connection_pool is cache._cache._pools[0]
