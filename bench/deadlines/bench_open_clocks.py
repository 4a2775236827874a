"""An agency's first page of open clocks (50 rows, by due date, with lights) plus its light counts, on a
big table: 1M cases on SQLite (a temp file), 5M on PostgreSQL when DATABASE_URL points to one.

    .venv/bin/python bench/deadlines/bench_open_clocks.py                  # SQLite, 1M cases
    psql -h 127.0.0.1 -U postgres -c 'create database bench_xf'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_xf .venv/bin/python bench/deadlines/bench_open_clocks.py
    psql -h 127.0.0.1 -U postgres -c 'drop database bench_xf'

The database must be empty (it is migrated here). One clock row per case by default (--clocks-per-case):
a closed case's stopped clocks only widen the index's closed part, which the query never reads.
Cases are copied from one template row in SQL (so the bench keeps working when the case model grows);
clocks likewise from a number series (a recursive CTE on SQLite, generate_series on PostgreSQL). Target p95 ≤ 30 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.benchlib import django_setup, percentile, series_sql, template_case  # noqa: E402

BODIES = 400
OPEN_SHARE = 0.12  # open clocks: the backlog in hand; the rest closed long ago
TODAY = date(2026, 3, 16)


def _generate(n_cases: int, clocks_per_case: int) -> tuple[list[int], float]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from xinfang.cases.models import Case
    from xinfang.orgs.models import Body, BodyKind, Region

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    if Case.objects.exists():
        raise SystemExit("数据库不为空：请为基准测试新建一个空库。")
    vendor = connection.vendor
    with transaction.atomic():
        region = Region.objects.create(code="880000", name="基准市", level="city")
        bodies = []
        for i in range(BODIES):
            bodies.append(
                Body.objects.create(
                    code=f"880000-b{i:03d}", name=f"基准机关{i:03d}", kind=BodyKind.AGENCY, region=region
                )
            )
        body_ids = [b.pk for b in bodies]
        template = template_case(region=region, body=bodies[0])
    first_body = min(body_ids)
    assert body_ids == list(range(first_body, first_body + BODIES)), "body ids must be contiguous"

    # Cases: copy the template row's columns; vary only the number and the bodies.
    columns = [f.column for f in Case._meta.local_concrete_fields if f.column != "id"]
    q = connection.ops.quote_name
    concat = "'B' || CAST(n AS TEXT)" if vendor == "sqlite" else "'B' || n::text"
    varied = {
        "number": concat,
        "current_body_id": f"{first_body} + (n % {BODIES})",
        "registering_body_id": f"{first_body} + (n % {BODIES})",
    }
    select = ", ".join(varied.get(c, f"t.{q(c)}") for c in columns)
    prefix, series = series_sql(vendor, n_cases)
    with connection.cursor() as cur, transaction.atomic():
        cur.execute(
            f"{prefix}INSERT INTO {q(Case._meta.db_table)} ({', '.join(q(c) for c in columns)}) "
            f"SELECT {select} FROM {series}, {q(Case._meta.db_table)} t WHERE t.id = {template.pk}"
        )
    case_ids = Case.objects.exclude(pk=template.pk).order_by("pk").values_list("pk", flat=True)
    first_case = case_ids.first()
    print(f"  cases: {n_cases:,} in {time.perf_counter() - began:.0f} s", flush=True)

    # Clocks. Open ones due from 20 days ago to 60 days ahead; closed ones long past.
    n_clocks = n_cases * clocks_per_case
    open_every = round(1 / OPEN_SHARE)
    if vendor == "postgresql":

        def day(offset: str) -> str:
            return f"(%s::date + ({offset})::int)"  # date + bigint has no operator

        false, true, empty = "false", "true", "'[]'::jsonb"
    else:

        def day(offset: str) -> str:
            return f"date(%s, ({offset}) || ' days')"

        false, true, empty = "0", "1", "'[]'"
    is_open = f"(n / {BODIES}) %% {open_every} = 0"  # every body gets its share
    prefix, series = series_sql(vendor, n_clocks)
    # One INSERT … SELECT over a number series on both databases: bulk_create took 451 s for 1M on SQLite.
    with connection.cursor() as cur, transaction.atomic():
        cur.execute(
            f"""
            {prefix}INSERT INTO deadlines_clock (case_id, kind, body_id, is_window, started_on, days, working,
                extension_days, pauses, due_on, beyond_known_calendar, counted, legal_basis, is_open,
                stopped_on, on_time, stopped_by)
            SELECT {first_case} + ((n - 1) / {clocks_per_case}), 'handling',
                {first_body} + (((n - 1) / {clocks_per_case} + 1) %% {BODIES}), {false},
                {day("-40")}, 60, {false}, 0, {empty},
                CASE WHEN {is_open} THEN {day("-20 + (n * 7919) %% 81")}
                     ELSE {day("-400 + (n * 7919) %% 360")} END,
                {false}, {empty}, '第三十四条', CASE WHEN {is_open} THEN {true} ELSE {false} END,
                CASE WHEN {is_open} THEN NULL ELSE {day("-420 + (n * 7919) %% 360")} END,
                CASE WHEN {is_open} THEN NULL ELSE {true} END,
                CASE WHEN {is_open} THEN '' ELSE 'answer' END
            FROM {series}
            """,
            [TODAY, TODAY, TODAY, TODAY],
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    elapsed = time.perf_counter() - began
    print(
        f"  clocks: {n_clocks:,} ({OPEN_SHARE:.0%} open) over {BODIES} bodies; generated in {elapsed:.0f} s"
    )
    return body_ids, elapsed


def _time(body_id: int, runs: int) -> dict[str, list[float]]:
    from django.db import reset_queries

    from xinfang.deadlines.selectors import light_counts_for_body, open_clocks_for_body
    from xinfang.orgs.models import Body

    body = Body.objects.get(pk=body_id)
    out: dict[str, list[float]] = {"page": [], "counts": [], "both": []}
    for i in range(runs + 5):
        t0 = time.perf_counter()
        rows = open_clocks_for_body(body=body, today=TODAY, limit=50)
        t1 = time.perf_counter()
        counts = light_counts_for_body(body=body, today=TODAY)
        t2 = time.perf_counter()
        reset_queries()
        if i >= 5:  # warm-up
            out["page"].append((t1 - t0) * 1000)
            out["counts"].append((t2 - t1) * 1000)
            out["both"].append((t2 - t0) * 1000)
    assert len(rows) == 50 and rows[0].case.number, "the page must be full and have its cases joined"
    print(f"  body {body.name}: {sum(counts.values()):,} open clocks, lights {counts}")
    return out


def _explain(body_id: int) -> str:
    from xinfang.deadlines.models import Clock

    qs = (
        Clock.objects.filter(body_id=body_id, is_open=True)
        .select_related("case")
        .order_by("due_on", "id")[:50]
    )
    return qs.explain()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=None, help="default: 1M on SQLite, 5M on PostgreSQL")
    parser.add_argument("--clocks-per-case", type=int, default=1)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    tmp = None
    if not on_postgres:
        fd, tmp = tempfile.mkstemp(prefix="bench-xf-", suffix=".sqlite3")
        os.close(fd)
    django_setup(tmp)
    from django.db import connection

    n_cases = args.cases or (5_000_000 if on_postgres else 1_000_000)
    print(f"{connection.vendor} {connection.Database.__name__}: generating {n_cases:,} cases …", flush=True)
    try:
        body_ids, _ = _generate(n_cases, args.clocks_per_case)
        body_id = body_ids[len(body_ids) // 2]
        print("  plan:", _explain(body_id).replace("\n", "\n        "))
        timings = _time(body_id, args.runs)
        print(f"{'query':<34}{'p50 ms':>10}{'p95 ms':>10}   ({args.runs} runs)")
        for key, label in (
            ("page", "first page (50 rows, joined)"),
            ("counts", "light counts"),
            ("both", "page + counts"),
        ):
            values = timings[key]
            print(f"{label:<34}{statistics.median(values):>10.2f}{percentile(values, 95):>10.2f}")
        p95 = percentile(timings["both"], 95)
        print(f"target p95 ≤ 30 ms: {'met' if p95 <= 30 else 'NOT met'} ({p95:.2f} ms)")
    finally:
        if tmp is not None:
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(tmp + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
