"""`xinfang generate` beside live traffic (issue 14): while the bulk generator writes into a database that
already serves users, a registrar keeps registering cases through the services in another process. Both
finish, every case of both is there with its own 编号, and `xinfang doctor` finds nothing wrong — no index or
tally trigger taken away, every tally equal to a recount — and the event chain verifies."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

REGISTRAR = """
import sys, time, django
django.setup()
from pathlib import Path
from xinfang.cases.tests.factories import register, registrar
stop = Path(sys.argv[1])
by = registrar()
n = 0
while not stop.exists() and n < 400:
    case = register(by=by, seed=7000 + n).case
    print(case.number, flush=True)
    n += 1
"""


def _count(db: Path, sql: str) -> int:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_generate_beside_live_registrations_leaves_everything_sound(tmp_path):
    env = {
        **os.environ,
        "XINFANG_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "test",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "XINFANG_BULK_DROP_FROM": "1",  # without live mode even this small load would drop indexes and triggers
    }
    env.pop("DATABASE_URL", None)
    db = tmp_path / "xinfang.sqlite3"

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=env,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )

    assert manage("migrate", "-v", "0").returncode == 0
    seeded = manage("generate", "--cases", "200", "--bulk", "--exclusive", "-v", "0")
    assert seeded.returncode == 0, seeded.stderr
    before = _count(db, "SELECT COUNT(*) FROM cases_case")

    stop = tmp_path / "stop"
    load = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "generate",
            "--cases",
            "2500",
            "--bulk",
            "--batch",
            "300",
            "-v",
            "0",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    clerk = None
    try:
        deadline = time.monotonic() + 300
        while _count(db, "SELECT COUNT(*) FROM cases_case") == before:  # the first batch is in
            assert load.poll() is None and time.monotonic() < deadline, "the load ended before it wrote"
            time.sleep(0.1)
        clerk = subprocess.Popen(
            [sys.executable, "-c", REGISTRAR, str(stop)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out, err = load.communicate(timeout=600)
        assert load.returncode == 0, err
        assert clerk.poll() is None, "the registrar should still have been at work when the load ended"
        stop.touch()
        numbers, clerk_err = clerk.communicate(timeout=120)
        assert clerk.returncode == 0, clerk_err
    finally:
        for p in (load, clerk):
            if p is not None and p.poll() is None:
                p.kill()

    registered = numbers.split()
    assert len(registered) >= 3
    generated = int(out.split("已生成")[1].split("件")[0])
    assert generated >= 2500
    assert _count(db, "SELECT COUNT(*) FROM cases_case") == before + generated + len(registered)
    assert _count(db, "SELECT COUNT(DISTINCT number) FROM cases_case") == before + generated + len(registered)
    con = sqlite3.connect(db)
    try:
        on_file = {r[0] for r in con.execute("SELECT number FROM cases_case WHERE title LIKE '%' ")}
    finally:
        con.close()
    assert set(registered) <= on_file

    check = manage("doctor")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "数据库状态良好" in check.stdout
    verify = manage("audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
