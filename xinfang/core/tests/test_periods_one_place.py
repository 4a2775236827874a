"""Every legal period's number lives in xinfang/core/periods.py and nowhere else in the code (issue 21).

The clocks (cases/workflow.py), the extension cap, the forms, the notices, the portal's sentences and the
messages read the table; this scan fails on a period written out anywhere else — as "30日", "5个工作日",
"三十日", or as a number in a ClockStart row or a validator. Tests, docs, migrations and catalogs aside.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.template.loader import render_to_string

from xinfang.core.periods import PERIODS, period

ROOT = Path(__file__).resolve().parents[2]  # the xinfang package
TABLE = ROOT / "core" / "periods.py"
SKIP_PARTS = {"tests", "migrations", "locale", "static", "data", "__pycache__"}
ZH_NUMERALS = {5: "五", 15: "十五", 30: "三十", 60: "六十"}


def _sources():
    for path in ROOT.rglob("*"):
        if path.suffix not in {".py", ".html", ".txt"} or path == TABLE:
            continue
        if SKIP_PARTS & set(path.relative_to(ROOT).parts):
            continue
        yield path


def _patterns() -> list[re.Pattern]:
    numbers = sorted({p.days for p in PERIODS.values()})
    alternatives = [str(n) for n in numbers] + [ZH_NUMERALS[n] for n in numbers if n in ZH_NUMERALS]
    number = "(?:" + "|".join(alternatives) + ")"
    return [
        # "30日", "5个工作日", "十五日内" — not a date ("3月15日") nor part of a larger number
        re.compile(rf"(?<![\d年月.\-一二三四五六七八九十]){number}\s*(?:个工作日|个?日)"),
        # a clock row or a validator with its days written out
        re.compile(r"ClockStart\(\s*K(?:lockKind)?\.\w+,\s*\d+"),
        re.compile(rf"(?:MaxValueValidator\(|max_value=){number}\b"),
    ]


def test_no_legal_period_outside_the_table():
    found = []
    patterns = _patterns()
    for path in _sources():
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern in patterns:
                if m := pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{lineno}: {m.group(0)!r}")
    assert not found, "legal periods written outside xinfang/core/periods.py:\n" + "\n".join(found)


def test_the_scan_finds_a_period_written_out():
    """The scan is not blind: the sentences it must catch are caught, dates are not."""
    patterns = _patterns()
    hits = ["自受理之日起60日内办结", "5个工作日内提出异议", "三十日内请求复查", "ClockStart(K.HANDLING, 60,"]
    misses = ["2026年3月15日", "{{ periods.handling }}日内", "第三十五条"]
    assert all(any(p.search(s) for p in patterns) for s in hits)
    assert not any(p.search(s) for p in patterns for s in misses)


def test_the_table_reaches_the_clocks_and_the_notices(settings):
    from xinfang.cases.workflow import OPENING, TRANSITIONS, ClockKind
    from xinfang.deadlines.calendar import MAX_EXTENSION_DAYS
    from xinfang.deadlines.clocks import evaluation_window_days

    for t in TRANSITIONS:
        for start in t.starts:
            if start.days is not None:
                assert (start.days, start.working) == (period(start.kind).days, period(start.kind).working)
    assert OPENING["xinfang"].clock.days == period(ClockKind.REGISTRATION).days
    assert period("extension_max").days == MAX_EXTENSION_DAYS
    settings.XINFANG_EVALUATION_WINDOW_DAYS = None
    assert evaluation_window_days() == period("evaluation").days
    settings.XINFANG_EVALUATION_WINDOW_DAYS = 21
    assert evaluation_window_days() == 21


def test_a_notice_says_the_period_of_the_table(db):
    from xinfang.core.periods import period_days

    text = render_to_string(
        "cases/notices/transfer.txt",
        {"case": None, "target_body": {"name": "某局"}, "periods": {**period_days(), "acceptance": 16}},
    )
    assert "自收到之日起16日内书面告知" in text


def test_the_settings_that_override_a_period_default_to_the_table():
    """A local-practice period's setting is unset (None) by default, so its default number lives only in the
    table; an administrator's value, when set, wins (current_days)."""
    import os

    from django.conf import settings as django_settings

    for p in PERIODS.values():
        if p.setting and p.setting not in os.environ:
            assert getattr(django_settings, p.setting, None) is None, p.setting
            assert p.current_days() == p.days
