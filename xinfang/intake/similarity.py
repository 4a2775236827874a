"""Repeat detection, text part (DOMAIN §9): is a new message the same matter as an earlier one?

Texts are normalised (``norm_key``: NFKC, lower case, no whitespace/punctuation) and cut into
character 3-gram shingles (packed into int64, the same packing as the classifier).

* ``similar_texts(new_text, candidates, threshold)`` scores a new text against a few candidate texts
  exactly (Jaccard and containment of shingle sets) — for the case layer, which first narrows the
  candidates by identity (same ID number / phone / name + address) and then asks "same matter?".
* ``RepeatIndex`` is a MinHash-LSH index (datasketch ``MinHashLSH`` over numpy-computed MinHash
  signatures) for finding candidate repeats among a very large corpus (1M cases) by text alone.

score = max(Jaccard, 0.9 × containment): containment (share of the shorter text's shingles found in
the longer one) catches a re-submission that copies the earlier text and adds a paragraph.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np

from .textprep import norm_key

__all__ = ["DEFAULT_THRESHOLD", "Match", "RepeatIndex", "minhash_signatures", "shingles", "similar_texts"]

DEFAULT_THRESHOLD = 0.5
SHINGLE = 3
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True)
class Match:
    id: Hashable
    score: float
    reason: str
    jaccard: float = 0.0
    containment: float = 0.0


def _packed(text: str, k: int = SHINGLE) -> np.ndarray:
    key = norm_key(text)
    if not key:
        return np.zeros(0, dtype=np.int64)
    cps = np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(cps) < k:
        k = len(cps)
    gid = cps[: len(cps) - k + 1].copy()
    for j in range(1, k):
        gid = (gid << 21) | cps[j : len(cps) - k + 1 + j]
    return gid


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    """Set of packed char k-gram ids of the normalised text (a text shorter than k is one shingle)."""
    return set(_packed(text, k).tolist())


def _scores(a: set[int], b: set[int]) -> tuple[float, float, float]:
    if not a or not b:
        return 0.0, 0.0, 0.0
    inter = len(a & b)
    jac = inter / (len(a) + len(b) - inter)
    cont = inter / min(len(a), len(b))
    return max(jac, 0.9 * cont), jac, cont


def _reason(jac: float, cont: float) -> str:
    if jac >= 0.95:
        return f"文字几乎相同（三字片段重合度 {jac:.0%}）"
    if 0.9 * cont > jac:
        return f"较短一方 {cont:.0%} 的三字片段出现在另一方（重合度 {jac:.0%}），疑为复制后增补"
    return f"三字片段重合度 {jac:.0%}，内容基本相同"


def similar_texts(
    new_text: str, candidates: Iterable[tuple[Hashable, str]], threshold: float = DEFAULT_THRESHOLD
) -> list[Match]:
    """Candidates whose text is similar to ``new_text`` (score ≥ threshold), best first."""
    a = shingles(new_text)
    out = []
    for cid, text in candidates:
        score, jac, cont = _scores(a, shingles(text))
        if score >= threshold:
            out.append(Match(cid, round(score, 4), _reason(jac, cont), round(jac, 4), round(cont, 4)))
    out.sort(key=lambda m: -m.score)
    return out


class _Perms:
    def __init__(self, num_perm: int, seed: int) -> None:
        rng = np.random.RandomState(seed)
        self.a = rng.randint(1, 1 << 31, size=num_perm, dtype=np.uint64)
        self.b = rng.randint(0, 1 << 31, size=num_perm, dtype=np.uint64)


def _mix32(ids: np.ndarray) -> np.ndarray:
    h = ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(29)
    return h & _MAX32


def minhash_signatures(texts: list[str], num_perm: int = 64, seed: int = 1) -> np.ndarray:
    """MinHash signatures (n, num_perm) uint32 of the texts' shingle sets (vectorised numpy)."""
    perms = _Perms(num_perm, seed)
    sig = np.full((len(texts), num_perm), 0xFFFFFFFF, dtype=np.uint32)
    for i, t in enumerate(texts):
        hv = np.unique(_mix32(_packed(t)))
        if len(hv):
            ph = ((hv[:, None] * perms.a[None, :] + perms.b[None, :]) % _MERSENNE) & _MAX32
            sig[i] = ph.min(axis=0)
    return sig


class RepeatIndex:
    """MinHash-LSH over many texts: ``add``/``add_many`` then ``query(text)`` → [Match].

    Candidates from the LSH buckets are ranked by the Jaccard estimated from the stored signatures
    (uint32, ``num_perm`` × 4 bytes per text); no text is kept in memory.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = 64, seed: int = 1) -> None:
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.num_perm = num_perm
        self.seed = seed
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._ids: list[Hashable] = []
        self._row: dict[Hashable, int] = {}
        self._sigs: list[np.ndarray] = []
        self._sig_matrix: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def add_many(self, items: Iterable[tuple[Hashable, str]], batch: int = 10_000) -> None:
        from datasketch import MinHash

        buf: list[tuple[Hashable, str]] = []

        def flush() -> None:
            sigs = minhash_signatures([t for _, t in buf], self.num_perm, self.seed)
            with self.lsh.insertion_session() as session:
                for (cid, _), s in zip(buf, sigs, strict=True):
                    self._row[cid] = len(self._ids)
                    self._ids.append(cid)
                    session.insert(
                        cid, MinHash(num_perm=self.num_perm, hashvalues=s.astype(np.uint64), scheme="legacy")
                    )
            self._sigs.append(sigs)
            self._sig_matrix = None
            buf.clear()

        for item in items:
            buf.append(item)
            if len(buf) >= batch:
                flush()
        if buf:
            flush()

    def add(self, cid: Hashable, text: str) -> None:
        self.add_many([(cid, text)])

    def _matrix(self) -> np.ndarray:
        if self._sig_matrix is None:
            self._sig_matrix = (
                np.concatenate(self._sigs) if self._sigs else np.zeros((0, self.num_perm), np.uint32)
            )
            self._sigs = [self._sig_matrix]
        return self._sig_matrix

    def query(self, text: str, threshold: float | None = None, limit: int = 20) -> list[Match]:
        from datasketch import MinHash

        threshold = self.threshold if threshold is None else threshold
        sig = minhash_signatures([text], self.num_perm, self.seed)[0]
        cands = self.lsh.query(
            MinHash(num_perm=self.num_perm, hashvalues=sig.astype(np.uint64), scheme="legacy")
        )
        if not cands:
            return []
        rows = np.array([self._row[c] for c in cands])
        est = (self._matrix()[rows] == sig).mean(axis=1)
        order = np.argsort(-est)[:limit]
        return [
            Match(
                cands[i], round(float(est[i]), 4), f"MinHash 估计三字片段重合度 {est[i]:.0%}", float(est[i])
            )
            for i in order
            if est[i] >= threshold
        ]
