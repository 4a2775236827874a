"""The chain lock taken as the last statements before COMMIT (core.audit.events_chained_last, PostgreSQL): the
events of a case action are inserted unlinked and linked at the end, so the lock that serialises every writer
is held for the link and the commit only — and the chain stays whole, also when a savepoint took a row away."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import register, registrar
from xinfang.core.audit import event_chain_verify, events_chained_last
from xinfang.core.tests.test_audit import PG, write
from xinfang.orgs.models import Body

pytestmark = pytest.mark.django_db

# What may follow the lock: the head, the links, and the test's own savepoint release.
AFTER_LOCK = (
    "SELECT chain_seq, chain_hash FROM core_event",
    "UPDATE core_event SET chain_seq",
    "RELEASE SAVEPOINT",
)


def _after_lock(queries) -> list[str]:
    sql = [
        re.sub(r"^\d+ times: ", "", q["sql"]) for q in queries
    ]  # an executemany is captured as "N times: …"
    first = next(i for i, s in enumerate(sql) if "pg_advisory_xact_lock" in s)
    return sql[first + 1 :]


def test_events_are_linked_at_the_end_without_a_gap(demo_city):
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), events_chained_last():
        (first,) = write(1)
        assert (first.chain_seq is None) == PG  # PostgreSQL: unlinked until the block ends
        with pytest.raises(RuntimeError), transaction.atomic():
            write(1)  # taken away again by its savepoint
            raise RuntimeError("roll back")
        (last,) = write(1)
    assert last.chain_seq == first.chain_seq + 1 and last.chain_prev == first.chain_hash
    report = event_chain_verify()
    assert report.ok, report.problems
    if PG:
        assert all(s.startswith(AFTER_LOCK) for s in _after_lock(queries))


def test_a_case_action_takes_the_chain_lock_after_its_notice_and_document(demo_city):
    if not PG:
        pytest.skip("SQLite: one writer at a time already (IMMEDIATE), events are linked as they are written")
    case = register(by=registrar()).case
    housing = Body.objects.get(code="990101-housing")
    with CaptureQueriesContext(connection) as queries:
        case_act(case=case, actor=registrar(), action="transfer", target_body=housing)
    sql = [q["sql"] for q in queries]
    lock = next(i for i, s in enumerate(sql) if "pg_advisory_xact_lock" in s)
    notice = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "documents_document"'))
    assert notice < lock
    after = _after_lock(queries)
    assert all(s.startswith(AFTER_LOCK) for s in after), after
    report = event_chain_verify()
    assert report.ok, report.problems


def test_the_lock_and_the_check_of_the_pending_rows_are_one_statement(demo_city):
    """The rows a rolled-back savepoint took away are found in the statement that takes the lock: a case action
    runs no separate read of its pending events (one round trip fewer per action)."""
    if not PG:
        pytest.skip("SQLite: events are linked as they are written")
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), events_chained_last():
        (kept,) = write(1)
        with pytest.raises(RuntimeError), transaction.atomic():
            (gone,) = write(1)
            raise RuntimeError("roll back")
    sql = [q["sql"] for q in queries]
    (lock,) = [s for s in sql if "pg_advisory_xact_lock" in s]
    assert "ANY(" in lock and not [s for s in sql if s.startswith("SELECT id FROM core_event")]
    kept.refresh_from_db()
    assert (
        kept.chain_seq is not None and kept.chain_hash and not type(gone).objects.filter(pk=gone.pk).exists()
    )
    report = event_chain_verify()
    assert report.ok, report.problems
