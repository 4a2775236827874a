"""Idempotency keys: `Idempotency-Key: <client-chosen string>` on a registration makes retrying it safe.

The first request with a key runs and its reply is stored in the same transaction as the case, so either
both are committed or neither is. A retry with the same key and the same body gets the stored reply
(status and body, with `Idempotent-Replayed: true`; the 查询码 in it is "" — it is never stored in clear);
the same key with a different body is refused
(`idempotency_key_reused`, 422). Two identical requests at once: the second waits on the first's unique
key row (PostgreSQL) or on the write lock (SQLite) and then replays its reply.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework.response import Response

from xinfang.api.models import IdempotencyKey
from xinfang.core.db import retry_on_deadlock
from xinfang.core.errors import ApplicationError, ValidationFailed

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 100
# Printable ASCII without spaces (a UUID, say); the OpenAPI schema states the same pattern.
KEY_PATTERN = r"^[!-~]{1,100}$"
# How long a key is remembered; older ones are dropped as new ones come in.
KEEP = timedelta(days=7)


class IdempotencyKeyReused(ApplicationError):
    code = "idempotency_key_reused"
    http_status = 422


def _request_digest(data, acting_body: str) -> str:
    canonical = json.dumps([acting_body, data], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_key_of(request) -> str | None:
    key = request.META.get(HEADER)
    if key is None:
        return None
    if not re.fullmatch(KEY_PATTERN, key):
        raise ValidationFailed(
            gettext("Idempotency-Key 须为1至%(n)d个可见的ASCII字符（不含空格）。") % {"n": MAX_KEY_LENGTH},
            code="idempotency_key_invalid",
        )
    return key


def _replay(row: IdempotencyKey, digest: str) -> Response:
    if row.request_digest != digest:
        raise IdempotencyKeyReused(gettext("该 Idempotency-Key 已用于内容不同的请求，请换一个新的键。"))
    response = Response(row.response, status=row.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


@retry_on_deadlock
def idempotent(request, *, scope: str, key: str, run: Callable[[], Response]) -> Response:
    """Run `run()` once per (user, scope, key); store and replay its reply. Errors are not stored: a
    refused request changed nothing, so a retry runs again."""
    digest = _request_digest(request.data, request.META.get("HTTP_X_ACTING_BODY", ""))
    user = request.user
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=user, scope=scope, key=key, request_digest=digest, status_code=0, response={}
                )
        except IntegrityError:
            # Somebody (an earlier try) holds this key: its transaction has committed by now, since the
            # insert waited for it.
            return _replay(IdempotencyKey.objects.get(user=user, scope=scope, key=key), digest)
        response = run()
        row.status_code = response.status_code
        stored = json.loads(json.dumps(response.data, default=str))
        if isinstance(stored, dict) and "query_code" in stored:
            # The 查询码 exists only as a hash (xinfang/cases/querycode.py), here too: a replay says ""
            # and the petitioner has it from the registration SMS.
            stored["query_code"] = ""
        row.response = stored
        row.save(update_fields=["status_code", "response"])
        IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return response
