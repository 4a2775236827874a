"""The nightly statistics (issue 14): on SQLite, a table written row by row since the last bulk load gets the
planner statistics it lacked from the night's `ledger_build`, and `xinfang doctor` then finds none missing;
PostgreSQL leaves it to autovacuum."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from xinfang.cases.tests.factories import register
from xinfang.core.maintenance import STATISTICS_CHECK, statistics_daily

pytestmark = pytest.mark.django_db


def _has_statistics(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return False
        cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
        return cursor.fetchone() is not None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite has no automatic ANALYZE")
def test_the_night_gives_tables_that_grew_row_by_row_their_statistics(demo_city):
    register(seed=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone() is not None:
            cursor.execute("DELETE FROM sqlite_stat1")  # as a database that never had a bulk load
    assert not _has_statistics("cases_case") and STATISTICS_CHECK.find()
    out = io.StringIO()
    call_command("ledger_build", "--no-notify", stdout=out)
    assert "查询规划统计：已更新" in out.getvalue()
    assert _has_statistics("cases_case") and _has_statistics("orgs_body")
    assert STATISTICS_CHECK.find() == []


def test_the_daily_line_says_what_it_did(demo_city):
    line = statistics_daily(day=date(2026, 12, 3))
    expected = "已更新" if connection.vendor == "sqlite" else "由数据库自动维护"
    assert line.startswith("2026-12-03 查询规划统计") and expected in line
