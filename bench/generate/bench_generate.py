"""Bulk generator throughput on a fresh SQLite file: `python bench/generate/bench_generate.py [N]`."""

import os
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
from xinfang.cases.generate import generate_bulk  # noqa: E402

started = time.perf_counter()
result = generate_bulk(cases=N, seed=1, progress=True)
seconds = time.perf_counter() - started
rate = result.cases / seconds
print(f"cases={result.cases} seconds={seconds:.1f} cases_per_second={rate:.0f}")
print(
    f"extrapolated 1,000,000 cases: {1_000_000 / rate / 60:.1f} min; db size {db.stat().st_size / 1e6:.0f} MB"
)
