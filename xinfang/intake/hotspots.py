"""Rising issues (热点问题): cluster recent messages by place and problem, rank by heat.

``hot_issues(messages, top=10)`` where each message is a mapping with ``id``, ``title``, ``body`` and
optionally ``time`` (datetime), ``user``, ``likes``, ``dislikes``. Steps:

1. place extraction: regex for anonymised admin units (``A市``, ``A3区``, ``E8县``) and for named
   places ending in 小区/花园/路/街道/村/学校… (``extract_places``);
2. text vectors: TF-IDF over char 2–3-grams of the title + the first 200 body characters, with the
   extracted place names appended twice (same place weighs more);
3. average-linkage agglomerative clustering on cosine distance (``distance_threshold``);
4. heat = distinct petitioners + 0.5·messages + log1p(likes + dislikes), × a bonus when the messages
   come within a short time span; clusters of ≥ ``min_size`` messages are ranked by heat.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from .textprep import clean_text

__all__ = ["HotIssue", "extract_places", "hot_issues"]

_ADMIN = re.compile(r"[A-Z]\d*(?:市|区|县)")
_NAMED = re.compile(
    r"([\u4e00-\u9fa5A-Za-z0-9]{2,10}?(?:小区|花园|家园|公寓|社区|新村|村|镇|乡|街道|大道|路|街|广场|大厦|"
    r"学校|中学|小学|幼儿园|医院|市场|公园|苑|府|城|湾|园|期|站))"
)
_STOP_PLACE = {"市区", "城区", "小区", "该小区", "我们小区", "本小区", "这个小区", "马路", "道路", "公路"}


def extract_places(text: str, limit: int = 3) -> list[str]:
    """Admin units (A市, A3区) and up to ``limit`` named places, in order of first appearance."""
    text = clean_text(text)
    admin = list(dict.fromkeys(_ADMIN.findall(text)))
    rest = _ADMIN.sub(" ", text)
    named = [p for p in dict.fromkeys(_NAMED.findall(rest)) if p not in _STOP_PLACE and len(p) >= 3]
    return admin[:2] + named[:limit]


@dataclass
class HotIssue:
    rank: int
    label: str
    places: list[str]
    count: int
    petitioners: int
    likes: int
    heat: float
    support: float  # share of all messages in the window
    first: datetime | None
    last: datetime | None
    message_ids: list = field(default_factory=list)
    sample_titles: list[str] = field(default_factory=list)


def _cluster(X, threshold: float) -> np.ndarray:
    # scikit-learn takes ~2 s to import: loaded only where it is used
    from sklearn.cluster import AgglomerativeClustering

    if X.shape[0] < 2:
        return np.zeros(X.shape[0], dtype=int)
    sim = (X @ X.T).toarray()
    dist = np.clip(1.0 - sim, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold
    )
    return model.fit_predict(dist)


def hot_issues(
    messages: Iterable[Mapping],
    top: int = 10,
    distance_threshold: float = 0.75,
    min_size: int = 2,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[HotIssue]:
    # scikit-learn takes ~2 s to import: loaded only where it is used
    from sklearn.feature_extraction.text import TfidfVectorizer

    msgs = []
    for m in messages:
        t = m.get("time")
        if start and t and t < start:
            continue
        if end and t and t > end:
            continue
        msgs.append(m)
    if not msgs:
        return []
    titles = [clean_text(m.get("title")) for m in msgs]
    bodies = [clean_text(m.get("body")) for m in msgs]
    places = [extract_places(f"{t}。{b[:300]}") for t, b in zip(titles, bodies, strict=True)]
    docs = [
        f"{t} {b[:200]} {' '.join(p)} {' '.join(p)}" for t, b, p in zip(titles, bodies, places, strict=True)
    ]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=2)
    X = vec.fit_transform(docs)
    labels = _cluster(X, distance_threshold)
    out = []
    for c in set(labels.tolist()):
        idx = np.flatnonzero(labels == c)
        if len(idx) < min_size:
            continue
        users = {msgs[i].get("user") or f"_anon{i}" for i in idx}
        likes = sum(int(msgs[i].get("likes") or 0) + int(msgs[i].get("dislikes") or 0) for i in idx)
        times = sorted(msgs[i]["time"] for i in idx if msgs[i].get("time"))
        heat = len(users) + 0.5 * len(idx) + math.log1p(likes)
        if times and (times[-1] - times[0]).days <= 30:
            heat *= 1.2  # concentrated in time: rising
        pl = Counter(p for i in idx for p in places[i])
        common = [p for p, n in pl.most_common(4) if n >= max(2, len(idx) // 3)]
        rep = min(idx, key=lambda i: len(titles[i]) or 999)
        label = "／".join(common[:3]) + ("：" if common else "") + (titles[rep] or bodies[rep][:30])
        out.append(
            HotIssue(
                rank=0,
                label=label,
                places=common,
                count=len(idx),
                petitioners=len(users),
                likes=likes,
                heat=round(heat, 2),
                support=round(len(idx) / len(msgs), 4),
                first=times[0] if times else None,
                last=times[-1] if times else None,
                message_ids=[msgs[i].get("id") for i in idx],
                sample_titles=[titles[i] for i in idx[:3]],
            )
        )
    out.sort(key=lambda h: (-h.heat, -h.count))
    for r, h in enumerate(out[:top], 1):
        h.rank = r
    return out[:top]
