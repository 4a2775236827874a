"""The task queue (ADR 0015): SMS and e-mail wait in the queue and are sent by the worker, retried when the
gateway fails; the periodic tasks are scheduled; on the laptop a real `xinfang worker` process runs what the
web process enqueued, on the SQLite queue file, with no other service."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core import mail

from xinfang.core.models import Event, EventOutbox
from xinfang.core.notify import LocmemSmsBackend, email_send, sms_send, sms_send_many
from xinfang.core.tasks import HUEY
from xinfang.core.tests.test_two_servers import ROOT, shared_database_url


@pytest.fixture
def real_queue():
    """The queue as production has it (the SQLite file in the data folder), not immediate: an enqueued task
    waits until a worker takes it. `work()` does what one worker thread does with each task it takes."""
    HUEY.immediate = False
    HUEY.flush()

    def work() -> int:
        done = 0
        while (task := HUEY.dequeue()) is not None:
            HUEY.execute(task)
            done += 1
        return done

    try:
        yield work
    finally:
        HUEY.flush()
        HUEY.immediate = True


class GatewayDown:
    """An SMS gateway that does not answer (a stand-in for the operator's HTTP API)."""

    def send(self, message) -> None:
        raise ConnectionError("gateway timeout")


# a worker closes stale connections around each task, as in production: autocommit, not a test transaction
@pytest.mark.django_db(transaction=True)
def test_sms_and_email_wait_for_the_worker(real_queue):
    LocmemSmsBackend.sent.clear()
    mail.outbox.clear()
    sms_send(phone="13812345678", text="【信访】您的信访事项已受理。")
    assert email_send(to=["a@example.cn", ""], subject="提醒", text="红灯 1 项") == 1
    # the request returned without talking to any gateway: both wait in the queue
    assert HUEY.pending_count() == 2 and LocmemSmsBackend.sent == [] and mail.outbox == []
    assert real_queue() == 2
    assert LocmemSmsBackend.sent[-1].phone == "13812345678" and mail.outbox[-1].to == ["a@example.cn"]
    assert HUEY.pending_count() == 0  # and nothing of them stays in the queue


# a worker closes stale connections around each task, as in production: autocommit, not a test transaction
@pytest.mark.django_db(transaction=True)
def test_an_sms_the_gateway_refuses_is_retried_not_lost(real_queue, settings):
    settings.XINFANG_SMS_BACKEND = f"{__name__}.GatewayDown"
    sms_send(phone="13812345678", text="【信访】您的信访事项已受理。")
    real_queue()
    # failed once: scheduled again a minute later, with two tries left
    assert HUEY.pending_count() == 0 and HUEY.scheduled_count() == 1
    (retry,) = HUEY.scheduled()
    assert retry.retries == 2 and retry.kwargs["phone"] == "13812345678"
    settings.XINFANG_SMS_BACKEND = "xinfang.core.notify.LocmemSmsBackend"
    LocmemSmsBackend.sent.clear()
    # a minute later the worker's scheduler finds it due, and the gateway is back
    assert HUEY.read_schedule(retry.eta - datetime.timedelta(seconds=1)) == []
    later = retry.eta + datetime.timedelta(seconds=1)
    for task in HUEY.read_schedule(later):
        HUEY.execute(task, timestamp=later)
    assert [m.phone for m in LocmemSmsBackend.sent] == ["13812345678"]


def test_the_periodic_tasks_and_when_they_run():
    import xinfang.deadlines.tasks  # noqa: F401 (the worker loads every app's tasks module)

    due = {
        t.name: t for t in HUEY._registry.periodic_tasks
    }  # huey's registry: what the worker's scheduler enqueues
    flush, nightly = due["events_outbox_flush_task"], due["nightly_ledger"]
    assert flush.validate_datetime(datetime.datetime(2026, 12, 3, 14, 7))  # every minute
    assert nightly.validate_datetime(datetime.datetime(2026, 12, 3, 0, 30))  # 00:30 local time
    assert not nightly.validate_datetime(datetime.datetime(2026, 12, 3, 8, 30))


@pytest.mark.django_db
def test_the_nightly_task_runs_the_ledger_and_every_daily_job(demo_city, capsys):
    from django.utils import timezone

    from xinfang.deadlines.tasks import nightly_ledger

    nightly_ledger()  # immediate in tests: runs here
    out = capsys.readouterr().out
    day = timezone.localdate().isoformat()
    assert f"{day} 台账" in out  # the day's ledger
    assert f"{day} 督办" in out  # supervision's daily job (settings.XINFANG_DAILY_JOBS)
    assert "提醒：" in out  # the digests


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_runs_what_the_web_enqueued_without_any_other_service(
    demo_city, real_queue, tmp_path
):
    """The laptop: `xinfang worker` on the SQLite queue file in the data folder, beside the database, as
    `xinfang demo` starts it. The web side enqueues the outbox flush; the worker process moves the read into
    the log."""
    from xinfang.core.outbox import events_outbox_flush_task

    url = shared_database_url(tmp_path)  # (PostgreSQL: the test database itself)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XINFANG_", "CACHE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="xinfang.core.tests.two_servers_settings",
        DATABASE_URL=url,
        XINFANG_DATA_DIR=str(settings.DATA_DIR),  # the queue file this process enqueues into
        SECRET_KEY=settings.SECRET_KEY,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "xinfang.cli", "worker", "--simple", "--no-periodic", "--delay", "0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _outbox_row(url)
        events_outbox_flush_task()  # a periodic task can be enqueued by hand, too
        deadline = time.monotonic() + 90
        while _events(url) == 0 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert _events(url) == 1, worker.stdout.read1().decode() if worker.poll() is not None else "timeout"
        assert HUEY.pending_count() == 0
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def _outbox_row(url: str) -> None:
    if url.startswith("sqlite"):
        import sqlite3

        con = sqlite3.connect(url[len("sqlite:///") :])
        con.execute(
            "INSERT INTO core_eventoutbox (occurred_at, actor_label, object_type, object_id, action, old_values,"
            " new_values, reason, legal_basis) VALUES ('2026-12-03 02:00:00', '信访人', 'cases.case', '7', 'read',"
            " '{}', '{}', '', '')"
        )
        con.commit()
        con.close()
    else:
        EventOutbox.objects.create(
            actor_label="信访人", object_type="cases.case", object_id="7", action="read"
        )


def _events(url: str) -> int:
    if url.startswith("sqlite"):
        import sqlite3

        con = sqlite3.connect(url[len("sqlite:///") :], timeout=20)
        try:
            return con.execute("SELECT COUNT(*) FROM core_event WHERE action = 'read'").fetchone()[0]
        finally:
            con.close()
    return Event.objects.filter(action="read").count()


class GatewayRefusesOne(LocmemSmsBackend):
    """A gateway that takes every message but one phone's."""

    REFUSED = "13900000000"

    def send(self, message) -> None:
        if message.phone == self.REFUSED:
            raise ConnectionError("gateway refused")
        super().send(message)


@pytest.mark.django_db(transaction=True)
def test_the_sms_of_one_action_are_one_task_and_each_phone_gets_its_own(real_queue):
    LocmemSmsBackend.sent.clear()
    queued = sms_send_many(
        [("13812345678", "【信访】甲的通知"), ("", "无号码"), ("13987654321", "【信访】乙的通知")]
    )
    assert queued == 2 and HUEY.pending_count() == 1  # one write to the queue for both
    assert real_queue() == 1
    assert [(m.phone, m.text) for m in LocmemSmsBackend.sent] == [
        ("13812345678", "【信访】甲的通知"),
        ("13987654321", "【信访】乙的通知"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_refused_message_of_a_batch_is_retried_alone(real_queue, settings):
    settings.XINFANG_SMS_BACKEND = f"{__name__}.GatewayRefusesOne"
    LocmemSmsBackend.sent.clear()
    sms_send_many([("13812345678", "甲"), (GatewayRefusesOne.REFUSED, "乙"), ("13987654321", "丙")])
    real_queue()
    assert [m.phone for m in LocmemSmsBackend.sent] == ["13812345678", "13987654321"]
    # only the refused one waits, a minute later, with the tries a single message has left
    (retry,) = HUEY.scheduled()
    assert retry.name.endswith("notify_sms") and retry.retries == 2
    assert retry.kwargs == {"phone": GatewayRefusesOne.REFUSED, "text": "乙"}
    settings.XINFANG_SMS_BACKEND = "xinfang.core.notify.LocmemSmsBackend"
    later = retry.eta + datetime.timedelta(seconds=1)
    for task in HUEY.read_schedule(later):
        HUEY.execute(task, timestamp=later)
    assert [m.phone for m in LocmemSmsBackend.sent] == [
        "13812345678",
        "13987654321",
        GatewayRefusesOne.REFUSED,
    ]
