"""All bodies' figures for a year (figures_all_bodies) over generated data, and the same counts in DuckDB
over an export of the same rows as the ceiling to compare with.

    psql -h 127.0.0.1 -U postgres -c 'create database bench_fig'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_fig .venv/bin/python bench/analytics/bench_figures.py --cases 5000000
    psql -h 127.0.0.1 -U postgres -c 'drop database bench_fig'
    .venv/bin/python bench/analytics/bench_figures.py --cases 200000          # SQLite (a temp file)

Generated in SQL straight into the tables (no services; the tally triggers count the rows as they go in,
and `figures_rebuild` recounts them afterwards, as a bulk load must): cases copied from one template row, spread over
the year and over BODIES bodies; per case a registration, an acceptance, a handling and an evaluation
clock (--clocks-per-case 1..4 takes the first k of these), a mix of on time / late / open, and an
evaluation row for some. Target: ≤ 1 s for all bodies' figures. DuckDB is optional (`pip install duckdb`).
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
from bench.benchlib import agency_bodies, django_setup, series_sql, template_case  # noqa: E402

BODIES = 400
YEAR = 2026
TODAY = date(2026, 12, 31)
KINDS = ("registration", "acceptance", "handling", "evaluation")


def _generate(n_cases: int, per_case: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from xinfang.cases.models import Case
    from xinfang.orgs.models import Body, BodyKind, Region

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    if Case.objects.exists():
        raise SystemExit("数据库不为空：请为基准测试新建一个空库。")
    vendor = connection.vendor
    q = connection.ops.quote_name
    with transaction.atomic():
        region = Region.objects.create(code="880000", name="基准市", level="city", path="/880000/")
        bodies = agency_bodies(region, BODIES)
        # The city's 信访局: its dashboard covers every body of the region (the page timed below).
        Body.objects.create(code="880000-xinfang", name="基准市信访局", kind=BodyKind.XINFANG, region=region)
        template = template_case(
            region=region,
            body=bodies[0],
            request="小区屋顶漏水多年，请求维修。",
            registered_at="2026-01-01T08:00:00+08:00",
        )
    b0 = bodies[0].pk
    pg = vendor == "postgresql"
    txt = "n::text" if pg else "CAST(n AS TEXT)"
    ts = (
        "TIMESTAMPTZ '2026-01-01 08:00+08' + (n % 360) * INTERVAL '1 day'"
        if pg
        else "datetime('2026-01-01 00:00:00', '+' || (n % 360) || ' days')"
    )
    varied = {
        "number": f"'B' || {txt}",
        "registering_body_id": f"{b0} + (n % {BODIES})",
        "current_body_id": f"{b0} + (n % {BODIES})",
        "handling_body_id": f"{b0} + ((n * 7) % {BODIES})",
        "registered_at": ts,
        "is_repeat": "(n % 13 = 0)",
        "is_backlog": "(n % 50 = 0)",
        "state": "CASE WHEN n % 3 = 0 THEN 'concluded' ELSE 'accepted' END",
    }
    cols = [f.column for f in Case._meta.local_concrete_fields if f.column != "id"]
    select = ", ".join(varied.get(c, f"t.{q(c)}") for c in cols)
    prefix, series = series_sql(vendor, n_cases, pg_type="int")
    with connection.cursor() as cur, transaction.atomic():
        cur.execute(
            f"{prefix}INSERT INTO {q(Case._meta.db_table)} ({', '.join(q(c) for c in cols)}) "
            f"SELECT {select} FROM {series}, {q(Case._meta.db_table)} t WHERE t.id = {template.pk}"
        )
    first_case = Case.objects.exclude(pk=template.pk).order_by("pk").values_list("pk", flat=True).first()
    print(f"  cases: {n_cases:,} in {time.perf_counter() - began:.0f} s", flush=True)

    # One clock per (case, kind): due spread over the year; 80% on time, 8% late, 7% open past due, 5% open.
    date_add = (
        (lambda d, e: f"(DATE '{d}' + ({e}))")
        if pg
        else (lambda d, e: f"date('{d}', '+' || ({e}) || ' days')")
    )
    for k, kind in enumerate(KINDS[:per_case]):
        prefix, series = series_sql(vendor, n_cases, pg_type="int")
        due = date_add("2026-01-10", "(n + 15 * " + str(k) + ") % 350")
        stopped_late = date_add("2026-01-15", "(n + 15 * " + str(k) + ") % 350")
        b = "bucket"
        with connection.cursor() as cur, transaction.atomic():
            cur.execute(
                f"""{prefix}INSERT INTO deadlines_clock (case_id, kind, body_id, is_window, started_on, days, working,
                    extension_days, pauses, due_on, beyond_known_calendar, counted, legal_basis, is_open,
                    stopped_on, on_time, stopped_by)
                SELECT case_id, '{kind}', body_id, {"true" if kind == "evaluation" else "false"}, due, 15, false,
                    0, '[]', due, false, '[]', '', {b} >= 95,
                    CASE WHEN {b} < 80 THEN due WHEN {b} < 88 THEN late ELSE NULL END,
                    CASE WHEN {b} < 80 THEN true WHEN {b} < 88 THEN false ELSE NULL END,
                    CASE WHEN {b} < 88 THEN '{"evaluate" if kind == "evaluation" else "act"}' ELSE '' END
                FROM (SELECT {first_case} + n - 1 AS case_id, {b0} + ((n * 7) % {BODIES}) AS body_id,
                             {due} AS due, {stopped_late} AS late, (n * 37 + {k}) % 100 AS {b}
                      FROM {series}) g
                """
            )
        print(f"  clocks {kind}: {n_cases:,} ({time.perf_counter() - began:.0f} s)", flush=True)
    # 满意率: an evaluation for every 3rd case (answer stage), mostly satisfied.
    prefix, series = series_sql(vendor, n_cases // 3, pg_type="int")
    created = (
        "TIMESTAMPTZ '2026-01-20 10:00+08' + (n % 330) * INTERVAL '1 day'"
        if pg
        else "datetime('2026-01-20 02:00:00', '+' || (n % 330) || ' days')"
    )
    with connection.cursor() as cur, transaction.atomic():
        cur.execute(
            f"""{prefix}INSERT INTO evaluation_evaluation (case_id, stage, result, channel, comment, created_at)
            SELECT {first_case} + 3 * (n - 1), 'answer',
                   CASE WHEN n % 29 = 0 THEN 'unsatisfied' WHEN n % 5 = 0 THEN 'basically' ELSE 'satisfied' END,
                   'online', '', {created} FROM {series}"""
        )
    with connection.cursor() as cur:
        # VACUUM sets the visibility map, as autovacuum soon would on a live database, so that PostgreSQL
        # may answer from the covering indexes alone (index-only scans); SQLite just needs its statistics.
        cur.execute("VACUUM ANALYZE" if pg else "ANALYZE")
    print(f"  generated in {time.perf_counter() - began:.0f} s", flush=True)


def _rebuild() -> None:
    """figures_rebuild, as every bulk load must run it. (The tally triggers already counted the generated
    rows statement by statement; the rebuild recounts them from scratch — its time is what a bulk load
    with the triggers off would add.)"""
    from django.core.management import call_command
    from django.db import connection

    from xinfang.analytics.models import ClockTally, EvaluationTally, RegistrationTally

    t0 = time.perf_counter()
    call_command("figures_rebuild", stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cur:
        for model in (ClockTally, EvaluationTally, RegistrationTally):
            cur.execute(
                f"{'VACUUM ' if connection.vendor == 'postgresql' else ''}ANALYZE {model._meta.db_table}"
            )
    print(
        f"  figures_rebuild: {time.perf_counter() - t0:.1f} s → tally rows: clocks {ClockTally.objects.count():,}, "
        f"evaluations {EvaluationTally.objects.count():,}, registrations {RegistrationTally.objects.count():,}",
        flush=True,
    )


def _time_figures(runs: int) -> tuple[list[float], dict]:
    from xinfang.analytics.figures import Period, figures_all_bodies

    times = []
    result = None
    for i in range(runs + 1):
        t0 = time.perf_counter()
        result = figures_all_bodies(period=Period.year(YEAR), today=TODAY)
        if i:  # the first run warms the caches
            times.append(time.perf_counter() - t0)
    totals: dict = {}
    for figs in result:
        for f in figs:
            n, d = totals.get(f.key, (0, 0))
            totals[f.key] = (n + f.numerator, d + f.denominator)
    return times, totals


def _time_dashboard(runs: int) -> list[float]:
    from xinfang.analytics.dashboard import dashboard_data
    from xinfang.orgs.models import Body

    body = Body.objects.get(code="880000-xinfang")
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        d = dashboard_data(body=body, year=YEAR, today=TODAY)
        if i:
            times.append(time.perf_counter() - t0)
    assert d.total and d.ranking
    return times


def _export_csv(sql: str, path: Path) -> None:
    import csv

    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor  # psycopg: COPY streams the rows out without Python touching each one
            with path.open("wb") as fh, raw.copy(f"COPY ({sql}) TO STDOUT WITH CSV HEADER") as copy:
                for chunk in copy:
                    fh.write(chunk)
            return
        cur.execute(sql)
        with path.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([c[0] for c in cur.description])
            while rows := cur.fetchmany(50_000):
                w.writerows(rows)


def _duckdb(runs: int) -> tuple[list[float], dict] | None:
    try:
        import duckdb
    except ImportError:
        print("  duckdb: not installed (pip install duckdb) — ceiling skipped")
        return None

    from xinfang.analytics.figures import satisfied_results

    tmp = Path(tempfile.mkdtemp(prefix="bench-fig-"))
    t0 = time.perf_counter()
    con = duckdb.connect()
    tables = {
        "clock": "SELECT body_id, kind, due_on, is_open, on_time, stopped_by FROM deadlines_clock",
        "ev": "SELECT e.result, e.stage, e.created_at, c.handling_body_id FROM evaluation_evaluation e "
        "JOIN cases_case c ON c.id = e.case_id",
        "cs": "SELECT registering_body_id, handling_body_id, registered_at, is_repeat, is_backlog, state FROM cases_case",
    }
    for name, sql in tables.items():
        path = tmp / f"{name}.csv"
        _export_csv(sql, path)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv_auto('{path}', header = true)")
    print(f"  export (CSV) and load into DuckDB: {time.perf_counter() - t0:.1f} s", flush=True)
    good = ", ".join(f"'{r}'" for r in satisfied_results())
    queries = [
        f"""SELECT body_id, kind,
              count(*) FILTER (WHERE NOT is_open AND on_time),
              count(*) FILTER (WHERE (NOT is_open AND NOT on_time) OR (is_open AND due_on < DATE '{TODAY}')),
              count(*) FILTER (WHERE NOT is_open AND stopped_by = 'evaluate'),
              count(*) FILTER (WHERE (NOT is_open AND stopped_by <> 'evaluate') OR (is_open AND due_on < DATE '{TODAY}'))
            FROM clock WHERE due_on BETWEEN DATE '{YEAR}-01-01' AND DATE '{YEAR}-12-31'
            GROUP BY 1, 2""",
        f"""SELECT handling_body_id, count(*), count(*) FILTER (WHERE result IN ({good}))
            FROM ev WHERE created_at >= TIMESTAMPTZ '{YEAR}-01-01 00:00+08'
              AND created_at < TIMESTAMPTZ '{YEAR + 1}-01-01 00:00+08' GROUP BY 1""",
        f"""SELECT registering_body_id, count(*), count(*) FILTER (WHERE is_repeat)
            FROM cs WHERE registered_at >= TIMESTAMPTZ '{YEAR}-01-01 00:00+08'
              AND registered_at < TIMESTAMPTZ '{YEAR + 1}-01-01 00:00+08' GROUP BY 1""",
        f"""SELECT coalesce(handling_body_id, registering_body_id), count(*),
              count(*) FILTER (WHERE state IN ('concluded', 'terminated', 'archived'))
            FROM cs WHERE is_backlog AND registered_at < TIMESTAMPTZ '{YEAR + 1}-01-01 00:00+08'
            GROUP BY 1""",
    ]
    times = []
    out = None
    for i in range(runs + 1):
        t0 = time.perf_counter()
        out = [con.execute(sql).fetchall() for sql in queries]
        if i:
            times.append(time.perf_counter() - t0)
    clocks = out[0]
    totals = {
        "clock_on_time": sum(r[2] for r in clocks if r[1] != "evaluation"),
        "clock_late": sum(r[3] for r in clocks if r[1] != "evaluation"),
        "evaluated": sum(r[4] for r in clocks if r[1] == "evaluation"),
        "satisfied": sum(r[2] for r in out[1]),
        "repeats": sum(r[2] for r in out[2]),
    }
    return times, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=None, help="default: 5M on PostgreSQL, 200k on SQLite")
    parser.add_argument("--clocks-per-case", type=int, default=4, choices=[1, 2, 3, 4])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="time an already generated database again (PostgreSQL)"
    )
    args = parser.parse_args()
    sqlite_path = None
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sqlite_path = tempfile.mktemp(prefix="bench-fig-", suffix=".sqlite3")
    django_setup(sqlite_path)
    from django.db import connection

    n = args.cases or (5_000_000 if connection.vendor == "postgresql" else 200_000)
    print(f"{connection.vendor}: {n:,} cases × {args.clocks_per_case} clocks, {BODIES} bodies, year {YEAR}")
    from xinfang.cases.models import Case

    if args.reuse and Case.objects.exists():
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # new indexes since it was generated
        print(f"  reusing the generated database ({Case.objects.count():,} cases)", flush=True)
    else:
        _generate(n, args.clocks_per_case)
    _rebuild()
    times, totals = _time_figures(args.runs)
    print(
        f"  figures_all_bodies ({connection.vendor}): median {statistics.median(times):.3f} s, "
        f"max {max(times):.3f} s over {args.runs} runs — target ≤ 1 s: {'OK' if max(times) <= 1 else 'MISSED'}"
    )
    for key, (num, den) in totals.items():
        print(f"    {key:<26} {num:>10,} / {den:>10,}")
    dtimes = _time_dashboard(args.runs)
    print(
        f"  /figures/ dashboard data for the city 信访局 ({connection.vendor}): median "
        f"{statistics.median(dtimes):.3f} s, max {max(dtimes):.3f} s — target < 1 s: "
        f"{'OK' if max(dtimes) < 1 else 'MISSED'}"
    )
    duck = _duckdb(args.runs)
    if duck:
        dtimes, dtotals = duck
        print(
            f"  DuckDB over the export (ceiling): median {statistics.median(dtimes):.3f} s, "
            f"max {max(dtimes):.3f} s"
        )
        print(f"    {dtotals}")
    if sqlite_path:
        os.unlink(sqlite_path)


if __name__ == "__main__":
    main()
