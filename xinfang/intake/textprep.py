"""Text cleaning for petition messages (pure Python, no Django).

The 2020 泰迪杯 export carries literal ``_x000D_`` (an escaped carriage return from Excel), full-width
spaces (``\\u3000``), non-breaking spaces and runs of newlines and tabs in front of the body.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text", "combine", "norm_key"]

_JUNK = re.compile(r"_x000[dDaA]_|[\u3000\xa0\u200b\ufeff]")
_WS = re.compile(r"\s+")
# everything that is not a letter or digit (CJK counts as a letter) for the dedupe key
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def clean_text(value: object) -> str:
    """Return ``value`` as a clean single-line string ('' for None/NaN/empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from spreadsheets
        return ""
    text = str(value)
    # \u3000 and \xa0 are whitespace to str.split too: the regular expression is needed only for the rest
    if "_x000" in text or "\u200b" in text or "\ufeff" in text:
        text = _JUNK.sub(" ", text)
    # str.split() splits at what \s matches (str.isspace) and drops the ends: _WS.sub(" ", text).strip()
    return " ".join(text.split())


def norm_key(value: object) -> str:
    """Normalised key for deduplication: NFKC, lower case, no whitespace or punctuation."""
    text = unicodedata.normalize("NFKC", clean_text(value)).lower()
    return _NON_WORD.sub("", text)


def combine(title: object, body: object) -> str:
    """One model input from an optional title and an optional body."""
    t, b = clean_text(title), clean_text(body)
    if t and b:
        return f"{t}。{b}"
    return t or b
