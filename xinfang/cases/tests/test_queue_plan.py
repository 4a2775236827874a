"""The queue's plan on SQLite (issue 14, ADR 0018): its page is an index range in page order — no sort — and its
light counts (the first 1,001 due dates, less the 检举控告 the body may not see) come from the index alone. Through
an index without the exclusion's columns each due date cost a read of the case row: at 1M cases on SQLite the
queue's cost grew with the table (≈ 25 → 70 ms CPU per view from 100k to 1M)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xinfang.cases.tests.factories import registrar
from xinfang.cases.tests.test_due_columns import MONDAY, _dated_cases

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's plans"),
]


def _case_reads(client, **params) -> dict[str, str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("queue"), params).status_code == 200
    out = {}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        for q in ctx.captured_queries:
            if 'FROM "cases_case"' in q["sql"] and '"queue_body_id" =' in q["sql"]:
                cursor.execute("EXPLAIN QUERY PLAN " + q["sql"])
                out[q["sql"]] = " | ".join(str(r[-1]) for r in cursor.fetchall())
    return out


@pytest.mark.parametrize("light", ["", "red"])
def test_the_queue_reads_its_page_in_index_order_and_its_counts_from_the_index(demo_city, client, light):
    with time_machine.travel(MONDAY, tick=False):
        _dated_cases(list(range(-5, 60)))  # more than a page, of every light
        client.force_login(registrar().user)
        reads = _case_reads(client, **({"light": light} if light else {}))
    counts = [
        p for sql, p in reads.items() if sql.lstrip().startswith('SELECT "cases_case"."due_on" AS "due_on"')
    ]
    pages = [p for sql, p in reads.items() if '"cases_case"."number"' in sql]
    assert counts and pages, reads
    for plan in counts:
        assert "USING COVERING INDEX case_queue_body_idx" in plan, plan
    for plan in pages:
        assert "USING INDEX case_queue_body_idx" in plan and "TEMP B-TREE" not in plan, plan
