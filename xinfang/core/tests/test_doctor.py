"""`xinfang doctor`: finds what a killed bulk load or a broken tally leaves behind, and repairs it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from xinfang.analytics.tally import TRIGGERS, tally_uninstall, triggers_expected
from xinfang.core.maintenance import doctor

ROOT = Path(__file__).resolve().parents[3]


def _problems() -> dict[str, list[str]]:
    return {f.check: f.problems for f in doctor(repair=False) if f.problems}


@pytest.mark.django_db
def test_a_missing_tally_trigger_is_found_and_put_back(demo_city):
    assert not any("触发器" in name for name in _problems())
    tally_uninstall()
    found = _problems()["统计触发器"]
    assert len(found) == len(triggers_expected(connection.vendor))
    findings = {f.check: f for f in doctor(repair=True)}
    assert findings["统计触发器"].repaired
    assert "统计触发器" not in _problems()


@pytest.mark.django_db
def test_a_tally_that_drifted_from_the_rows_is_found_and_recounted(demo_city):
    call_command("generate", cases=12, seed=3, services=True, verbosity=0)
    assert "统计数字与重新计数一致" not in _problems()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE analytics_registrationtally SET total = total + 7")
    assert _problems()["统计数字与重新计数一致"]
    doctor(repair=True)
    assert "统计数字与重新计数一致" not in _problems()


def _sqlite(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path, timeout=30)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _indexes(path: Path) -> set[str]:
    return {
        r[0] for r in _sqlite(path, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    }


def _triggers(path: Path) -> set[str]:
    return {r[0] for r in _sqlite(path, "SELECT name FROM sqlite_master WHERE type = 'trigger'")}


def test_a_bulk_load_killed_mid_way_is_found_and_repaired_by_doctor(tmp_path):
    """The acceptance test of issue #10: SIGKILL a large load while its indexes and tally triggers are
    away; `doctor` reports it (exit 1), `doctor --repair` puts back exactly what the migrations made."""
    env = {
        **os.environ,
        "XINFANG_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "test",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "XINFANG_BULK_DROP_FROM": "1",  # take the large-load path with a small load
    }
    env.pop("DATABASE_URL", None)
    db = tmp_path / "xinfang.sqlite3"

    def manage(*args: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True, **kw
        )

    assert manage("migrate", "-v", "0").returncode == 0
    indexes, triggers = _indexes(db), _triggers(db)
    assert set(TRIGGERS) <= triggers

    load = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "generate", "--cases", "200000", "--bulk", "-v", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                away = _sqlite(db, "SELECT COUNT(*) FROM core_disabledobject")[0][0]
            except sqlite3.OperationalError:  # locked by the load for a moment
                continue
            if away and not (set(TRIGGERS) & _triggers(db)) and _indexes(db) != indexes:
                break
        else:
            pytest.fail("the load never took its indexes and triggers away")
        time.sleep(1.0)
        load.send_signal(signal.SIGKILL)
        load.wait(timeout=30)
    finally:
        if load.poll() is None:
            load.kill()

    assert _indexes(db) != indexes  # the kill left them out
    check = manage("doctor")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "仍处于暂停状态" in check.stdout and "统计触发器" in check.stdout

    repair = manage("doctor", "--repair")
    assert repair.returncode == 0, repair.stdout + repair.stderr
    assert _indexes(db) == indexes
    assert set(TRIGGERS) <= _triggers(db)
    again = manage("doctor")
    assert again.returncode == 0, again.stdout
    assert "数据库状态良好" in again.stdout
