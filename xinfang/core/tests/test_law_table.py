"""docs/law.md: every procedural article has a row, and every test a row names exists (issue #16)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ARTICLES = [*range(17, 37), 40, 41, 45, 46]


def _rows() -> dict[int, str]:
    rows: dict[int, str] = {}
    for line in (ROOT / "docs" / "law.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].isdigit():
            rows[int(cells[0])] = cells[3]
    return rows


def test_every_procedural_article_has_a_row_with_a_test():
    rows = _rows()
    missing = [a for a in ARTICLES if a not in rows or "::test_" not in rows[a]]
    assert not missing, f"articles without a row or a test in docs/law.md: {missing}"


def test_every_test_the_law_table_names_exists():
    absent = []
    for article, cell in _rows().items():
        for path, name in re.findall(r"`([\w/.]+\.py)::(test_\w+)`", cell):
            source = ROOT / path
            if not source.exists() or not re.search(
                rf"^\s*def {name}\(", source.read_text(encoding="utf-8"), re.M
            ):
                absent.append(f"Art. {article}: {path}::{name}")
    assert not absent, absent
