"""Events written later: the outbox in front of the hash-chained event log (ADR 0015).

A read of a case happens on every case page. Writing it as a chained Event costs the chain lock (every page
waits for every other page's read to commit, on PostgreSQL an advisory lock, on SQLite the one write lock
for longer), a SELECT of the chain head and a hash. So a read goes through `event_record_later`: one INSERT
into `core_eventoutbox`, durable at commit like any row. `events_outbox_flush` moves the rows into the
event log in batches — chained there — and deletes exactly the rows it moved, in the same transaction:

- a crash before the flush, or during it, loses nothing (the rows are still in the outbox, or already in the
  log, never half);
- running it again, or on two workers at once, moves nothing twice (it takes the chain lock first and reads
  the outbox under it; on SQLite the write lock does the same);
- every moved event keeps the moment of the read (`occurred_at`), so the log lists it where it happened.

It runs every minute on the worker (task `events_outbox_flush_task`), and first thing in every audit read —
the admin's event list and `xinfang audit head` — so those show every read as before. Deliberate disclosures
(`reveal_personal_data`, exports) are not deferred: they are chained in the transaction that does them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models.sql.subqueries import InsertQuery
from django.utils import timezone

from xinfang.core.audit import CONTENT_FIELDS, _lock_chain
from xinfang.core.events import _jsonable
from xinfang.core.models import Event, EventOutbox
from xinfang.core.tasks import crontab, periodic_task

# The outbox row's INSERT, compiled by the ORM once per database — the statement `EventOutbox.objects.create`
# runs, less the RETURNING of the new id that nothing reads — and run with each read's values prepared as
# `save()` prepares them (`get_db_prep_save`). Building and compiling the INSERT anew was most of a read's cost
# on a cached case page (issue 14, ADR 0020). The model has no save() of its own and no signal receivers.
_FIELDS = tuple(f for f in EventOutbox._meta.local_concrete_fields if f is not EventOutbox._meta.auto_field)
_INSERTS: dict[tuple[str, str], str] = {}


def _insert_sql(connection) -> str:
    key = (connection.alias, connection.vendor)
    sql = _INSERTS.get(key)
    if sql is None:
        query = InsertQuery(EventOutbox)
        query.insert_values(_FIELDS, [EventOutbox()])
        ((sql, _params),) = query.get_compiler(connection=connection).as_sql()
        _INSERTS[key] = sql
    return sql


def event_record_later(
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
) -> None:
    """Like `event_record`, for events that may enter the log a little later (a read): one INSERT."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    actor_id = None
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_label = actor_label or actor.get_full_name() or actor.get_username()
        actor_id = actor.pk
    values = {
        "occurred_at": timezone.now(),
        "actor_id": actor_id,
        "actor_label": actor_label[:100],
        "body_id": getattr(body, "pk", body),
        "object_type": object_type or "",
        "object_id": str(object_id),
        "action": action,
        "old_values": _jsonable(old),
        "new_values": _jsonable(new),
        "reason": reason,
        "legal_basis": legal_basis,
    }
    using = router.db_for_write(EventOutbox)
    connection = connections[using]
    params = [f.get_db_prep_save(values[f.attname], connection=connection) for f in _FIELDS]
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection), params)


def events_outbox_flush(*, batch: int | None = None) -> int:
    """Move every waiting event into the event log, `batch` rows per transaction; returns how many moved."""
    # the accounts' and bodies' models through Event's keys (core sits below orgs and may not import it)
    User = Event._meta.get_field("actor").related_model
    Body = Event._meta.get_field("body").related_model
    batch = batch or settings.XINFANG_OUTBOX_FLUSH_BATCH
    moved = 0
    while True:
        with transaction.atomic():
            _lock_chain()  # before reading the outbox: a second flusher waits here, then finds these rows gone
            rows = list(EventOutbox.objects.order_by("id").values("id", *CONTENT_FIELDS)[:batch])
            if not rows:
                return moved
            # An outbox row carries plain ids: one that no longer exists (an account deleted since) would
            # make the whole batch fail on Event's foreign key, and block the outbox. Keep its label, drop
            # the id.
            users = set(
                User.objects.filter(pk__in={r["actor_id"] for r in rows} - {None}).values_list(
                    "pk", flat=True
                )
            )
            bodies = set(
                Body.objects.filter(pk__in={r["body_id"] for r in rows} - {None}).values_list("pk", flat=True)
            )
            events = []
            for row in rows:
                values = {name: row[name] for name in CONTENT_FIELDS}
                values["actor_id"] = row["actor_id"] if row["actor_id"] in users else None
                values["body_id"] = row["body_id"] if row["body_id"] in bodies else None
                events.append(Event(**values))
            Event.objects.bulk_create(events)  # links them into the chain (xinfang/core/audit.py)
            ids = [row["id"] for row in rows]
            for start in range(0, len(ids), 500):
                EventOutbox.objects.filter(id__in=ids[start : start + 500]).delete()
            moved += len(rows)
        if len(rows) < batch:
            return moved


def events_outbox_waiting() -> int:
    return EventOutbox.objects.count()


@periodic_task(crontab())  # every minute
def events_outbox_flush_task() -> None:
    events_outbox_flush()  # returns nothing: a periodic task's result would pile up in the queue's store
