"""Words for the full-text index that understand Chinese on both databases: a run of Chinese characters
becomes its overlapping character bigrams (东华街道 → 东华 华街 街道), a single character stays itself, and
Latin letters or digits become lower-case words. SQLite's FTS5 (unicode61) and PostgreSQL's `simple`
configuration both split on the spaces, so the same tokens are indexed and searched on both (ADR 0009)."""

from __future__ import annotations

import re

_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[0-9A-Za-z]+")
_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}


def tokens(text: str) -> list[str]:
    out: list[str] = []
    for run in _RUN.findall((text or "").translate(_FULLWIDTH)):
        if run[0].isascii():
            out.append(run.lower())
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def index_text(*parts: str) -> str:
    return " ".join(tokens(" ".join(p for p in parts if p)))


def query_tokens(text: str) -> list[str]:
    """The distinct tokens of a query, in order: every one must be found (AND)."""
    seen: dict[str, None] = {}
    for t in tokens(text):
        seen.setdefault(t, None)
    return list(seen)
