"""Issuing API tokens for integrations (the admin's Token page does the same by hand)."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from xinfang.core.events import event_record
from xinfang.orgs.models import User


def api_token_issue(*, user: User, rotate: bool = False) -> str:
    """The user's token, created if missing; `rotate` replaces it (the old one stops working at once)."""
    with transaction.atomic():
        if rotate:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        if created:
            event_record(actor=None, actor_label="系统", body=None, obj=user, action="api_token_issue")
    return token.key
