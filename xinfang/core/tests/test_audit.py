"""The event log as evidence: triggers refuse edits and deletions on both databases, the hash chain finds
what got past them (tampering with the trigger dropped), concurrent writers keep one chain, the app's
PostgreSQL role can be left without UPDATE/DELETE/TRUNCATE, and `xinfang audit verify` says what it found."""

from __future__ import annotations

import os
import threading
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from xinfang.core.audit import GENESIS, event_chain_seal, event_chain_verify
from xinfang.core.events import event_record
from xinfang.core.models import Event
from xinfang.orgs.models import Body

pytestmark = pytest.mark.django_db
PG = connection.vendor == "postgresql"


def write(n: int, **kw) -> list[Event]:
    body = Body.objects.order_by("pk").first()
    return [
        event_record(actor=None, body=body, obj=body, action=f"test.{i}", new={"i": i, "x": [1.0, 2.5]}, **kw)
        for i in range(n)
    ]


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def triggers_off() -> None:
    """What an attacker with the database owner's rights would do first."""
    if PG:  # a superuser's way round every trigger, for this transaction
        raw("SET LOCAL session_replication_role = replica")
    else:
        raw("DROP TRIGGER core_event_no_update")
        raw("DROP TRIGGER core_event_no_delete")


def test_events_form_one_chain(demo_city):
    events = write(3)
    rows = list(Event.objects.order_by("chain_seq"))
    assert [e.chain_seq for e in rows] == list(range(1, len(rows) + 1))
    assert rows[0].chain_prev == GENESIS
    assert all(b.chain_prev == a.chain_hash for a, b in pairwise(rows))
    report = event_chain_verify()
    assert (
        report.ok
        and report.checked == len(rows)
        and report.head == (rows[-1].chain_seq, events[-1].chain_hash)
    )


