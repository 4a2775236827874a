"""Is a new petition the same matter as an earlier one? Character-bigram overlap of the request and facts:
robust to word order and to the small rewordings people make when they write again."""

from __future__ import annotations

import re

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
SAME_MATTER_THRESHOLD = 0.45


def bigrams(text: str) -> set[str]:
    text = _NOISE.sub("", text or "")
    return {text[i : i + 2] for i in range(len(text) - 1)}


def overlap(a: str, b: str) -> float:
    """Overlap coefficient |A∩B| / min(|A|,|B|): a short second letter that restates the first still matches."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


def same_matter(a: str, b: str, threshold: float = SAME_MATTER_THRESHOLD) -> bool:
    return overlap(a, b) >= threshold
