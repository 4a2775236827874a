"""Render N 信访处理意见书 as PDF (and as .docx) with W worker processes; print the wall time.

    .venv/bin/python bench/documents/bench_render.py --n 1000 --workers 2
    .venv/bin/python bench/documents/bench_render.py --n 200 --workers 2   # prints the ×5 extrapolation

Each document is the real template (documents/opinion.html in the official frame) with its own case
number, 文号 and text, rendered by WeasyPrint with the CJK font subset and embedded — what a download
costs. No database: the context is what ``document_context`` builds. The goal (issue 15): 1,000 PDFs in
≤ 60 s on 2 cores.

The compact font (``manage.py documents_fonts``, as an installation has it) is built first if missing and
its one-off build time printed apart; ``--full-font`` renders with the full Noto Serif CJK SC instead (the
fallback, to compare). Both the wall time and the CPU time per document are printed: on a shared machine
the wall time includes waiting for other processes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _setup() -> None:
    os.environ.setdefault("XINFANG_DATA_DIR", "/tmp/xinfang-bench-documents")
    if os.environ.get("XINFANG_BENCH_FULL_FONT"):
        os.environ["XINFANG_DATA_DIR"] = "/tmp/xinfang-bench-documents-full-font"  # no compact font there
    os.environ.setdefault("SECRET_KEY", "bench")
    from bench.benchlib import django_setup

    django_setup()


def _context(i: int) -> dict:
    from xinfang.core.periods import PERIODS
    from xinfang.documents.selectors import Window

    return {
        "issuer": "东城区住房和城乡建设局",
        "number": f"东城住房信〔2026〕{i}号",
        "title": "信访处理意见书",
        "addressee": f"测试人{i}",
        "date": date(2026, 12, 3),
        "cc": ["东城区信访局"],
        "case_number": f"990101-xinfang-2026-{i:06d}",
        "arrived_on": date(2026, 10, 9),
        "petition_type": "appeal",
        "request": f"小区{i}号楼屋顶漏水多年，物业和开发商互相推诿，请求责令维修并赔偿损失",
        "facts": "2024年起每逢下雨屋顶漏水，多次找物业和开发商，均未解决。" * 3,
        "outcome_label": "予以支持",
        "text": "经调查核实，物业服务企业未履行维修义务。依据《物业管理条例》有关规定，责令其于30日内完成维修。"
        * 4,
        "citation": "《信访工作条例》第三十二条",
        "periods": PERIODS,
        "window": Window(
            "复查",
            "示例市住房和城乡建设局",
            30,
            "《信访工作条例》第三十五条",
            date(2026, 12, 8),
            date(2027, 1, 7),
        ),
    }


def _render(args: tuple[int, str]) -> tuple[int, float]:
    from xinfang.documents.rendering import document_render

    i, fmt = args
    cpu = time.process_time()
    size = len(document_render(kind="opinion", context=_context(i), fmt=fmt))
    return size, time.process_time() - cpu


def run(n: int, workers: int, fmt: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds summed over the workers, bytes). On a shared machine the wall time
    includes waiting for other processes; CPU ÷ workers is the wall time the same work takes on that
    many idle cores."""
    started = time.perf_counter()
    with Pool(workers, initializer=_setup) as pool:
        results = pool.map(_render, [(i, fmt) for i in range(1, n + 1)], chunksize=max(1, n // (workers * 8)))
    return time.perf_counter() - started, sum(c for _, c in results), sum(s for s, _ in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--docx", action="store_true", help="also time .docx")
    parser.add_argument("--full-font", action="store_true", help="without the compact font (the fallback)")
    a = parser.parse_args()
    if a.full_font:
        os.environ["XINFANG_BENCH_FULL_FONT"] = "1"
    _setup()
    from xinfang.documents.rendering import compact_font_path, documents_fonts_build

    font = compact_font_path()
    if a.full_font:
        font.unlink(missing_ok=True)
        print("font: the full Noto Serif CJK SC (no compact copy)")
    elif not font.exists():
        started = time.perf_counter()
        documents_fonts_build()
        print(f"font: compact copy built once in {time.perf_counter() - started:.0f} s (not counted below)")
    else:
        print(f"font: compact copy {font}")
    print(f"cores available: {os.cpu_count()}, workers: {a.workers}, load average: {os.getloadavg()[0]:.2f}")
    for fmt in ("pdf", "docx") if a.docx else ("pdf",):
        wall, cpu, size = run(a.n, a.workers, fmt)
        idle = cpu / a.workers
        line = (
            f"{fmt}: {a.n} documents in {wall:.1f} s wall, {cpu:.1f} CPU-s ({cpu / a.n * 1000:.0f} ms CPU each, "
            f"{size / a.n / 1024:.0f} KiB avg) → {idle:.1f} s on {a.workers} idle cores"
        )
        if a.n != 1000:
            line += f"; extrapolated to 1,000: {wall * 1000 / a.n:.0f} s wall, {idle * 1000 / a.n:.0f} s on idle cores"
        print(line)


if __name__ == "__main__":
    main()
