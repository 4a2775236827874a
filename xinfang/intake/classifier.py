"""Category classifier for petition text (pure Python + numpy/scipy/scikit-learn; no Django import).

Features: TF-IDF over character 1–3-grams (sublinear tf, smoothed idf, l2 norm — the same maths as
scikit-learn's ``TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)``), computed
by a vectorised numpy featuriser: each n-gram is packed into one int64 (21 bits per code point), and
the vocabulary is a sorted int64 array looked up through an open-addressing hash table (``_IdTable``).
That is what makes batch prediction fast (thousands of messages per second on one core) and lets the
model file be a plain ``.npz`` (no pickle: loaded with ``allow_pickle=False``). Title and body are
featurised apart (no n-gram spans the two); a message's n-gram counts are its title's plus its body's.

Model: a linear SVM (``LinearSVC``, class weights balanced) over those features plus three indicator
columns saying which input kind it is (title only / body only / title + body), i.e. a learnt bias per
kind and class; its decision values are turned into a confidence by a softmax with one temperature
fitted on out-of-fold decision values (group k-fold). A message with both a title and a body is scored
as the weighted mean of three views with the same coefficients — the whole message, its title alone and
its body alone (``view_weights``, (2, 1)): in one vector the short title is drowned by the body.
Version 3 (this): the views (+0.012 macro-F1 on title+body over 15 grouped folds); version 2: balanced
class weights and the kind indicators. See ``bench/intake/README.md`` for the figures and for what
else was measured and rejected.

Public API::

    clf = load_default()                       # cached, shipped model (xinfang/intake/data/)
    clf.predict(titles, bodies)                -> list[Prediction(label, confidence)]
    clf.predict_one(title, body)               -> Prediction
    clf.predict_proba(titles, bodies)          -> np.ndarray (n, 7), columns = clf.labels
    CategoryClassifier.train(titles, bodies, labels, seed=42, groups=None) -> CategoryClassifier
    clf.save(path); CategoryClassifier.load(path)
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy import sparse

from .textprep import clean_text

__all__ = [
    "DEFAULT_MODEL_PATH",
    "KINDS",
    "MODEL_VERSION",
    "CategoryClassifier",
    "CharNgramTfidf",
    "Prediction",
    "load_default",
]

MODEL_VERSION = "3"
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_MODEL_PATH = DATA_DIR / f"category-v{MODEL_VERSION}.npz"

_BITS = 21
_MASK = (1 << _BITS) - 1


class Prediction(NamedTuple):
    label: str
    confidence: float


def _codepoints(texts: Sequence[str]) -> np.ndarray:
    """All texts lower-cased and joined, each followed by a NUL → their code points (uint32)."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:  # a NUL inside a text: it would split the text
        joined = "\x00".join(t.replace("\x00", " ") for t in texts)
    # str.lower() of the whole equals the texts' own: NUL is neither cased nor case-ignorable, so the
    # one context rule (final sigma) sees a text's end where it sees a NUL
    joined = joined.lower() + "\x00"
    return np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)


