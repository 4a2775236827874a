"""A province's peak hour, replayed through the services (issue 14): register, transfer, receive, accept,
answer, evaluate — each a real service call with its events, clocks, notices, tallies and hash chain.

    python bench/peak_hour.py --actions 5000                     # temp SQLite file, 1,000 cases generated first
    python bench/peak_hour.py --actions 100000                   # the whole peak hour
    python bench/peak_hour.py --actions 5000 --db postgres       # DATABASE_URL (your own database)
    python bench/peak_hour.py --actions 2000 --profile 40        # + the 40 costliest functions (cProfile)
    python bench/peak_hour.py --actions 4000 --processes 2       # two replaying processes, as two app workers
    python bench/peak_hour.py --actions 4000 --queue redis://127.0.0.1:6379/13   # the task queue on Redis

What it does: migrates a new database (the production settings, `config.settings.base`: tasks go to the
queue file as a web process's would, not run inline; `--queue redis://…` puts the queue on Redis, as
XINFANG_QUEUE_URL does for several app servers — give it a Redis database of its own: the bench empties the
queue at the end), loads the demo city and generates `--base` cases with
the bulk generator so the tables are not empty, then replays `--actions` actions in `--processes` processes
(default one; each its own cases in flight, all on the one database, as app workers would). Each action
either registers a new case (a 信访局 registrar, petitioners and text from the generator's planner) or moves
the oldest case in flight one step along 转送 → 签收 → 受理 → 答复 → 评价, as the body that holds it (the
generator's cast of users). The mix is the life of a case: one registration for every five later steps.

It prints one JSON object: actions per second, the time 100,000 would take at that rate, the CPU each action
cost the replaying processes (Python and SQLite: the figure other people's work on a shared machine disturbs
least), p50/p95 ms per action kind, and the machine's load average before and after. With `--profile` also
cProfile's function calls per action: a figure no load disturbs (it changes only with the code).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.benchlib import db_server_cpu_seconds, percentile  # noqa: E402

LIFE = ["transfer", "receive", "accept", "answer", "evaluate"]


def _setup(db: str, queue: str = "") -> None:
    data = tempfile.mkdtemp(prefix="xinfang-peak-")
    os.environ["XINFANG_DATA_DIR"] = data
    if queue:
        os.environ["XINFANG_QUEUE_URL"] = queue
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    if db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{data}/peak.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _replay(actions: int, seed: int, profile: int) -> dict:
    """Replay `actions` actions in this process (its own planner and cases in flight); timings and CPU."""
    from django.utils import timezone

    from xinfang.cases.models import Case
    from xinfang.cases.services import case_act
    from xinfang.evaluation.services import evaluation_record
    from xinfang.generator import generate as gen

    cast = gen.Cast()
    plans = gen.Planner(seed=seed, year=None, now=timezone.now()).plans(actions)  # ≥ one plan per action
    steps = {s[1]: s for s in [*gen.HANDLED, gen.ANSWER, (gen.REG, "evaluate", {"result": "satisfied"}, 3)]}
    in_flight: deque = deque()  # (case pk, plan, index of its next step in LIFE)
    timings: dict[str, list[float]] = defaultdict(list)

    def act(done: int) -> None:
        # One registration for every len(LIFE) later steps, as in a case's life; register when none waits.
        if not in_flight or done % (len(LIFE) + 1) == 0:
            plan = next(plans)
            started = time.perf_counter()
            case = gen._register_via_service(cast, plan, timezone.now(), repeat=False).case
            timings["register"].append(time.perf_counter() - started)
            in_flight.append((case.pk, plan, 0))
            return
        pk, plan, i = in_flight.popleft()
        name = LIFE[i]
        step = steps[name]
        who = gen._acting(cast, plan, step)
        started = time.perf_counter()
        if name == "evaluate":
            evaluation_record(
                case=Case.objects.get(pk=pk), actor=who, result=step[2]["result"], comment="电话回访"
            )
        else:
            case_act(case=pk, actor=who, action=name, **gen._inputs(cast, plan, step))
        timings[name].append(time.perf_counter() - started)
        if i + 1 < len(LIFE):
            in_flight.append((pk, plan, i + 1))

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    from django.db import connection

    from xinfang.core import audit

    statements = [0]
    # PostgreSQL: how long each transaction waits for the chain's advisory lock and then holds it (to commit)
    lock_wait: list[float] = []
    lock_held: list[float] = []
    if connection.vendor == "postgresql":
        take = audit._lock_chain
        commit, rollback = connection.commit, connection.rollback
        got: list[float] = []  # when this transaction got the lock (empty: it has not taken it)

        def timed_lock(*args):  # (the ids of the pending events, when their check rides with the lock)
            asked = time.perf_counter()
            kept = take(*args)
            if not got:
                got.append(time.perf_counter())
                lock_wait.append(got[0] - asked)
            return kept

        def timed_commit() -> (
            None
        ):  # the lock is released by the COMMIT (not by the on-commit callbacks after)
            commit()
            if got:
                lock_held.append(time.perf_counter() - got.pop())

        def timed_rollback() -> None:
            rollback()
            got.clear()

        audit._lock_chain = timed_lock
        connection.commit, connection.rollback = timed_commit, timed_rollback

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    # PostgreSQL: the CPU of this connection's server process too (it runs on the same 2 cores)
    server0 = db_server_cpu_seconds(connection)
    cpu0 = time.process_time()
    with connection.execute_wrapper(count):
        for done in range(actions):
            act(done)
    cpu = time.process_time() - cpu0
    server = db_server_cpu_seconds(connection) - server0
    calls = 0
    if profiler is not None:
        import pstats

        profiler.disable()
        calls = pstats.Stats(profiler).total_calls
        pstats.Stats(profiler).sort_stats("cumulative").print_stats("xinfang|huey", profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)
    return {
        "timings": dict(timings),
        "cpu": cpu,
        "server_cpu": server,
        "function_calls": calls,
        "statements": statements[0],
        "lock_wait": lock_wait,
        "lock_held": lock_held,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--base", type=int, default=1000, help="cases generated before the replay")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--profile", type=int, default=0, help="print the N costliest functions (one process)"
    )
    parser.add_argument("--processes", type=int, default=1, help="replaying processes at once (app workers)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--queue", default="", help="the task queue's URL (redis://…); default: the SQLite file"
    )
    args = parser.parse_args()

    load_before = os.getloadavg()
    _setup(args.db, args.queue)

    import logging

    from django.db import connection

    from xinfang.generator import generate as gen

    logging.disable(logging.INFO)  # the SMS log backend
    t0 = time.perf_counter()
    gen.generate(cases=args.base, seed=args.seed, bulk=True, live=False)
    base_s = time.perf_counter() - t0

    from django.db import connections

    connections.close_all()  # each replaying process opens its own
    shares = [
        args.actions // args.processes + (1 if k < args.actions % args.processes else 0)
        for k in range(args.processes)
    ]
    t0 = time.perf_counter()
    if args.processes == 1:
        results = [_replay(shares[0], args.seed + 1, args.profile)]
    else:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(args.processes) as pool:
            results = pool.starmap(_replay, [(n, args.seed + 1 + k, 0) for k, n in enumerate(shares)])
    wall = time.perf_counter() - t0
    cpu = sum(r["cpu"] for r in results)
    timings: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for k, v in r["timings"].items():
            timings[k] += v

    rate = args.actions / wall
    out = {
        "database": connection.vendor,
        "base_cases": args.base,
        "base_generate_s": round(base_s, 1),
        "actions": args.actions,
        "processes": args.processes,
        "wall_s": round(wall, 1),
        "actions_per_s": round(rate, 1),
        "minutes_for_100k": round(100_000 / rate / 60, 1),
        # CPU seconds the replaying processes spent (Python and SQLite): what a loaded machine disturbs least
        "cpu_ms_per_action": round(cpu / args.actions * 1000, 2),
        "actions_per_cpu_s": round(args.actions / cpu, 1),
        # PostgreSQL: the server processes' CPU per action too (same machine); 0 on SQLite (in-process above)
        "db_server_cpu_ms_per_action": round(sum(r["server_cpu"] for r in results) / args.actions * 1000, 2),
        # SQL statements per action (savepoints included; the bench's own reads of users and cases too)
        "statements_per_action": round(sum(r["statements"] for r in results) / args.actions, 1),
        # --profile: cProfile's function calls per action (the profiled process), which no load disturbs
        "function_calls_per_action": round(sum(r["function_calls"] for r in results) / args.actions)
        if args.profile
        else None,
        "queue": "redis" if args.queue else "sqlite file",
        "per_kind_ms": {
            k: {
                "n": len(v),
                "p50": round(percentile(v, 50) * 1000, 1),
                "p95": round(percentile(v, 95) * 1000, 1),
            }
            for k, v in sorted(timings.items())
        },
        "chain_lock_ms": {
            k: {"p50": round(percentile(v, 50) * 1000, 2), "p95": round(percentile(v, 95) * 1000, 2)}
            for k in ("lock_wait", "lock_held")
            if (v := [x for r in results for x in r[k]])
        },
        # the share of the wall time some transaction held the chain lock (near 1: the chain serialises writers)
        "chain_lock_held_share": round(sum(x for r in results for x in r["lock_held"]) / wall, 2),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(out, ensure_ascii=False, indent=1))
    if args.queue:  # the SMS tasks nobody will run (no worker): leave the Redis database as it was
        from huey.contrib.djhuey import HUEY

        HUEY.flush()


if __name__ == "__main__":
    main()
