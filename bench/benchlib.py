"""What the database benchmarks share: Django setup on a chosen database, a number series in SQL, a
percentile, the CPU seconds of other processes (read from /proc: gunicorn workers, a PostgreSQL backend on
this machine), and the template case that the generators copy in SQL.

A bench script imports it after putting the repository on ``sys.path``::

    ROOT = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(ROOT))
    from bench.benchlib import agency_bodies, django_setup, percentile, series_sql, template_case
"""

from __future__ import annotations

import os
from pathlib import Path


def django_setup(sqlite_path: str | None = None) -> None:
    """Django on ``sqlite_path`` when given (a temp file), else on DATABASE_URL; the test settings."""
    if sqlite_path:
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def series_sql(vendor: str, n: int, *, pg_type: str = "bigint") -> tuple[str, str]:
    """(prefix, from-clause) giving rows n = 1..N: generate_series on PostgreSQL, a recursive CTE on
    SQLite. ``pg_type`` bigint by default (`n * 7919` passes 2^31 past n ≈ 271k and int4 arithmetic
    raises); "int" where the series is added to a date (PostgreSQL has date + int, not date + bigint)."""
    if vendor == "postgresql":
        return "", f"generate_series(1::{pg_type}, {n}) AS s(n)"
    return f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) ", "s"


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank p-th percentile (p in 0..100) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def proc_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds these processes have spent so far, from /proc/<pid>/stat (Linux); a process
    that is gone (or on another machine) counts 0."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


def db_server_cpu_seconds(connection=None) -> float:
    """CPU seconds of this Django connection's PostgreSQL backend so far (0 on SQLite, or where the server
    runs on another machine: /proc has no such process)."""
    if connection is None:
        from django.db import connection
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return proc_cpu_seconds([pid])


def agency_bodies(region, n: int) -> list:
    """``n`` agencies of ``region``, codes ``<region code>-b000`` …"""
    from xinfang.orgs.models import Body, BodyKind

    return [
        Body.objects.create(
            code=f"{region.code}-b{i:03d}", name=f"基准机关{i:03d}", kind=BodyKind.AGENCY, region=region
        )
        for i in range(n)
    ]


def template_case(*, region, body, **fields):
    """One accepted letter case that the generators copy in SQL (so they keep working as the model grows);
    ``fields`` override its defaults."""
    from xinfang.cases.models import Case, Channel, PetitionType, State

    values = {
        "number": "TEMPLATE",
        "query_code_hash": "x",
        "channel": Channel.LETTER,
        "petition_type": PetitionType.APPEAL,
        "problem_region": region,
        "request": "小区屋顶漏水多年，物业和开发商互相推诿，请求责令维修并赔偿损失。" * 3,
        "state": State.ACCEPTED,
        "registering_body": body,
        "current_body": body,
        **fields,
    }
    return Case.objects.create(**values)
