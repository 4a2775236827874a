"""Server time of the two busiest staff pages — my queue (/cases/) and the case page (/cases/<pk>/) —
through Django's test Client, on a big table: `python bench/workspace/bench_pages.py [N]` (default 1M cases,
a temp SQLite file). Target: p95 ≤ 50 ms each.

Cases are copied from one template row in SQL (so the bench keeps working as the case model grows) over
400 bodies; one in eight is open (the backlog in hand) with an open clock owed by its current body, the
rest archived long ago. Results go to stdout and bench/workspace/README.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.benchlib import agency_bodies, percentile, series_sql, template_case  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
BODIES = 400
OPEN_EVERY = 8
RUNS = 100


def generate(n_cases: int):
    from django.core.management import call_command
    from django.db import connection, transaction

    from xinfang.cases.models import Case, State
    from xinfang.deadlines.models import Clock
    from xinfang.orgs.models import Membership, Region, Role, User

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    today = date.today()
    with transaction.atomic():
        region = Region.objects.create(code="880000", name="基准市", level="city")
        bodies = agency_bodies(region, BODIES)
        template = template_case(region=region, body=bodies[0])
        user = User.objects.create_user("bench", password="x", display_name="基准承办人")
        Membership.objects.create(user=user, body=bodies[1], role=Role.CASE_OFFICER)
    first_body = bodies[0].pk
    columns = [f.column for f in Case._meta.local_concrete_fields if f.column != "id"]
    q = connection.ops.quote_name
    varied = {
        "number": "'B' || CAST(n AS TEXT)",
        "current_body_id": f"{first_body} + (n % {BODIES})",
        "registering_body_id": f"{first_body} + (n % {BODIES})",
        "handling_body_id": f"{first_body} + (n % {BODIES})",
        "state": f"CASE WHEN (n / {BODIES}) % {OPEN_EVERY} = 0 THEN 'accepted' ELSE 'archived' END",
    }
    select = ", ".join(varied.get(c, f"t.{q(c)}") for c in columns)
    prefix, series = series_sql("sqlite", n_cases)
    with connection.cursor() as cur, transaction.atomic():
        cur.execute(
            f"{prefix}INSERT INTO {q(Case._meta.db_table)} ({', '.join(q(c) for c in columns)}) "
            f"SELECT {select} FROM {series}, {q(Case._meta.db_table)} t WHERE t.id = {template.pk}"
        )
    print(f"  cases: {n_cases:,} in {time.perf_counter() - began:.0f} s", flush=True)
    # One open handling clock per open case, owed by its current body, due from 20 days ago to 60 ahead.
    open_cases = (
        Case.objects.filter(state=State.ACCEPTED).exclude(pk=template.pk).values_list("pk", "current_body_id")
    )
    batch: list[Clock] = []
    for i, (pk, body_id) in enumerate(open_cases.iterator(chunk_size=20_000)):
        batch.append(
            Clock(
                case_id=pk,
                kind="handling",
                body_id=body_id,
                started_on=today - timedelta(days=40),
                days=60,
                due_on=today + timedelta(days=-20 + (i * 7919) % 81),
                legal_basis="第三十四条",
            )
        )
        if len(batch) == 20_000:
            Clock.objects.bulk_create(batch)
            batch.clear()
    Clock.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    elapsed = time.perf_counter() - began
    print(f"  clocks: {Clock.objects.count():,} open; generated in {elapsed:.0f} s", flush=True)
    return user, bodies[1], elapsed


def timed(client, url: str) -> list[float]:
    out = []
    for i in range(RUNS + 5):
        t0 = time.perf_counter()
        resp = client.get(url)
        ms = (time.perf_counter() - t0) * 1000
        assert resp.status_code == 200, (url, resp.status_code)
        if i >= 5:  # warm-up
            out.append(ms)
    return out


def main() -> None:
    # BENCH_DB=<file> times an already generated database again (after a code change) without regenerating.
    reuse = os.environ.get("BENCH_DB")
    db = Path(reuse) if reuse else Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from xinfang.cases.models import Case

    # Not setup_test_environment(): its instrumented template rendering would be timed too.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(f"generating {N:,} cases over {BODIES} bodies (SQLite {db}) …", flush=True)
    if reuse:
        from xinfang.orgs.models import User

        user = User.objects.get(username="bench")
        body = user.memberships.get().body
        gen_s = float(os.environ.get("BENCH_GEN_S", "0"))
    else:
        user, body, gen_s = generate(N)
    client = Client()
    client.force_login(user)
    queue_rows = Case.objects.filter(current_body=body, state="accepted").count()
    case_pk = (
        Case.objects.filter(current_body=body, state="accepted")
        .order_by("pk")
        .values_list("pk", flat=True)[0]
    )
    results = {
        f"我的待办 /cases/（本机关在办 {queue_rows:,} 件，50 件一页）": timed(client, "/cases/"),
        "我的待办 第2页 /cases/?page=2": timed(client, "/cases/?page=2"),
        f"事项页 /cases/{case_pk}/": timed(client, f"/cases/{case_pk}/"),
    }
    lines = [
        "# bench/workspace — staff page server time",
        "",
        f"`python bench/workspace/bench_pages.py {N}` on SQLite (temp file), {N:,} cases over {BODIES} bodies, "
        f"1 in {OPEN_EVERY} open with an open clock; generated in {gen_s:.0f} s. {RUNS} requests each through "
        "Django's test Client (server time: middleware, selectors, template), after 5 warm-up requests. "
        "Target p95 ≤ 50 ms.",
        "",
        "| page | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for name, ms in results.items():
        lines.append(f"| {name} | {statistics.median(ms):.1f} | {percentile(ms, 95):.1f} | {max(ms):.1f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "workspace" / "README.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