def _grams(cps: np.ndarray, n_max: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(packed id, whether it is an n-gram within one text) per start position, for k = 1..n_max; the
    k-gram ids are built from the (k-1)-gram ids by one shift and one or."""
    c = cps.astype(np.int64)
    ok = cps != 0
    out = [(c, ok)]
    for k in range(2, n_max + 1):
        gid, prev_ok = out[-1]
        if len(c) < k:
            break
        out.append(((gid[:-1] << _BITS) | c[k - 1 :], prev_ok[:-1] & ok[k - 1 :]))
    return out


def _ngram_ids(texts: Sequence[str], n_max: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Packed ids of every char n-gram (1..n_max) of every text, and the doc index of each."""
    cps = _codepoints(texts)
    doc = np.cumsum(cps == 0)  # at a position inside text i: the i NULs before it
    grams = _grams(cps, n_max)
    return np.concatenate([g[ok] for g, ok in grams]), np.concatenate([doc[: len(ok)][ok] for _, ok in grams])


def _pair_ngram_ids(
    titles: Sequence[str], bodies: Sequence[str], n_max: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """N-gram ids of each title and each body (no n-gram spans the two), the doc of each, and whether
    it comes from the body (1) or the title (0)."""
    interleaved = [x for pair in zip(titles, bodies, strict=True) for x in pair]
    ids, seg = _ngram_ids(interleaved, n_max)  # seg = 2 * doc + part
    return ids, seg >> 1, seg & 1


def decode_ngram(gid: int) -> str:
    """Packed id → the n-gram string (for inspection and reasons)."""
    chars = []
    while gid:
        chars.append(chr(gid & _MASK))
        gid >>= _BITS
    return "".join(reversed(chars))


# docs per block of the sort in CharNgramTfidf._sorted_keys: 4 messages of 412 characters are ~2,800
# n-grams (11 KB of int32 keys, in the CPU cache); 2, 4, 8, 16 docs and one sort of the whole batch took
# 28, 32, 37, 45 and 110 ms for 4,096 messages (2026-12-03, shared machine): 4 leaves room for long ones
_SORT_DOCS = 4
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = np.int64(-1)


class _IdTable:
    """Open-addressing hash table int64 id → column, built and probed with vectorised numpy.

    One random memory access per n-gram instead of ~18 for a binary search: about 4x faster.
    """

    def __init__(self, keys: np.ndarray) -> None:
        # unigrams (ids < 2**21) go through a direct array; longer n-grams through the hash table
        self.uni = np.full(1 << _BITS, -1, dtype=np.int32)
        is_uni = keys < (1 << _BITS)
        self.uni[keys[is_uni]] = np.flatnonzero(is_uni)
        n = len(keys)
        self.bits = max(10, int(np.ceil(np.log2(max(n, 1) * 3))))
        size = 1 << self.bits
        self.keys = np.full(size, _EMPTY, dtype=np.int64)
        self.vals = np.zeros(size, dtype=np.int32)
        todo = np.arange(n)
        pos = self._hash(keys)
        while len(todo):
            slot = pos[todo]
            free = self.keys[slot] == _EMPTY
            cand = todo[free]
            # one winner per free slot
            _, first = np.unique(slot[free], return_index=True)
            win = cand[first]
            self.keys[pos[win]] = keys[win]
            self.vals[pos[win]] = win
            placed = np.zeros(n, dtype=bool)
            placed[win] = True
            todo = todo[~placed[todo]]
            pos[todo] = (pos[todo] + 1) & (size - 1)

    def _hash(self, ids: np.ndarray) -> np.ndarray:
        h = ids.view(np.uint64) * _GOLDEN  # ids are positive: the view reads the same numbers
        h >>= np.uint64(64 - self.bits)
        return h.view(np.int64)

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        """Column of each id, or -1."""
        out = np.empty(len(ids), dtype=np.int64)
        is_uni = ids < (1 << _BITS)
        out[is_uni] = self.uni[ids[is_uni]]
        out[~is_uni] = self.lookup_long(ids[~is_uni])
        return out

    def lookup_long(self, want: np.ndarray) -> np.ndarray:
        """Column (int32) of each id of two or more characters (>= 2**21), or -1."""
        want = np.ascontiguousarray(want, dtype=np.int64)
        pos = self._hash(want)
        found = self.keys[pos]
        hit = found == want
        col = self.vals[pos]
        col[~hit] = -1
        # the few that met another key in their slot probe on (linear probing)
        todo = np.flatnonzero(~hit & (found != _EMPTY))
        mask = (1 << self.bits) - 1
        while len(todo):
            p = (pos[todo] + 1) & mask
            pos[todo] = p
            k = self.keys[p]
            h = k == want[todo]
            col[todo[h]] = self.vals[p[h]]
            todo = todo[~h & (k != _EMPTY)]
        return col


class CharNgramTfidf:
    """TF-IDF over char 1–3-grams with a sorted int64 vocabulary."""

    def __init__(self, vocab: np.ndarray, idf: np.ndarray, n_max: int = 3) -> None:
        self.vocab = np.asarray(vocab, dtype=np.int64)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.n_max = n_max
        self._table = _IdTable(self.vocab)
        self._shift = max(1, len(self.vocab).bit_length())  # bits of a column in a packed key
        self._col_mask = (1 << self._shift) - 1

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 2, max_features: int | None = None, n_max: int = 3):
        ids, docs = _ngram_ids(texts, n_max)
        return cls._fit_ids(ids, docs, len(texts), min_df, max_features, n_max)

    @classmethod
    def fit_pairs(
        cls,
        titles: Sequence[str],
        bodies: Sequence[str],
        min_df: int = 2,
        max_features: int | None = None,
        n_max: int = 3,
    ):
        """Fit on (title, body) pairs: a document is the n-grams of its title plus those of its body."""
        ids, docs, _ = _pair_ngram_ids(titles, bodies, n_max)
        return cls._fit_ids(ids, docs, len(titles), min_df, max_features, n_max)

    @classmethod
    def _fit_ids(cls, ids, docs, n: int, min_df: int, max_features: int | None, n_max: int):
        uniq, inv = np.unique(ids, return_inverse=True)
        pair = np.unique(docs * len(uniq) + inv)
        df = np.bincount(pair % len(uniq), minlength=len(uniq))
        keep = np.flatnonzero(df >= min_df)
        if max_features and len(keep) > max_features:
            order = np.lexsort((uniq[keep], -df[keep]))  # by df desc, then id: deterministic
            keep = np.sort(keep[order[:max_features]])
        idf = np.log((1 + n) / (1 + df[keep])) + 1.0
        return cls(uniq[keep], idf.astype(np.float32), n_max)

    @property
    def n_features(self) -> int:
        return len(self.vocab)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if len(texts) == 0:
            return sparse.csr_matrix((0, self.n_features), dtype=np.float32)
        ids, docs = _ngram_ids(texts, self.n_max)
        pos = self._table.lookup(ids)
        hit = pos >= 0
        key, counts = np.unique((docs[hit] << self._shift) | pos[hit], return_counts=True)
        return self._rows(key >> self._shift, key & self._col_mask, counts, len(texts))

    def transform_views(
        self, titles: Sequence[str], bodies: Sequence[str], views: np.ndarray | None = None
    ) -> tuple[sparse.csr_matrix, sparse.csr_matrix | None, sparse.csr_matrix | None]:
        """TF-IDF rows of (title, body) pairs: the whole message, and — for the docs where ``views``
        is true — the title alone and the body alone (other rows of those two are empty).

        The n-grams are cut, looked up and counted once, per (doc, n-gram, part); a whole message's
        counts are the sums over its two parts.
        """
        n = len(titles)
        x = self.transform_stacked(titles, bodies, views)
        if views is None:
            return x, None, None
        return x[:n], x[n : 2 * n], x[2 * n :]

    def transform_stacked(
        self, titles: Sequence[str], bodies: Sequence[str], views: np.ndarray | None = None
    ) -> sparse.csr_matrix:
        """``transform_views`` as one matrix: the n whole-message rows, then (where ``views`` is given) the
        n title rows and the n body rows — one matrix product scores all three.

        The count is one sort of one integer per n-gram found: doc, column and part packed by shifts, in
        int32 while they fit (a batch of 4,096 messages over up to 262,144 features does), which sorts
        about twice as fast as int64.
        """
        n, sh = len(titles), self._shift
        dt = np.int32 if (n << (sh + 1)) <= np.iinfo(np.int32).max else np.int64
        key = self._sorted_keys(titles, bodies, dt)  # (doc, col, part) packed, sorted
        new = np.empty(len(key), dtype=bool)
        new[:1] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
        start = np.flatnonzero(new)
        counts = np.empty(len(start), dtype=np.int64)
        np.subtract(start[1:], start[:-1], out=counts[:-1])
        counts[-1:] = len(key) - start[-1:]
        key = key[start]
        doc_col, from_body = key >> 1, (key & 1).astype(bool)
        # (doc, col) entries are sorted, a title entry right before the body entry of the same n-gram
        first = np.ones(len(key), dtype=bool)
        np.not_equal(doc_col[1:], doc_col[:-1], out=first[1:])
        first = np.flatnonzero(first)
        doc, col = doc_col >> sh, doc_col & self._col_mask
        whole = (doc[first], col[first], np.add.reduceat(counts, first) if len(first) else counts)
        if views is None:
            return self._rows(*whole, n)
        sel = np.asarray(views, dtype=bool)[doc]
        t, b = sel & ~from_body, sel & from_body
        return self._rows(
            np.concatenate([whole[0], doc[t] + n, doc[b] + 2 * n]),
            np.concatenate([whole[1], col[t], col[b]]),
            np.concatenate([whole[2], counts[t], counts[b]]),
            3 * n,
        )

    def _sorted_keys(self, titles: Sequence[str], bodies: Sequence[str], dt) -> np.ndarray:
        """``doc << (_shift + 1) | col << 1 | part`` (part 0 title, 1 body) of every n-gram of the titles
        and bodies that is in the vocabulary, sorted. Single characters are looked up in the direct
        array, longer n-grams in the hash table. Each n-gram length gives a run ordered by doc; a batch
        is sorted by blocks of ``_SORT_DOCS`` docs (their slices of the runs joined), which stay in the
        CPU cache and sort about three times as fast as one sort of the whole batch."""
        sh = self._shift
        interleaved = [x for pair in zip(titles, bodies, strict=True) for x in pair]
        cps = _codepoints(interleaved)
        seg = np.cumsum(cps == 0, dtype=dt)  # at a position inside text i: the i NULs before it
        grams = _grams(cps, self.n_max)
        cols = [self._table.uni[cps[grams[0][1]]]]
        if len(grams) > 1:  # every longer n-gram through one probe of the hash table
            long_cols = self._table.lookup_long(np.concatenate([g[ok] for g, ok in grams[1:]]))
            at = 0
            for _, ok in grams[1:]:
                m = at + np.count_nonzero(ok)
                cols.append(long_cols[at:m])
                at = m
        segs, keys = [], []
        for (_, ok), col in zip(grams, cols, strict=True):
            hit = col >= 0
            s = seg[: len(ok)][ok][hit]  # 2 * doc + part
            segs.append(s)
            keys.append(((s >> 1) << (sh + 1)) | (col[hit].astype(dt, copy=False) << 1) | (s & 1))
        if len(titles) <= _SORT_DOCS:
            out = np.concatenate(keys)
            out.sort()
            return out
        bounds = np.arange(0, 2 * len(titles) + 2 * _SORT_DOCS, 2 * _SORT_DOCS)
        cuts = [np.searchsorted(s, bounds).tolist() for s in segs]
        out = np.empty(sum(len(k) for k in keys), dtype=dt)
        at = 0
        for j in range(len(bounds) - 1):
            block = [k[c[j] : c[j + 1]] for k, c in zip(keys, cuts, strict=True)]
            m = at + sum(len(b) for b in block)
            np.concatenate(block, out=out[at:m])
            out[at:m].sort()
            at = m
        return out

    def _rows(self, rows: np.ndarray, cols: np.ndarray, counts: np.ndarray, n_rows: int) -> sparse.csr_matrix:
        """Sublinear tf × idf, l2-normalised, from (row, col, count) sorted by row, then col."""
        data = (1.0 + np.log(counts)).astype(np.float32) * self.idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=n_rows))
        norms[norms == 0] = 1.0
        data = (data / norms[rows]).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))])
        return sparse.csr_matrix((data, cols, indptr), shape=(n_rows, self.n_features))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """Temperature t minimising the NLL of softmax(scores * t) (grid search then refine)."""

    def nll(t: float) -> float:
        p = _softmax(scores * t)
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None))))

    grid = np.exp(np.linspace(np.log(0.1), np.log(100), 60))
    best = min(grid, key=nll)
    fine = best * np.exp(np.linspace(-0.12, 0.12, 25))
    return float(min(fine, key=nll))


