"""Read events go through the outbox (ADR 0015): the case page writes one row and touches no chain; the flush
moves rows into the chained log exactly once, whatever dies when; audit reads show every read as before; a
reveal of personal data is still chained at once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from xinfang.cases.tests.factories import register
from xinfang.core.audit import event_chain_verify
from xinfang.core.models import Event, EventOutbox
from xinfang.core.outbox import events_outbox_flush
from xinfang.core.tests.test_two_servers import ROOT, shared_database_url
from xinfang.orgs.models import Body, User

PG = connection.vendor == "postgresql"


def _reads(case) -> int:
    return Event.objects.filter(object_type="cases.case", object_id=str(case.pk), action="read").count()


def _case_page(client):
    user = User.objects.get(username="dengji")
    client.force_login(user)
    case = register().case
    return user, case


@pytest.mark.django_db
def test_the_case_page_writes_one_outbox_row_and_no_event(client, demo_city):
    user, case = _case_page(client)
    client.get(f"/cases/{case.pk}/")  # warm: session, caches
    events_before = Event.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200 and case.number in response.content.decode()
    sql = [q["sql"] for q in ctx.captured_queries]
    writes = [s for s in sql if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    # the read costs one INSERT into the outbox; before, it cost the chain head's SELECT, the chain lock on
    # PostgreSQL and an INSERT into core_event, so the page's query count went down
    assert len(writes) == 1 and "core_eventoutbox" in writes[0], writes
    # no chain lock, no look-up of the chain's head
    assert not any("pg_advisory" in s or '"chain_seq" DESC' in s for s in sql), sql
    assert Event.objects.count() == events_before
    row = EventOutbox.objects.latest("id")
    assert (row.action, row.object_id, row.actor_id, row.body_id) == (
        "read",
        str(case.pk),
        user.pk,
        user.memberships.get().body_id,
    )


@pytest.mark.django_db
def test_flush_moves_reads_into_the_chain_once_with_their_own_time(client, demo_city):
    import time_machine

    _, case = _case_page(client)
    with time_machine.travel("2026-11-02 09:00 +0800", tick=False):
        client.get(f"/cases/{case.pk}/")
    client.get(f"/cases/{case.pk}/")
    assert _reads(case) == 0 and EventOutbox.objects.count() == 2

    assert events_outbox_flush() == 2
    assert events_outbox_flush() == 0  # idempotent: nothing is moved twice
    assert _reads(case) == 2 and not EventOutbox.objects.exists()
    first = Event.objects.filter(object_id=str(case.pk), action="read").order_by("occurred_at").first()
    assert first.occurred_at.isoformat().startswith("2026-11-02T01:00")  # the read's moment, not the flush's
    assert first.actor_label == "王登记" and first.chain_seq is not None
    report = event_chain_verify()
    assert report.ok and report.checked == Event.objects.count()


@pytest.mark.django_db
def test_a_flush_that_fails_before_commit_leaves_the_outbox_whole(client, demo_city):
    _, case = _case_page(client)
    for _ in range(3):
        client.get(f"/cases/{case.pk}/")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert events_outbox_flush(batch=2) == 3  # two batches inside the one failing transaction
        raise RuntimeError("the process dies before the commit")
    assert _reads(case) == 0 and EventOutbox.objects.count() == 3
    assert events_outbox_flush() == 3 and _reads(case) == 3


@pytest.mark.django_db
def test_the_compiled_insert_writes_the_row_create_would(demo_city):
    """event_record_later runs an INSERT compiled once (issue 14): the row it writes is the row
    `EventOutbox.objects.create` writes from the same values — dates, JSON, empty texts — on either database,
    and inside a transaction that rolls back it is gone with it."""
    import datetime

    from django.utils import timezone

    from xinfang.core.outbox import event_record_later

    user = User.objects.get(username="dengji")
    body = user.memberships.get().body
    old = {"state": "registered", "due": datetime.date(2026, 12, 4), "roles": {"b", "a"}, "body": body}
    event_record_later(actor=user, body=body, object_type="cases.case", object_id=7, action="act", old=old,
                       new={"n": 1.5, "名": "王"}, reason="理由", legal_basis="第九条")  # fmt: skip
    with CaptureQueriesContext(connection) as ctx:
        event_record_later(actor=user, body=body.pk, object_type="cases.case", object_id=8, action="read")
    assert len(ctx.captured_queries) == 1 and "RETURNING" not in ctx.captured_queries[0]["sql"].upper()
    first, second = EventOutbox.objects.order_by("id")
    same = EventOutbox.objects.create(
        occurred_at=first.occurred_at, actor_id=user.pk, actor_label=user.get_full_name(), body_id=body.pk,
        object_type="cases.case", object_id="7", action="act",
        old_values={"state": "registered", "due": "2026-12-04", "roles": ["a", "b"], "body": body.pk},
        new_values={"n": 1.5, "名": "王"}, reason="理由", legal_basis="第九条",
    )  # fmt: skip
    fields = [f.attname for f in EventOutbox._meta.concrete_fields if f.attname != "id"]
    rows = {r["id"]: r for r in EventOutbox.objects.values("id", *fields)}
    assert {**rows[first.pk], "id": 0} == {**rows[same.pk], "id": 0}
    assert (second.old_values, second.new_values, second.reason, second.body_id) == ({}, {}, "", body.pk)
    assert abs(timezone.now() - second.occurred_at) < datetime.timedelta(minutes=5)
    with pytest.raises(RuntimeError), transaction.atomic():
        event_record_later(actor=user, body=body, object_type="cases.case", object_id=9, action="read")
        raise RuntimeError
    assert not EventOutbox.objects.filter(object_id="9").exists()


@pytest.mark.django_db
def test_a_read_by_a_deleted_account_still_enters_the_log(demo_city):
    """An outbox row keeps plain ids; one whose account is gone since must not block every read behind it."""
    body = Body.objects.get(code="990100-xinfang")
    EventOutbox.objects.create(
        actor_id=987654, actor_label="已删除的账号", body_id=body.pk, object_type="cases.case", object_id="1",
        action="read",
    )  # fmt: skip
    assert events_outbox_flush() == 1
    event = Event.objects.get(action="read", object_id="1")
    assert event.actor_id is None and event.actor_label == "已删除的账号" and event.body_id == body.pk


@pytest.mark.django_db
def test_audit_reads_show_waiting_reads(client, admin_client, demo_city):
    """The admin's event list and `audit head` flush first: the log shows the read as it did before."""
    from io import StringIO

    from django.core.management import call_command

    _, case = _case_page(client)
    client.get(f"/cases/{case.pk}/")
    assert _reads(case) == 0
    assert admin_client.get("/admin/core/event/?action__exact=read").status_code == 200
    assert _reads(case) == 1
    client.get(f"/cases/{case.pk}/")
    out = StringIO()
    call_command("audit", "head", stdout=out)
    assert int(out.getvalue().split(":")[0]) == Event.objects.count() and _reads(case) == 2


