"""The year dashboard's reads of the tallies, as SQLite plans them at scale (issue 14: 1.35 s at 1M cases).

Its three biggest reads — every body's clock figures for the year, the lights of the open clocks, the counts by
field — read an index that holds every column they need (no table row), and the lights read only the rows
still open: before, the lights scanned the whole clock tally (every day there ever was) and the counts by
field read each tally row of the year and sorted them. The plans are taken under the statistics ANALYZE wrote
on a 100,000-case database (sqlite_stat1, loaded here into the test database), since SQLite plans by them; the
page's figures are the same either way (test_case_tally compares them with the recount)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xinfang.analytics.tests.test_case_tally import YEAR, _login
from xinfang.generator.generate import generate

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's planner, under its statistics"),
]

# sqlite_stat1 of the two tallies after `xinfang generate --cases 100000` (2026-12-03, analytics 0006).
STATS_100K = [
    ("analytics_casetally", "case_tally_measure_idx", "17483 2498 282 32 8 1 1 1"),
    ("analytics_casetally", "sqlite_autoindex_analytics_casetally_1", "17483 1943 195 15 15 3 1"),
    ("analytics_clocktally", "clock_tally_counts_idx", "44686 552 129 1 1 1 1 1 1"),
    ("analytics_clocktally", "clock_tally_open_idx", "12183 1741 36 1 1"),
    ("analytics_clocktally", "clock_tally_due_idx", "44686 236 36"),
    ("analytics_clocktally", "analytics_clocktally_body_id_ce87ff1e", "44686 552"),
    ("analytics_clocktally", "sqlite_autoindex_analytics_clocktally_1", "44686 552 129 1"),
]


def _plans(sqls: list[str]) -> dict[str, str]:
    out = {}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # creates sqlite_stat1
        cursor.execute(
            "DELETE FROM sqlite_stat1 WHERE tbl IN ('analytics_casetally', 'analytics_clocktally')"
        )
        cursor.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)", STATS_100K)
        cursor.execute("ANALYZE sqlite_schema")  # reload the statistics
        for sql in sqls:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            out[sql] = " | ".join(str(r[-1]) for r in cursor.fetchall())
    return out


def test_the_dashboard_reads_the_tallies_from_covering_indexes(demo_city, client):
    url = reverse("analytics:dashboard") + f"?year={YEAR}"
    with time_machine.travel(f"{YEAR}-12-20 10:00 +0800", tick=False):
        generate(cases=200, seed=3, year=YEAR, bulk=True)
        _login(client, "990100-xinfang")
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
    reads = [
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "analytics_clocktally"' in q["sql"] or 'FROM "analytics_casetally"' in q["sql"]
    ]
    assert len(reads) >= 3, reads
    plans = _plans(reads)
    for sql, plan in plans.items():
        table = "analytics_clocktally" if "analytics_clocktally" in sql else "analytics_casetally"
        steps = [p for p in plan.split(" | ") if p.startswith(("SCAN", "SEARCH")) and table in p]
        assert steps and all("COVERING INDEX" in p for p in steps), (sql[:200], plan)
    lights = [plan for sql, plan in plans.items() if '"open_count" >' in sql]
    assert lights and all("clock_tally_open_idx" in p for p in lights), lights