# Input kinds, in the order of the indicator columns (an empty input has none and is not classified).
KINDS = ("title", "body", "both")


def _kinds(titles: Sequence[str], bodies: Sequence[str]) -> np.ndarray:
    """Kind index per input: 0 title only, 1 body only, 2 both, -1 neither."""
    t = np.array([bool(x) for x in titles], dtype=bool)
    b = np.array([bool(x) for x in bodies], dtype=bool)
    return np.where(t & b, 2, np.where(t, 0, np.where(b, 1, -1)))


def _clean_pairs(titles, bodies) -> tuple[list[str], list[str]]:
    if bodies is None:
        bodies = [""] * len(titles)
    if titles is None:
        titles = [""] * len(bodies)
    if len(titles) != len(bodies):
        raise ValueError("titles and bodies must have the same length")
    return [clean_text(t) for t in titles], [clean_text(b) for b in bodies]


class CategoryClassifier:
    def __init__(
        self,
        featurizer: CharNgramTfidf,
        coef: np.ndarray,
        intercept: np.ndarray,
        labels: Sequence[str],
        temperature: float = 1.0,
        meta: dict | None = None,
        kind_bias: np.ndarray | None = None,
        view_weights: Sequence[float] = (0.0, 0.0),
    ) -> None:
        self.max_chars = int((meta or {}).get("max_chars") or 0)
        self.featurizer = featurizer
        self.coef = np.asarray(coef, dtype=np.float32)  # (n_classes, n_features)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.labels = list(labels)
        # (3 kinds, n_classes): the indicator columns' weights
        n_classes = len(self.labels)
        self.kind_bias = (
            np.zeros((len(KINDS), n_classes), dtype=np.float32)
            if kind_bias is None
            else np.asarray(kind_bias, dtype=np.float32).reshape(len(KINDS), n_classes)
        )
        # weights of the title-alone and body-alone views in a title+body message's score
        self.view_weights = (float(view_weights[0]), float(view_weights[1]))
        self.temperature = float(temperature)
        self.meta = dict(meta or {})
        self._coef_t = np.ascontiguousarray(self.coef.T)

    # ---- training ---------------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        titles: Sequence[str],
        bodies: Sequence[str],
        labels: Sequence[str],
        seed: int = 42,
        groups: Sequence[int] | None = None,
        *,
        C: float = 0.5,
        class_weight: str | None = "balanced",
        kind_indicator: float = 1.0,
        view_weights: Sequence[float] = (2.0, 1.0),
        min_df: int = 2,
        max_features: int | None = 200_000,
        calibrate: bool = True,
        max_chars: int = 600,
        label_order: Sequence[str] | None = None,
    ) -> CategoryClassifier:
        """Fit features + LinearSVC (+ temperature on out-of-fold scores, 5-fold by ``groups``).

        ``titles``/``bodies`` are parallel (either may be ''), so the model sees which input kind
        each example is; train on title-only, body-only and title+body examples to serve all three.
        ``kind_indicator`` is the value of the indicator column (0 turns the kind bias off).
        ``view_weights`` (title, body): at prediction a title+body message is scored as the weighted
        mean of the scores of the whole message, its title alone and its body alone (0, 0: whole only).
        """
        from sklearn.svm import LinearSVC  # scikit-learn takes ~2 s to import: loaded only where it is used

        t0 = time.perf_counter()
        titles, bodies = cls._cut(*_clean_pairs(titles, bodies), max_chars)
        label_list = list(label_order) if label_order else sorted(set(labels))
        index = {lab: i for i, lab in enumerate(label_list)}
        y = np.array([index[lab] for lab in labels])
        kinds = _kinds(titles, bodies)
        feat = CharNgramTfidf.fit_pairs(titles, bodies, min_df=min_df, max_features=max_features)
        views = kinds == 2 if any(view_weights) else None
        Xw, Xt, Xb = feat.transform_views(titles, bodies, views)
        X = cls._with_kinds(Xw, kinds, kind_indicator)
        svm = LinearSVC(C=C, class_weight=class_weight, random_state=seed).fit(X, y)
        nf = feat.n_features
        coef, intercept = svm.coef_[:, :nf].astype(np.float32), svm.intercept_.astype(np.float32)
        kind_bias = (svm.coef_[:, nf:].T * kind_indicator).astype(np.float32)
        temperature = 1.0
        if calibrate:
            oof = cls._oof_scores(
                X, y, groups, seed, C, class_weight, nf=nf, views=(Xt, Xb, views, view_weights)
            )
            temperature = _fit_temperature(oof, y)
        meta = {
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seed": seed,
            "C": C,
            "class_weight": class_weight,
            "kind_indicator": kind_indicator,
            "view_weights": list(view_weights),
            "min_df": min_df,
            "max_features": max_features,
            "max_chars": max_chars,
            "n_train": len(titles),
            "n_train_by_kind": {k: int((kinds == i).sum()) for i, k in enumerate(KINDS)},
            "train_seconds": round(time.perf_counter() - t0, 2),
        }
        try:
            import sklearn  # scikit-learn takes ~2 s to import: loaded only where it is used

            meta["sklearn_version"] = sklearn.__version__
        except ImportError:  # pragma: no cover
            pass
        meta["numpy_version"] = np.__version__
        return cls(feat, coef, intercept, label_list, temperature, meta, kind_bias, view_weights)

    @staticmethod
    def _cut(titles: list[str], bodies: list[str], max_chars: int) -> tuple[list[str], list[str]]:
        if not max_chars:
            return titles, bodies
        return [t[:max_chars] for t in titles], [b[:max_chars] for b in bodies]

    @staticmethod
    def _with_kinds(X: sparse.csr_matrix, kinds: np.ndarray, value: float) -> sparse.csr_matrix:
        rows = np.flatnonzero(kinds >= 0)
        ind = sparse.csr_matrix(
            (np.full(len(rows), value, dtype=np.float32), (rows, kinds[rows])), shape=(X.shape[0], len(KINDS))
        )
        return sparse.hstack([X, ind], format="csr")

    @staticmethod
    def _mix_views(scores, whole, title, body, rows, weights) -> np.ndarray:
        """Scores of ``rows`` → weighted mean of the whole-message, title and body views.

        ``scores`` = whole-view raw scores + intercept + kind bias; ``whole``/``title``/``body`` are the
        raw (feature · coef) scores of the three views. The mean keeps a title+body message's scores on
        the same scale as the other kinds (one temperature serves all).
        """
        a, b = weights
        if rows is None or not (a or b) or not rows.any():
            return scores
        const = scores[rows] - whole[rows]
        scores[rows] = (whole[rows] + a * title[rows] + b * body[rows]) / (1 + a + b) + const
        return scores

    @classmethod
    def _oof_scores(
        cls, X, y, groups, seed: int, C: float, class_weight=None, k: int = 5, nf: int = 0, views=None
    ) -> np.ndarray:
        from sklearn.model_selection import (  # scikit-learn takes ~2 s to import: loaded only where it is used
            GroupKFold,
            StratifiedKFold,
        )
        from sklearn.svm import LinearSVC  # scikit-learn takes ~2 s to import: loaded only where it is used

        if groups is not None:
            splitter = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
            splits = splitter.split(X, y, groups)
        else:
            splits = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(X, y)
        Xt, Xb, rows, weights = views if views else (None, None, None, (0.0, 0.0))
        oof = np.zeros((X.shape[0], int(y.max()) + 1), dtype=np.float64)
        for tr, te in splits:
            m = LinearSVC(C=C, class_weight=class_weight, random_state=seed).fit(X[tr], y[tr])
            s = m.decision_function(X[te])
            if rows is not None and rows[te].any():
                w = m.coef_[:, :nf].T
                s = cls._mix_views(s, X[te][:, :nf] @ w, Xt[te] @ w, Xb[te] @ w, rows[te], weights)
            oof[te] = s
        return oof

    # ---- prediction -------------------------------------------------------------------------
    def decision_function(self, titles=None, bodies=None) -> np.ndarray:
        return self._scores(*_clean_pairs(titles, bodies))

    def _views(self, titles: list[str], bodies: list[str]):
        """Cut the cleaned inputs and featurise them: (kinds, rows scored through the views or None, the
        TF-IDF rows — the n whole messages, then, with views, the n titles alone and the n bodies alone)."""
        titles, bodies = self._cut(titles, bodies, self.max_chars)
        kinds = _kinds(titles, bodies)
        rows = kinds == 2 if any(self.view_weights) else None
        stacked = getattr(self.featurizer, "transform_stacked", None)
        if stacked is not None:
            return kinds, rows, stacked(titles, bodies, rows)
        # a featuriser with transform_views only (the scikit-learn reference of the equivalence test)
        x = self.featurizer.transform_views(titles, bodies, rows)
        return kinds, rows, x[0] if rows is None else sparse.vstack(x, format="csr")

    def _scores(self, titles: list[str], bodies: list[str]) -> np.ndarray:
        """Decision values of already cleaned inputs."""
        return self._scores_of(*self._views(titles, bodies))

    def _scores_of(self, kinds, rows, x) -> np.ndarray:
        n = len(kinds)
        raw = np.asarray(x @ self._coef_t)  # every view in one product; rows apart, so the same sums
        whole = raw[:n]
        scores = whole + self.intercept
        has = kinds >= 0
        scores[has] += self.kind_bias[kinds[has]]
        if rows is not None and rows.any():
            scores = self._mix_views(scores, whole, raw[n : 2 * n], raw[2 * n :], rows, self.view_weights)
        return scores

    def _proba(self, titles: list[str], bodies: list[str]) -> np.ndarray:
        """Class probabilities of already cleaned inputs."""
        return _softmax(self._scores(titles, bodies).astype(np.float64) * self.temperature)

    def predict_proba(self, titles=None, bodies=None) -> np.ndarray:
        return self._proba(*_clean_pairs(titles, bodies))

    def predict(self, titles=None, bodies=None) -> list[Prediction]:
        """Titles and bodies are parallel sequences; either may be None or hold empty strings."""
        titles, bodies = _clean_pairs(titles, bodies)
        out: list[Prediction] = []
        for start in range(0, len(titles), 4096):
            tc, bc = titles[start : start + 4096], bodies[start : start + 4096]
            p = self._proba(tc, bc)
            idx = p.argmax(axis=1)
            conf = p[np.arange(len(idx)), idx].tolist()
            for t, b, j, c in zip(tc, bc, idx.tolist(), conf, strict=True):
                # an empty input: nothing to classify
                out.append(Prediction(self.labels[j], round(c, 4)) if t or b else Prediction("", 0.0))
        return out

    def predict_one(self, title: str = "", body: str = "") -> Prediction:
        return self.predict([title], [body])[0]

    def predict_ranked(self, title: str = "", body: str = "") -> list[Prediction]:
        """Every label for one message, most probable first, from one featurisation (the first is
        ``predict_one``'s); ``[Prediction("", 0.0)]`` when there is nothing to classify."""
        titles, bodies = _clean_pairs([title], [body])
        if not (titles[0] or bodies[0]):
            return [Prediction("", 0.0)]
        p = self._proba(titles, bodies)[0]
        return [Prediction(self.labels[j], round(float(p[j]), 4)) for j in np.argsort(-p, kind="stable")]

    def evidence(self, title: str = "", body: str = "", label: str | None = None, n: int = 4) -> list[str]:
        """The words (n-grams of 2–3 characters) of this message that pushed it most toward ``label``
        (default: the predicted one), best first; one inside another already chosen is skipped, and so
        is a fragment that is not a word of jieba's dictionary ("业不管", "个月"). It is the model's own
        reason, term by term: feature value × the label's coefficient, with the same views as the score."""
        kinds, views, stacked = featurised = self._views(*_clean_pairs([title], [body]))
        if kinds[0] < 0:
            return []
        c = self.labels.index(label) if label else int(np.argmax(self._scores_of(*featurised)[0]))
        x = stacked[:1]
        if views is not None and views[0]:
            a, b = self.view_weights
            x = ((x + a * stacked[1:2] + b * stacked[2:3]) / (1 + a + b)).tocsr()
        contrib = x.data * self.coef[c, x.indices]
        chosen: list[str] = []
        for i in np.argsort(-contrib, kind="stable"):
            if contrib[i] <= 0 or len(chosen) == n:
                break
            gram = decode_ngram(int(self.featurizer.vocab[x.indices[i]]))
            if len(gram) < 2 or not gram.isalnum() or gram.isdigit() or not _is_word(gram):
                continue
            if any(gram in g or g in gram for g in chosen):
                continue
            chosen.append(gram)
        return chosen

    def top_features(self, label: str, n: int = 20) -> list[str]:
        row = self.coef[self.labels.index(label)]
        return [decode_ngram(int(self.featurizer.vocab[i])) for i in np.argsort(-row)[:n]]

    # ---- persistence ------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {**self.meta, "format": "xinfang-intake-category", "model_version": MODEL_VERSION}
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                vocab=self.featurizer.vocab,
                idf=self.featurizer.idf.astype(np.float16),
                coef=self.coef.astype(np.float16),
                intercept=self.intercept.astype(np.float32),
                kind_bias=self.kind_bias.astype(np.float32),
                view_weights=np.array(self.view_weights, dtype=np.float32),
                labels=np.array(self.labels),
                temperature=np.array(self.temperature),
                n_max=np.array(self.featurizer.n_max),
                meta_json=np.array(json.dumps(meta, ensure_ascii=False)),
            )
        return path

    @classmethod
    def load(cls, path: str | Path) -> CategoryClassifier:
        with np.load(Path(path), allow_pickle=False) as z:
            meta = json.loads(str(z["meta_json"]))
            if meta.get("format") != "xinfang-intake-category":
                raise ValueError(f"{path}: not an xinfang intake category model")
            version = int(meta.get("model_version") or 1)
            if version < 3:
                raise ValueError(
                    f"{path}: model version {version} is older than 3 (the title and body are featurised "
                    "separately since version 3); retrain it with `xinfang intake train`"
                )
            feat = CharNgramTfidf(z["vocab"], z["idf"].astype(np.float32), int(z["n_max"]))
            return cls(
                feat,
                z["coef"].astype(np.float32),
                z["intercept"],
                [str(x) for x in z["labels"]],
                float(z["temperature"]),
                meta,
                z["kind_bias"],
                tuple(float(v) for v in z["view_weights"]),
            )


@functools.lru_cache(maxsize=1)
def _jieba():
    """jieba's dictionary, loaded once per process (about a second; its log lines silenced)."""

    import jieba  # jieba loads its dictionary on first use: only when word cutting is asked for

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _is_word(text: str) -> bool:
    return bool(_jieba().get_FREQ(text))


@functools.lru_cache(maxsize=1)
def load_default() -> CategoryClassifier:
    """The model shipped in ``xinfang/intake/data/`` (cached per process)."""
    return CategoryClassifier.load(DEFAULT_MODEL_PATH)
