"""Guessing limits hold across servers: two real gunicorn processes share one database and one Redis, and a
guesser who spreads tries over both gets no more than one server would allow.

- staff login: django-axes counts failures in the database; the 5th wrong password locks the account on
  both servers, and while locked even the right password is refused (429);
- the portal's 查询码: 5 wrong codes for one 编号 lock it for 15 minutes, counted in Redis.

Needs Redis on 127.0.0.1:6379 (database REDIS_DB, under a key prefix of this run's own, so that two test runs at
once — two checkouts on one machine — do not count each other's tries). Without it the test is skipped, except in
CI (CI=1), where it fails.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from xinfang.orgs.models import User

ROOT = Path(__file__).resolve().parents[3]
REDIS_DB = 11
PASSWORD = "correct-horse-battery-9"


def redis_or_skip() -> str:
    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
    except Exception as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI (127.0.0.1:6379): {exc}")
        pytest.skip(f"Redis is not reachable on 127.0.0.1:6379 ({exc})")
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shared_database_url(tmp_path: Path) -> str:
    """The test database, as the servers will see it: PostgreSQL's by name, SQLite's copied to a file (the
    test one lives in this process's memory)."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    path = tmp_path / "shared.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


class Server:
    def __init__(self, env: dict[str, str], log: Path):
        self.port = free_port()
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--timeout", "120"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"

    def wait(self, timeout: float = 120) -> None:
        import requests

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                requests.get(self.url + "/accounts/login/", timeout=20)
                return
            except requests.RequestException:
                time.sleep(0.3)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def form_post(session, url: str, data: dict):
    page = session.get(url, timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        url, data={"csrfmiddlewaretoken": token, **data}, headers={"Referer": url}, timeout=10
    )


@pytest.fixture
def two_servers(tmp_path):
    cache_url = redis_or_skip()
    User.objects.create_user(username="guessed", password=PASSWORD)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_", "XINFANG_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="xinfang.core.tests.two_servers_settings",
        XINFANG_DATA_DIR=str(tmp_path),
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=shared_database_url(tmp_path),
        CACHE_URL=f"redis{cache_url[len('redis') :]}".replace("redis://", "rediscache://")
        + f"?key_prefix=two-servers-{uuid.uuid4().hex}",
        ALLOWED_HOSTS="127.0.0.1",
        XINFANG_LOGIN_FAILURE_LIMIT="5",
    )
    servers = [Server(env, tmp_path / f"server{i}.log") for i in (1, 2)]
    try:
        for s in servers:
            s.wait()
        yield servers
    finally:
        for s in servers:
            s.stop()


@pytest.mark.django_db(transaction=True)
def test_two_servers_share_the_login_and_query_code_limits(two_servers):
    import requests

    a, b = two_servers
    sessions = {s.url: requests.Session() for s in (a, b)}

    def login(server, password):
        return form_post(
            sessions[server.url],
            server.url + "/accounts/login/",
            {"username": "guessed", "password": password},
        )

    # four wrong passwords spread over both servers: each answers "wrong", none locks yet
    for server in (a, b, a, b):
        r = login(server, "wrong-password")
        assert r.status_code == 200 and "/accounts/login/" in r.url
    # the fifth, on a server that saw only two before, is the limit: the account is locked on both
    assert login(a, "wrong-password").status_code == 429
    assert login(b, PASSWORD).status_code == 429  # locked means locked, the right password included

    # the portal: five wrong 查询码 for one 编号 over both servers, then it is locked on either
    number = "990101-xinfang-2026-000001"

    def track(server, code):
        return form_post(
            sessions[server.url], server.url + "/portal/track/", {"number": number, "code": code}
        )

    for server in (a, b, a, b, a):
        assert track(server, "23456789ABC").status_code == 403
    assert track(b, "23456789ABD").status_code == 429
    assert track(a, "23456789ABE").status_code == 429
