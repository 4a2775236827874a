"""Writing to the event log. Every service calls `event_record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from xinfang.core.models import Event


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (values or {}).items():
        if isinstance(value, models.Model):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, set | tuple):
            value = sorted(value)
        out[key] = value
    return out


def event_record(
    *,
    actor,
    body,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    action: str,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str = "",
    legal_basis: str = "",
    actor_label: str = "",
) -> Event:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_label = actor_label or actor.get_full_name() or actor.get_username()
    else:
        actor = None
    return Event.objects.create(
        actor=actor,
        actor_label=actor_label[:100],
        body=body,
        object_type=object_type or "",
        object_id=str(object_id),
        action=action,
        old_values=_jsonable(old),
        new_values=_jsonable(new),
        reason=reason,
        legal_basis=legal_basis,
    )


def events_for(obj: models.Model):
    return Event.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related(
        "actor", "body"
    )
