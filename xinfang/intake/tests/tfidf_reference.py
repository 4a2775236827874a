"""The classifier's featuriser as it was written before the issue-14 speed work (commit 4cb428e): every
n-gram packed, looked up, then one ``np.unique`` of ``(doc * n_features + col) * 2 + part`` over the whole
batch, ``divmod`` back, and one matrix per view. Plain and slow; test_classify_identical.py holds the
shipped featuriser (blocked int32 sort, one stacked matrix) to these exact bits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from xinfang.intake.classifier import _BITS, CharNgramTfidf


def _ngram_ids(texts: Sequence[str], n_max: int) -> tuple[np.ndarray, np.ndarray]:
    joined = "\x00".join(t.replace("\x00", " ").lower() for t in texts) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    doc = np.cumsum(cps == 0) - (cps == 0)
    ids, docs = [], []
    n = len(cps)
    for k in range(1, n_max + 1):
        if n < k:
            break
        gid = cps[: n - k + 1].copy()
        ok = gid != 0
        for j in range(1, k):
            nxt = cps[j : n - k + 1 + j]
            gid = (gid << _BITS) | nxt
            ok &= nxt != 0
        ids.append(gid[ok])
        docs.append(doc[: n - k + 1][ok])
    return np.concatenate(ids), np.concatenate(docs)


class ReferenceTfidf:
    """Same vocabulary and idf as a ``CharNgramTfidf``; ``transform_views`` only (so the classifier stacks
    the three matrices itself)."""

    def __init__(self, shipped: CharNgramTfidf) -> None:
        self.vocab, self.idf, self.n_max = shipped.vocab, shipped.idf, shipped.n_max
        self.n_features = len(self.vocab)
        self._column = {int(g): i for i, g in enumerate(self.vocab)}

    def _lookup(self, ids: np.ndarray) -> np.ndarray:
        col = self._column
        return np.array([col.get(i, -1) for i in ids.tolist()], dtype=np.int64)

    def transform_views(self, titles, bodies, views=None):
        n, nf = len(titles), self.n_features
        interleaved = [x for pair in zip(titles, bodies, strict=True) for x in pair]
        ids, seg = _ngram_ids(interleaved, self.n_max)
        docs, part = seg >> 1, seg & 1
        pos = self._lookup(ids)
        hit = pos >= 0
        key = (docs[hit] * nf + pos[hit]) * 2 + part[hit]
        key, counts = np.unique(key, return_counts=True)
        doc_col, from_body = np.divmod(key, 2)
        first = np.flatnonzero(np.diff(doc_col, prepend=-1))
        whole = self._rows(doc_col[first], np.add.reduceat(counts, first), n)
        if views is None:
            return whole, None, None
        sel = np.asarray(views, dtype=bool)[doc_col // nf]
        t, b = sel & (from_body == 0), sel & (from_body == 1)
        return whole, self._rows(doc_col[t], counts[t], n), self._rows(doc_col[b], counts[b], n)

    def _rows(self, key, counts, n_docs):
        rows, cols = np.divmod(key, self.n_features)
        data = (1.0 + np.log(counts)).astype(np.float32) * self.idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=n_docs))
        norms[norms == 0] = 1.0
        data = (data / norms[rows]).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_docs))])
        return sparse.csr_matrix((data, cols, indptr), shape=(n_docs, self.n_features))
