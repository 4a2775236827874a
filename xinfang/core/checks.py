"""Deployment checks of our own (`manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs):
    """The portal's 查询码 lockout and the API throttles count in the default cache: a cache of one process
    lets N workers allow N times the tries."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [
            Warning(
                "默认缓存只在单个进程内有效：查询码锁定和接口限流会按工作进程数成倍放宽。",
                hint="设置 CACHE_URL=rediscache://…（多台服务器）或使用默认的文件缓存（单台服务器）。",
                id="xinfang.W001",
            )
        ]
    return []