@pytest.mark.parametrize(
    "sql", ["UPDATE core_event SET reason = 'x' WHERE id = %s", "DELETE FROM core_event WHERE id = %s"]
)
def test_the_database_refuses_raw_updates_and_deletes(demo_city, sql):
    event = write(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(sql, [event.pk])
    # not even the chain fields of a chained row
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE core_event SET chain_hash = 'x' WHERE id = %s", [event.pk])
    assert Event.objects.get(pk=event.pk).reason == ""


def test_verify_finds_an_edited_row(demo_city):
    events = write(4)
    triggers_off()
    raw("UPDATE core_event SET reason = '改写历史' WHERE id = %s", [events[1].pk])
    report = event_chain_verify()
    assert not report.ok
    assert any("被改动" in p and f"#{events[1].pk}" in p for p in report.problems), report.problems
    with pytest.raises(CommandError, match="不完整"):
        call_command("audit", "verify", stdout=StringIO())


def test_verify_finds_a_deleted_row_and_a_recomputed_forgery(demo_city):
    events = write(4)
    triggers_off()
    raw("DELETE FROM core_event WHERE id = %s", [events[1].pk])
    problems = event_chain_verify().problems
    assert any("缺失" in p for p in problems) and any("断链" in p for p in problems), problems


def test_verify_with_the_recorded_head_finds_the_newest_rows_gone(demo_city):
    write(3)
    head = event_chain_verify().head
    assert event_chain_verify(expect_head=head).ok
    triggers_off()
    raw("DELETE FROM core_event WHERE chain_seq = %s", [head[0]])
    assert event_chain_verify().ok  # the chain alone cannot tell: the tail is simply shorter
    report = event_chain_verify(expect_head=head)
    assert not report.ok and "链头不符" in report.problems[0]
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--head", f"{head[0]}:{head[1]}", stdout=StringIO())


def test_bulk_rows_are_sealed_once_and_their_content_stays_locked(demo_city):
    write(2)
    body = Body.objects.order_by("pk").first()
    raw(
        "INSERT INTO core_event (occurred_at, actor_label, body_id, object_type, object_id, action, old_values,"
        " new_values, reason, legal_basis, chain_prev, chain_hash) VALUES (%s, '', %s, 'x', '1', 'bulk', '{}',"
        " '{\"n\": 1}', '', '', '', '')",
        ["2026-01-01T00:00:00+00:00", body.pk],
    )
    bulk = Event.objects.get(action="bulk")
    report = event_chain_verify()
    assert report.ok and report.unsealed == 1
    with pytest.raises(DatabaseError), transaction.atomic():  # content of an unsealed row: refused too
        raw("UPDATE core_event SET reason = 'x' WHERE id = %s", [bulk.pk])
    assert event_chain_seal() == 1
    report = event_chain_verify()
    assert report.ok and report.unsealed == 0 and Event.objects.get(pk=bulk.pk).chain_seq == report.head[0]
    write(1)  # the chain goes on after the sealed rows
    assert event_chain_verify().ok


def test_bulk_create_chains_too(demo_city):
    body = Body.objects.order_by("pk").first()
    Event.objects.bulk_create(
        [Event(body=body, object_type="x", object_id=str(i), action="bulk_create") for i in range(3)]
    )
    assert event_chain_verify().ok and Event.objects.filter(chain_seq__isnull=True).count() == 0


def test_the_command_reports_a_sound_log(demo_city, capsys):
    write(2)
    call_command("audit", "verify")
    assert "事件日志完好" in capsys.readouterr().out
    call_command("audit", "head")
    seq, digest = capsys.readouterr().out.strip().split(":")
    assert int(seq) == Event.objects.count() and len(digest) == 64


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_keep_one_chain(demo_city):
    """Two transactions write events at the same moment (PostgreSQL: really in parallel); the chain has no
    fork and no gap."""
    if not PG:
        pytest.skip("the SQLite test database is in memory, where threads cannot queue for the write lock")
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer():
        try:
            start.wait(timeout=10)
            for _ in range(5):
                with transaction.atomic():
                    write(2)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    report = event_chain_verify()
    assert report.ok, report.problems
    assert report.checked == Event.objects.count() >= 40


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_log_between_tests(demo_city):
    """Django's flush (run after every transactional test) gets through the SQLite delete trigger."""
    write(1)
    call_command("flush", verbosity=0, interactive=False)
    assert not Event.objects.exists()


@pytest.mark.skipif(not PG, reason="roles and privileges are PostgreSQL's")
def test_protect_leaves_the_app_role_only_select_and_insert(demo_city):
    event = write(1)[0]
    # Roles, owners and grants are transactional in PostgreSQL: the test's rollback takes them all back.
    app, owner = f"xf_secedge_app_{os.getpid()}", f"xf_secedge_owner_{os.getpid()}"
    raw(f'CREATE ROLE "{app}" NOLOGIN')
    raw(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{app}"')
    raw(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{app}"')
    call_command("audit", "protect", "--app-role", app, "--owner-role", owner, stdout=StringIO())
    raw(f'SET ROLE "{app}"')
    for sql in (
        "UPDATE core_event SET reason = 'x' WHERE id = %s",
        "DELETE FROM core_event WHERE id = %s",
        "TRUNCATE core_event",
        "ALTER TABLE core_event DISABLE TRIGGER core_event_no_update",
        "DROP TRIGGER core_event_no_update ON core_event",
    ):
        with pytest.raises(DatabaseError, match=r"permission denied|must be owner"), transaction.atomic():
            raw(sql.replace("%s", str(event.pk)))
    write(1)  # the app still writes events and reads them
    assert event_chain_verify().ok
    raw("RESET ROLE")


def test_the_chain_seq_is_unique(demo_city):
    """Two rows can never take the same place in the chain, whatever code wrote them."""
    event = write(1)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        raw(
            "INSERT INTO core_event (occurred_at, actor_label, object_type, object_id, action, old_values,"
            " new_values, reason, legal_basis, chain_seq, chain_prev, chain_hash) VALUES (%s, '', 'x', '1', 'dup',"
            " '{}', '{}', '', '', %s, '', '')",
            ["2026-01-01T00:00:00+00:00", event.chain_seq],
        )


def test_a_bulk_generated_load_ends_up_chained(demo_city):
    """`xinfang generate --bulk` writes events by raw SQL; it seals them at the end, and every hash computed
    from the values it wrote matches what the database gives back."""
    call_command("generate", "--cases", "20", "--bulk", "--seed", "2", verbosity=0, stdout=StringIO())
    report = event_chain_verify()
    assert report.ok, report.problems[:3]
    assert report.unsealed == 0 and report.checked == Event.objects.count() > 20
