"""Shared loaders for the intake benchmarks (reads /work/shared; never prints personal data)."""

from __future__ import annotations

import csv
import os
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("XINFANG_SHARED", "/work/shared/data"))


def read_xlsx(path: Path) -> list[dict]:
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    head = [str(h) for h in rows[0]]
    return [dict(zip(head, r, strict=False)) for r in rows[1:]]


def read_csv(path: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def parse_time(value) -> datetime | None:
    """fj3 mixes Excel datetimes and text like '2019/2/28 11:25:05' or '2019-02-28 11:25:05'."""
    if isinstance(value, datetime):
        return value
    if value is None:
        return None
    s = str(value).strip()
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    return None
