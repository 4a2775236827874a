"""A hall day: 2,000 visitors at 20 windows. Every check-in goes through `ticket_issue` (the day counter
locked), windows call the next number and record a consultation visit, and the TV board's panel is fetched
through Django's test Client after every 10 check-ins (as a 3-second poll would over a day's traffic).

    python bench/reception/hall_day.py [VISITS] [WINDOWS]     # default 2000 20, a temp SQLite file
    DATABASE_URL=postgres://…/xf_hall_bench python bench/reception/hall_day.py

Prints the p50/p95 of each step (ms), the board panel's query count, and the figures' time for the day.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.benchlib import django_setup, percentile  # noqa: E402

VISITS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
WINDOWS = int(sys.argv[2]) if len(sys.argv) > 2 else 20


def ms(values: list[float]) -> str:
    return f"p50 {statistics.median(values) * 1000:.1f} ms, p95 {percentile(values, 95) * 1000:.1f} ms"


def main() -> None:
    if not os.environ.get("DATABASE_URL"):
        django_setup(tempfile.mkstemp(suffix=".sqlite3")[1])
    else:
        django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from xinfang.cases.services import PetitionerInput
    from xinfang.orgs.acting import actor_for
    from xinfang.orgs.models import Body, BodyKind, Membership, Region, Role, User
    from xinfang.reception.figures import hall_figures
    from xinfang.reception.models import Service, ServiceKind, Ticket, Visit
    from xinfang.reception.services import ticket_call_next, ticket_issue, visit_record

    call_command("migrate", verbosity=0)
    Visit.objects.all().delete()
    Ticket.objects.all().delete()
    region, _ = Region.objects.get_or_create(code="870000", defaults={"name": "基准市", "level": "city"})
    body, _ = Body.objects.get_or_create(
        code="870000-xinfang", defaults={"name": "基准信访局", "kind": BodyKind.XINFANG, "region": region}
    )
    user, _ = User.objects.get_or_create(username="bench-hall", defaults={"display_name": "基准登记员"})
    Membership.objects.get_or_create(user=user, body=body, role=Role.REGISTRAR)
    actor = actor_for(user, body)
    services = []
    for i in range(WINDOWS):
        s, _ = Service.objects.get_or_create(
            body=body,
            prefix=f"{chr(65 + i // 26)}{chr(65 + i % 26)}",
            defaults={
                "kind": ServiceKind.ROOM if i % 3 else ServiceKind.AGENCY,
                "name": f"窗口{i + 1}",
                "sort": i,
            },
        )
        services.append(s)
    rng = random.Random(7)
    client = Client()
    board_url = f"/hall/board/{body.code}/panel/"
    checkin, call, record, board = [], [], [], []
    board_queries = 0
    start = timezone.now().replace(hour=0, minute=30) if timezone.now().hour > 1 else timezone.now()
    pending: list = []
    began = time.perf_counter()
    for i in range(VISITS):
        now = start + timedelta(seconds=i * 10)
        t0 = time.perf_counter()
        ticket = ticket_issue(actor=actor, service=rng.choice(services), now=now)
        checkin.append(time.perf_counter() - t0)
        pending.append(ticket)
        if i % 10 == 9:
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as q:
                response = client.get(board_url)
            board.append(time.perf_counter() - t0)
            board_queries = max(board_queries, len(q))
            assert response.status_code == 200
        # Windows keep up with roughly the arrivals: serve one waiting visitor for most check-ins.
        if len(pending) > WINDOWS // 2 or i == VISITS - 1:
            while pending and (len(pending) > WINDOWS // 4 or i == VISITS - 1):
                day = pending.pop(0).service_day
                t0 = time.perf_counter()
                called = ticket_call_next(
                    actor=actor, service_day=day, now=now + timedelta(minutes=rng.randint(1, 30))
                )
                call.append(time.perf_counter() - t0)
                if called is None:
                    continue
                t0 = time.perf_counter()
                visit_record(
                    actor=actor,
                    ticket=called,
                    people=[PetitionerInput(name=f"来访人{i}")],
                    statement="咨询社保转移",
                    outcome="consultation",
                    consultation_kind="information",
                    now=called.called_at + timedelta(minutes=rng.randint(3, 15)),
                )
                record.append(time.perf_counter() - t0)
    total = time.perf_counter() - began
    t0 = time.perf_counter()
    today = start.astimezone(timezone.get_current_timezone()).date()
    f = hall_figures(body=body, start=today, end=today)
    figures_s = time.perf_counter() - t0
    print(f"database: {connection.vendor}; {VISITS} check-ins at {WINDOWS} windows in {total:.1f} s")
    print(f"check-in (ticket_issue): {ms(checkin)}")
    print(f"call next: {ms(call)}; visit record: {ms(record)} ({len(record)} visits)")
    print(f"board panel: {ms(board)} ({len(board)} refreshes, {board_queries} queries each)")
    print(
        f"figures for the day: {figures_s * 1000:.0f} ms — wait p50 {f.wait_p50_min:.1f} min, p90 {f.wait_p90_min:.1f} min"
    )


if __name__ == "__main__":
    main()
