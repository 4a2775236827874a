"""Database helpers shared by the services.

``retry_on_deadlock``: PostgreSQL breaks a deadlock by aborting one of the transactions in it (SQLSTATE
40P01; 40001 for a serialization failure). A case action writes several tally rows through triggers
(analytics/tally.py) — the clock it stops and the clock it starts may belong to two bodies — so two
actions running at once on two cases can take the same two tally rows in opposite orders. Each single
statement takes its rows in one order, but the statements of one action follow the action's logic.
The aborted transaction changed nothing, so running the service again is safe and is what a user would
otherwise do by hand. A service wrapped here must open its own transaction; inside an outer transaction
(``atomic`` around the call) the whole outer transaction is lost, so the error is raised unchanged.
"""

from __future__ import annotations

import functools
import random
import time

from django.db import OperationalError, connection, connections, router

RETRY_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
ATTEMPTS = 3


def is_deadlock(exc: BaseException) -> bool:
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code in RETRY_SQLSTATES


def retry_on_deadlock(fn):
    """Run the wrapped service again (up to ``ATTEMPTS`` times in all) when the database aborted its
    transaction to break a deadlock; any other error, or one inside an outer transaction, goes up."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return fn(*args, **kwargs)
            except OperationalError as exc:
                if attempt == ATTEMPTS or connection.in_atomic_block or not is_deadlock(exc):
                    raise
                time.sleep(random.uniform(0.005, 0.02) * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def counter_bump(model, *, body_id: int, year: int) -> int | None:
    """``last + 1`` on a per-body-and-year counter row (the 编号 and 文号 sequences) and the new value, in one
    ``UPDATE … RETURNING`` that holds the row's lock until the transaction ends; None when the body has no row
    for the year yet (the caller creates it)."""
    with connections[router.db_for_write(model)].cursor() as cur:
        cur.execute(
            f"UPDATE {model._meta.db_table} SET last = last + 1 WHERE body_id = %s AND year = %s RETURNING last",
            [body_id, year],
        )
        row = cur.fetchone()
    return row[0] if row else None