@pytest.mark.django_db
def test_a_reveal_is_chained_at_once(client, demo_city):
    """Deliberate disclosure is not deferred: the reveal is in the log before the page answers."""
    _, case = _case_page(client)
    person_id = case.petitioners.first().person_id
    response = client.post(f"/cases/{case.pk}/reveal/{person_id}/phone/", {"reason": "电话回访"})
    assert response.status_code == 200
    assert Event.objects.filter(object_id=str(case.pk), action="reveal_personal_data").count() == 1


# --------------------------------------------------------------------- a flusher killed mid-way (-9)

N = 3000


def _count(url: str, sql: str) -> int:
    if url.startswith("sqlite"):
        con = sqlite3.connect(url[len("sqlite:///") :], timeout=20)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as con:
        return con.execute(sql).fetchone()[0]


def _python(url: str, tmp_path, code: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XINFANG_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=url,
        XINFANG_DATA_DIR=str(tmp_path),
        SECRET_KEY=settings.SECRET_KEY,
    )
    boot = "import django; django.setup()\n"
    return subprocess.Popen(
        [sys.executable, "-c", boot + code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.django_db(transaction=True)
def test_a_flusher_killed_mid_way_loses_and_doubles_nothing(demo_city, tmp_path):
    user = User.objects.get(username="dengji")
    body = user.memberships.get().body
    EventOutbox.objects.bulk_create(
        EventOutbox(actor_id=user.pk, actor_label="王登记", body_id=body.pk, object_type="cases.case",
                    object_id=str(i), action="read")
        for i in range(N)
    )  # fmt: skip
    url = shared_database_url(tmp_path)
    waiting = "SELECT COUNT(*) FROM core_eventoutbox"
    moved = "SELECT COUNT(*) FROM core_event WHERE action = 'read'"
    distinct = "SELECT COUNT(DISTINCT object_id) FROM core_event WHERE action = 'read'"

    flusher = _python(
        url, tmp_path, "from xinfang.core.outbox import events_outbox_flush\nevents_outbox_flush(batch=5)"
    )
    deadline = time.monotonic() + 120
    while _count(url, waiting) == N and time.monotonic() < deadline and flusher.poll() is None:
        time.sleep(0.01)
    flusher.send_signal(signal.SIGKILL)
    flusher.wait(timeout=30)
    left = _count(url, waiting)
    assert 0 < left < N, "the kill should land mid-way"
    assert _count(url, moved) + left == N and _count(url, distinct) == N - left  # nothing lost or doubled

    # the next run (another process, as a restarted worker) moves the rest; the chain is whole
    again = _python(
        url, tmp_path,
        "from xinfang.core.outbox import events_outbox_flush\nfrom xinfang.core.audit import event_chain_verify\n"
        "print(events_outbox_flush(), events_outbox_flush(), event_chain_verify().ok)",
    )  # fmt: skip
    out = again.communicate(timeout=300)[0].decode()
    assert again.returncode == 0, out
    assert out.split()[-3:] == [str(left), "0", "True"], out
    assert _count(url, moved) == _count(url, distinct) == N and _count(url, waiting) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_flushers_at_once_move_each_read_once(demo_city):
    if not PG:
        pytest.skip("the SQLite test database is in memory, where threads cannot queue for the write lock")
    EventOutbox.objects.bulk_create(
        EventOutbox(object_type="cases.case", object_id=str(i), action="read", actor_label="信访人")
        for i in range(2000)
    )
    start = threading.Barrier(3)
    moved: list[int] = []
    errors: list[BaseException] = []

    def flusher():
        try:
            start.wait(timeout=10)
            moved.append(events_outbox_flush(batch=100))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=flusher) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [] and sum(moved) == 2000
    assert Event.objects.filter(action="read").values("object_id").distinct().count() == 2000
    assert event_chain_verify().ok
