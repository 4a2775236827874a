"""API tokens (stored hashed, shown once) and idempotency keys for registrations."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


def token_digest(key: str) -> str:
    """SHA-256 of the token. A token is 256 random bits, so a fast hash is as safe as a slow one here and
    lets the lookup be one indexed equality (a password needs a slow hash because people choose them)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """One access token of an integration account. Only the digest is kept: the key is printed once when
    issued (`xinfang api_token <user>` or the admin action) and cannot be read back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    # The first characters of the key, to tell tokens apart in the admin and in logs (not enough to use).
    prefix = models.CharField("令牌前缀", max_length=12, editable=False)
    label = models.CharField("用途", max_length=100, blank=True)
    created_at = models.DateTimeField("签发时间", default=timezone.now, editable=False)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "访问令牌"
        verbose_name_plural = "访问令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """A registration sent with an `Idempotency-Key` header and the reply it got. A retry with the same key
    gets the same reply instead of a second case; the row and the case commit together."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField("幂等键", max_length=100)
    scope = models.CharField("接口", max_length=40)
    request_digest = models.CharField("请求摘要", max_length=64)
    status_code = models.PositiveSmallIntegerField("状态码")
    response = models.JSONField("首次答复")
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "幂等键"
        verbose_name_plural = "幂等键"
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="api_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
