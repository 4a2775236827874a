"""The case ledger export (openpyxl write-only, chunked reads) keeps memory bounded: peak RSS of the export
process for growing numbers of cases on one generated SQLite database. Prints a table.

    flock /tmp/xf-bench.lock .venv/bin/python bench/analytics/bench_export_memory.py 1000000

Generates the cases once (bulk path), then exports the first N for several N, each in a fresh process, so
each peak is that export's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env(db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "XINFANG_DATA_DIR": str(db.parent),
        "SECRET_KEY": "bench",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }


CHILD = r"""
import resource, sys, time, django
django.setup()
from xinfang.analytics.ledger import ledger_export
from xinfang.cases.models import Case
n = int(sys.argv[1])
last = Case.objects.order_by("id").values_list("id", flat=True)[n - 1]
began = time.perf_counter()
path = ledger_export(Case.objects.filter(id__lte=last))
took = time.perf_counter() - began
size = path.stat().st_size
path.unlink()
print(n, f"{took:.1f}", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, size // (1024 * 1024))
"""


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    sizes = [n for n in (10_000, 100_000, 300_000, 1_000_000) if n <= total]
    with tempfile.TemporaryDirectory(prefix="xf-export-") as tmp:
        db = Path(tmp) / "bench.sqlite3"
        env = _env(db)
        began = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [sys.executable, "manage.py", "generate", "--cases", str(total), "--bulk"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"generated {total:,} cases in {time.perf_counter() - began:.0f} s; load {os.getloadavg()}")
        print(f"{'cases':>10} {'seconds':>8} {'peak RSS MB':>12} {'xlsx MB':>8}")
        for n in sizes:
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(n)],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            print(f"{int(out[0]):>10,} {out[1]:>8} {out[2]:>12} {out[3]:>8}", flush=True)


if __name__ == "__main__":
    main()
