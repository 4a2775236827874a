"""`xinfang generate`'s whole bulk path, phase by phase, on a fresh SQLite file or PostgreSQL database.

    python bench/generate/phases.py --cases 100000 --db sqlite|postgres [--workers N] [--profile out.prof]

Prints one line per phase — wall seconds, CPU seconds of this process and its finished children (the
worker processes of a parallel load, `--workers`; 0 runs it in one process), and on PostgreSQL the server
backend's CPU seconds (read from /proc, so only where the server runs on this machine) — then the totals,
CPU per 1,000 cases, and the load average at the start and the end. The phases are what `generate()` does
for a first load: migrate, the demo city, the load (simulation and writing; `flush` is the writing part),
putting back what the load took away (indexes, tally triggers and their recount), ANALYZE, sealing the
event hash chain. The database is dropped (PostgreSQL) or deleted (SQLite) at the end; KEEP_DB=1 keeps it,
and `--keep FOLDER` keeps it where `xinfang bench --keep FOLDER` finds it (to time the pages on it).
A parallel load also prints the writer's CPU and its forked processes' (planner and workers) apart, and the wall
an idle 2-core machine would need: max(writer, (writer + forked) ÷ 2) plus the serial phases (migrate, demo
city, put back, ANALYZE, chain), which use one core.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _server_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend (0 on SQLite or a remote server)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (a parallel load's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _cpu_split() -> tuple[float, float]:
    """(this process, its ended children): the writer's CPU and the workers' CPU of a parallel load."""
    t = os.times()
    return t.user + t.system, t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--profile", help="write a cProfile of the whole run here (this process only)")
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: generate's own)"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="a folder: keep the database as `xinfang bench --keep` does (SQLite: FOLDER/sqlite-N.sqlite3, "
        "PostgreSQL: xinfang_bench_N, beside FOLDER/<db>-N.generated.json), so `xinfang bench --keep FOLDER` "
        "times the pages on it without generating again",
    )
    args = parser.parse_args()

    folder = None
    name = f"xinfang_bench_{args.cases}" if args.keep else f"xinfang_genbench_{args.cases}"
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for stale in args.keep.glob(f"{args.db}-{args.cases}.*"):
            stale.unlink()
    if args.db == "sqlite" and args.keep:
        folder = args.keep
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/sqlite-{args.cases}.sqlite3"
    elif args.db == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="xinfang-genbench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    else:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name}")
            con.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ.setdefault("XINFANG_DATA_DIR", tempfile.mkdtemp(prefix="xinfang-genbench-data-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from xinfang.generator import generate as gen

    phases: dict[str, list[float]] = {}

    def timed(label: str, fn):
        def run(*a, **kw):
            # The backend may change when a phase reconnects; read it on this connection before and after.
            w, c, s = time.perf_counter(), _cpu(), _server_cpu()
            try:
                return fn(*a, **kw)
            finally:
                got = phases.setdefault(label, [0.0, 0.0, 0.0])
                got[0] += time.perf_counter() - w
                got[1] += _cpu() - c
                got[2] += _server_cpu() - s

        return run

    gen._load = timed("load (simulate + write)", gen._load)
    gen._load_parallel = timed("load (simulate + write)", gen._load_parallel)
    # the database part: inserts, the chain's links, the counters (rows are built before, in `prepare`)
    gen.BulkWriter.commit = timed("  of which writing (commit)", gen.BulkWriter.commit)
    gen._generate_bulk = timed("load and put back (indexes, tallies)", gen._generate_bulk)
    gen.analyze = timed("ANALYZE", gen.analyze)
    gen.event_chain_seal = timed("seal the event chain", gen.event_chain_seal)
    gen._prepare = timed("demo city", gen._prepare)
    # what the load took away, put back after it: the secondary indexes built again, the tally triggers
    # installed and the tallies recounted (maintenance._restore, one call per item)
    from xinfang.core import maintenance

    restore = maintenance._restore

    def _restore(item):
        label = "  index rebuild" if item.kind == "index" else "  tally triggers + recount"
        return timed(label, restore)(item)

    maintenance._restore = _restore
    # the load's two kinds of process: this one (the writer) and the forked workers (counted when reaped)
    split: dict[str, float] = {}
    for fn_name in ("_load", "_load_parallel"):
        inner_fn = getattr(gen, fn_name)

        def split_load(*a, _fn=inner_fn, **kw):
            mine, kids = _cpu_split()
            try:
                return _fn(*a, **kw)
            finally:
                m2, k2 = _cpu_split()
                split["writer"] = split.get("writer", 0.0) + m2 - mine
                split["workers"] = split.get("workers", 0.0) + k2 - kids

        setattr(gen, fn_name, split_load)

    load_start = os.getloadavg()
    profiler = cProfile.Profile() if args.profile else None
    wall, cpu = time.perf_counter(), _cpu()
    if profiler:
        profiler.enable()
    timed("migrate", lambda: call_command("migrate", verbosity=0))()
    result = gen.generate(cases=args.cases, seed=7, bulk=True, workers=args.workers)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    load_end = os.getloadavg()
    if args.keep:  # the marker `xinfang bench --keep` reads: generated, and the wall from migrate to the end
        (args.keep / f"{args.db}-{args.cases}.generated.json").write_text(
            json.dumps({"generated": result.cases, "generate_s": round(wall, 1)})
        )
    # the put-back phase alone: the whole minus the load and ANALYZE inside it
    whole = phases.pop("load and put back (indexes, tallies)")
    inner = [
        a + b
        for a, b in zip(phases["load (simulate + write)"], phases.get("ANALYZE", [0, 0, 0]), strict=True)
    ]
    phases["put back (indexes, tallies)"] = [w - i for w, i in zip(whole, inner, strict=True)]
    server = sum(p[2] for k, p in phases.items() if not k.startswith("  "))
    print(
        f"{result.cases:,} cases on {args.db}: {wall:.1f} s wall, {cpu:.1f} s CPU here (with the workers)"
        + (f", {server:.1f} s CPU in the server" if server else "")
    )
    for label, (w, c, s) in phases.items():
        print(f"  {label:<40} {w:8.1f} s wall {c:8.1f} s CPU" + (f" {s:8.1f} s server CPU" if s else ""))
    if split:
        serial = sum(
            p[1] for k, p in phases.items() if not k.startswith("  ") and k != "load (simulate + write)"
        )
        writer, kids = split["writer"], split["workers"]
        # Two idle cores run the writer and the forked processes (planner, workers) side by side: the load
        # needs at least all their CPU ÷ 2, and at least the writer's own; the serial phases follow.
        idle = max(writer, (writer + kids) / 2) + serial
        print(
            f"load: writer {writer:.1f} s CPU, forked planner + workers {kids:.1f} s CPU together; "
            f"on an idle 2-core machine ≈ {idle:.0f} s wall (max(writer, (writer + forked) ÷ 2) "
            f"+ the serial phases' {serial:.0f} s CPU{'; the server not counted' if server else ''})"
        )
    per_k = (cpu + server) / result.cases * 1000
    print(f"CPU per 1,000 cases: {per_k:.2f} s (here and the workers {cpu / result.cases * 1000:.2f} s)")
    print(
        f"load average: {load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end ({os.cpu_count()} CPUs)"
    )
    size = sum(f.stat().st_size for f in folder.glob("*.sqlite3*")) / 1e6 if folder else _pg_size(connection)
    print(f"database size: {size:,.0f} MB")
    print(
        json.dumps(
            {
                "db": args.db,
                "cases": result.cases,
                "wall_s": round(wall, 1),
                "cpu_s": round(cpu, 1),
                "server_cpu_s": round(server, 1),
                "cpu_per_1000_s": round(per_k, 2),
                "phases": {k.strip(): [round(x, 1) for x in v] for k, v in phases.items()},
                "load_cpu_split": {k: round(v, 1) for k, v in split.items()},
                "idle_2core_wall_s": round(idle) if split else None,
                "load": [round(load_start[0], 1), round(load_end[0], 1)],
                "size_mb": round(size),
            },
            ensure_ascii=False,
        )
    )
    connection.close()
    if os.environ.get("KEEP_DB") or args.keep:
        return
    if folder:
        shutil.rmtree(folder)
    else:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name}")


def _pg_size(connection) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0] / 1e6


if __name__ == "__main__":
    main()
