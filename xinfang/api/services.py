"""Issuing and revoking API tokens for integrations. A token is shown once, when issued; only its digest
is stored (xinfang.api.models.ApiToken)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from xinfang.api.models import ApiToken, token_digest
from xinfang.core.events import event_record
from xinfang.orgs.models import User

TOKEN_PREFIX = "xf_"


def api_token_issue(*, user: User, rotate: bool = False, label: str = "") -> str:
    """A new token for the user, returned in clear this once. `rotate` revokes the user's other tokens (they
    stop working at once); without it, earlier tokens keep working (one per integration, say)."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        revoked = 0
        if rotate:
            revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
        token = ApiToken.objects.create(user=user, digest=token_digest(key), prefix=key[:10], label=label)
        event_record(
            actor=None,
            actor_label="系统",
            body=None,
            obj=user,
            action="api_token_issue",
            new={"token": token.prefix, "label": label, "revoked_others": revoked},
        )
    return key


def api_token_revoke(*, token: ApiToken, actor=None) -> None:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_record(
            actor=actor,
            actor_label="" if actor else "系统",
            body=None,
            obj=token.user,
            action="api_token_revoke",
            old={"token": token.prefix},
        )
