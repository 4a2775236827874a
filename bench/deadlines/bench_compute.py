"""How many due dates the pure engine computes per second (no database).

    .venv/bin/python bench/deadlines/bench_compute.py [--seconds 2]

The daily ledger recomputes every open clock of an agency; this says how far one process goes.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date, timedelta

import django
from django.conf import settings

if not settings.configured:
    # The engine reads two settings at most; the bench needs no project settings or database.
    settings.configure(USE_TZ=True, TIME_ZONE="Asia/Shanghai")
    django.setup()

from xinfang.deadlines.calendar import EnteredDay, Pause, WorkCalendar, compute_due


def _rate(label: str, work: Callable[[int], object], seconds: float) -> None:
    n, began = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - began) < seconds:
        for i in range(1000):
            work(n + i)
        n += 1000
    print(f"{label:<48} {n / elapsed:>12,.0f} /s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per scenario")
    args = parser.parse_args()

    rng = random.Random(20260925)
    starts = [date(2024, 1, 1) + timedelta(days=rng.randrange(0, 1000)) for _ in range(4096)]
    package = WorkCalendar()
    # As if an administrator had entered 2027 (hypothetical days) — exercises the override path.
    entered = WorkCalendar(
        entered=[EnteredDay(date=date(2027, 1, 1), kind="holiday", name="元旦")], complete_years=[2027]
    )
    pause = [Pause(date(2025, 3, 10), date(2025, 3, 19))]

    def pick(i: int) -> date:
        return starts[i & 4095]

    print(f"compute_due, pure engine, {args.seconds:g} s per scenario")
    _rate(
        "15 calendar days (登记/告知)",
        lambda i: compute_due(start=pick(i), days=15, calendar=package),
        args.seconds,
    )
    _rate(
        "60+30 calendar days (办理+延期)",
        lambda i: compute_due(start=pick(i), days=60, extension_days=30, calendar=package),
        args.seconds,
    )
    _rate(
        "5 working days (异议)",
        lambda i: compute_due(start=pick(i), days=5, working=True, calendar=package),
        args.seconds,
    )
    _rate(
        "30 calendar days, dated 10-day pause (复核+听证)",
        lambda i: compute_due(start=pick(i), days=30, pauses=pause, calendar=package),
        args.seconds,
    )
    _rate(
        "30 calendar days, admin-entered calendar",
        lambda i: compute_due(start=pick(i), days=30, calendar=entered),
        args.seconds,
    )


if __name__ == "__main__":
    main()
