"""Several app servers (docs/deploy.md, "Several app servers"): two gunicorn processes on one PostgreSQL
database, Redis for the cache, the sessions and the task queue, and one `xinfang worker`.

- a login made on one server is a login on the other (the session is in Redis, written through to the
  database: SESSION_ENGINE=cached_db);
- a case registered on one is on the other's case page at once;
- the receipt SMS that registration enqueued on the first server is sent by the worker (a third process);
- the case page's read, written to the outbox by the second server, is chained into the log by the worker.

Needs PostgreSQL and Redis on 127.0.0.1:6379 (databases 11 and 12 are emptied first); reuses the servers of
test_two_servers.py (issue 13's guessing limits across servers).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from xinfang.core.models import Event, EventOutbox
from xinfang.core.tests.test_two_servers import ROOT, Server, form_post, redis_or_skip, shared_database_url
from xinfang.orgs.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float = 90, every: float = 0.3) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(every)
    return False


@pytest.fixture
def deployment(tmp_path, demo_city):
    if connection.vendor != "postgresql":
        pytest.skip("several servers share one PostgreSQL database (SQLite serves one machine)")
    cache_url = redis_or_skip()  # redis://127.0.0.1:6379/11, emptied
    # the servers run the production hashers; the test settings' fast MD5 is not among them
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from xinfang.orgs.models import User

    User.objects.filter(username="dengji_dc").update(
        password=PBKDF2PasswordHasher().encode(DEMO_PASSWORD, "several-servers", iterations=1000)
    )
    import redis

    queue_url = "redis://127.0.0.1:6379/12"
    redis.Redis.from_url(queue_url).flushdb()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_", "XINFANG_", "SESSION_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="xinfang.core.tests.two_servers_settings",
        XINFANG_DATA_DIR=str(tmp_path),
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=shared_database_url(tmp_path),
        CACHE_URL=cache_url.replace("redis://", "rediscache://"),
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
        XINFANG_QUEUE_URL=queue_url,
        ALLOWED_HOSTS="127.0.0.1",
    )
    servers = [Server(env, tmp_path / f"server{i}.log") for i in (1, 2)]
    worker_log = tmp_path / "worker.log"
    with worker_log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "xinfang.cli", "worker", "--simple", "--delay", "0.1", "--max-delay", "1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        for s in servers:
            s.wait()
        yield servers, worker_log
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        for s in servers:
            s.stop()


def test_two_servers_one_database_one_redis_one_worker(deployment):
    import requests

    from xinfang.workspace.tests.test_views import _intake_data

    (a, b), worker_log = deployment
    on_a = requests.Session()
    r = form_post(on_a, a.url + "/accounts/login/", {"username": "dengji_dc", "password": DEMO_PASSWORD})
    assert r.status_code == 200 and "/accounts/login/" not in r.url

    # the session cookie from server A, and nothing else, opens server B
    on_b = requests.Session()
    on_b.cookies.set(settings.SESSION_COOKIE_NAME, on_a.cookies[settings.SESSION_COOKIE_NAME])
    home = on_b.get(b.url + "/", timeout=60)
    assert home.status_code == 200 and "/accounts/login/" not in home.url and "李登记" in home.text

    # a case registered on A …
    registered = form_post(on_a, a.url + "/cases/new/", _intake_data())
    assert registered.status_code == 200, registered.text[-2000:]
    pk = int(re.search(r"/cases/(\d+)/$", registered.url).group(1))
    number = re.search(r"\d{6}-[a-z_]+-\d{4}-\d{6}", registered.text).group(0)
    # … is on B's case page at once
    page = on_b.get(f"{b.url}/cases/{pk}/", timeout=60)
    assert page.status_code == 200 and number in page.text

    # the receipt SMS that A enqueued is sent by the worker, a third process (the backend logs it, masked)
    assert _wait_for(lambda: "SMS to 138****0007" in worker_log.read_text(errors="replace")), (
        worker_log.read_text()[-3000:]
    )
    # B's read of the case went to the outbox; the worker's flush (every minute) chains it into the log
    reads = Event.objects.filter(object_type="cases.case", object_id=str(pk), action="read")
    assert _wait_for(lambda: reads.exists() and not EventOutbox.objects.exists(), timeout=150, every=2), (
        worker_log.read_text()[-3000:]
    )
    assert reads.filter(actor__username="dengji_dc").exists()
