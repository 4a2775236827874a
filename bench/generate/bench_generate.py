"""Bulk generator throughput on a fresh SQLite file: `python bench/generate/bench_generate.py [N]`.

The file (6.5 GB at 1M cases) is deleted at the end; set KEEP_DB=1 to keep it."""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)
from xinfang.generator import generate as gen  # noqa: E402

# The demo city is loaded once per database, not per case: outside the timed part (printed apart).
started = time.perf_counter()
gen._prepare()
print(f"demo city load: {time.perf_counter() - started:.1f} s (once per database)")


def indexes() -> list[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        return cursor.fetchall()


before = indexes()
print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
flushing = 0.0
flush = gen.BulkWriter.flush


def timed_flush(self):
    global flushing
    t = time.perf_counter()
    try:
        return flush(self)
    finally:
        flushing += time.perf_counter() - t


gen.BulkWriter.flush = timed_flush
started, cpu = time.perf_counter(), time.process_time()
result = gen.generate_bulk(cases=N, seed=1, progress=True)
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
rate = result.cases / seconds
print(f"cases={result.cases} seconds={seconds:.1f} cases_per_second={rate:.0f}")
print(
    f"of which writing (flush): {flushing:.1f} s; process CPU time {cpu:.1f} s ({result.cases / cpu:.0f} cases/CPU-s)"
)
# Large loads drop the secondary indexes and build them again: they must all be back, as they were.
assert indexes() == before, "indexes differ after the load"
print(f"indexes after the load: all {len(before)} as before")
print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
print(
    f"extrapolated 1,000,000 cases: {1_000_000 / rate / 60:.1f} min wall, {1_000_000 / (result.cases / cpu) / 60:.1f} "
    f"min CPU; db size {db.stat().st_size / 1e6:.0f} MB"
)
if not os.environ.get("KEEP_DB"):
    from django.db import connection

    connection.close()
    shutil.rmtree(db.parent)
