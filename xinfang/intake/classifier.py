"""Category classifier for petition text (pure Python + numpy/scipy/scikit-learn; no Django import).

Features: TF-IDF over character 1–3-grams (sublinear tf, smoothed idf, l2 norm — the same maths as
scikit-learn's ``TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)``), computed
by a vectorised numpy featuriser: each n-gram is packed into one int64 (21 bits per code point), and
the vocabulary is a sorted int64 array looked up with ``np.searchsorted``. That is what makes batch
prediction fast (tens of thousands of messages per second on one core) and lets the model file be a
plain ``.npz`` (no pickle: loaded with ``allow_pickle=False``).

Model: a linear SVM (``LinearSVC``, class weights balanced) over those features plus three indicator
columns saying which input kind it is (title only / body only / title + body), i.e. a learnt bias per
kind and class; its decision values are turned into a confidence by a softmax with one temperature
fitted on out-of-fold decision values (group k-fold). Version 2 (this) vs version 1: balanced class
weights and the kind indicators — chosen by grouped cross-validation within the training split; see
``bench/intake/README.md`` for what else was measured and rejected.

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

MODEL_VERSION = "2"
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_MODEL_PATH = DATA_DIR / f"category-v{MODEL_VERSION}.npz"

_BITS = 21
_MASK = (1 << _BITS) - 1


class Prediction(NamedTuple):
    label: str
    confidence: float


def _codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts joined with NUL separators → (int64 code points, doc index per position)."""
    joined = "\x00".join(t.replace("\x00", " ").lower() for t in texts) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    doc = np.cumsum(cps == 0) - (cps == 0)  # separator belongs to the doc before it
    return cps, doc


def _ngram_ids(texts: Sequence[str], n_max: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Packed ids of every char n-gram (1..n_max) of every text, and the doc index of each."""
    cps, doc = _codepoints(texts)
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


def decode_ngram(gid: int) -> str:
    """Packed id → the n-gram string (for inspection and reasons)."""
    chars = []
    while gid:
        chars.append(chr(gid & _MASK))
        gid >>= _BITS
    return "".join(reversed(chars))


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
        h = ids.astype(np.uint64) * _GOLDEN
        return (h >> np.uint64(64 - self.bits)).astype(np.int64)

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        """Column of each id, or -1."""
        out = np.full(len(ids), -1, dtype=np.int64)
        is_uni = ids < (1 << _BITS)
        out[is_uni] = self.uni[ids[is_uni]]
        active = np.flatnonzero(~is_uni)
        pos = np.zeros(len(ids), dtype=np.int64)
        pos[active] = self._hash(ids[active])
        mask = (1 << self.bits) - 1
        while len(active):
            p = pos[active]
            k = self.keys[p]
            want = ids[active]
            hit = k == want
            out[active[hit]] = self.vals[p[hit]]
            cont = ~hit & (k != _EMPTY)
            active = active[cont]
            pos[active] = (p[cont] + 1) & mask
        return out


class CharNgramTfidf:
    """TF-IDF over char 1–3-grams with a sorted int64 vocabulary."""

    def __init__(self, vocab: np.ndarray, idf: np.ndarray, n_max: int = 3) -> None:
        self.vocab = np.asarray(vocab, dtype=np.int64)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.n_max = n_max
        self._table = _IdTable(self.vocab)

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 2, max_features: int | None = None, n_max: int = 3):
        ids, docs = _ngram_ids(texts, n_max)
        uniq, inv = np.unique(ids, return_inverse=True)
        pair = np.unique(docs * len(uniq) + inv)
        df = np.bincount(pair % len(uniq), minlength=len(uniq))
        keep = np.flatnonzero(df >= min_df)
        if max_features and len(keep) > max_features:
            order = np.lexsort((uniq[keep], -df[keep]))  # by df desc, then id: deterministic
            keep = np.sort(keep[order[:max_features]])
        n = len(texts)
        idf = np.log((1 + n) / (1 + df[keep])) + 1.0
        return cls(uniq[keep], idf.astype(np.float32), n_max)

    @property
    def n_features(self) -> int:
        return len(self.vocab)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        n_docs = len(texts)
        nf = len(self.vocab)
        if n_docs == 0:
            return sparse.csr_matrix((0, nf), dtype=np.float32)
        ids, docs = _ngram_ids(texts, self.n_max)
        pos = self._table.lookup(ids)
        hit = pos >= 0
        key = docs[hit] * nf + pos[hit]
        key, counts = np.unique(key, return_counts=True)
        rows, cols = np.divmod(key, nf)
        data = (1.0 + np.log(counts)).astype(np.float32) * self.idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=n_docs))
        norms[norms == 0] = 1.0
        data = (data / norms[rows]).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_docs))])
        return sparse.csr_matrix((data, cols, indptr), shape=(n_docs, nf))


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
    ) -> None:
        self.max_chars = int((meta or {}).get("max_chars") or 0)
        self.featurizer = featurizer
        self.coef = np.asarray(coef, dtype=np.float32)  # (n_classes, n_features)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.labels = list(labels)
        # (3 kinds, n_classes): the indicator columns' weights; zeros for a version-1 model
        n_classes = len(self.labels)
        self.kind_bias = (
            np.zeros((len(KINDS), n_classes), dtype=np.float32)
            if kind_bias is None
            else np.asarray(kind_bias, dtype=np.float32).reshape(len(KINDS), n_classes)
        )
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
        """
        from sklearn.svm import LinearSVC

        t0 = time.perf_counter()
        titles, bodies = _clean_pairs(titles, bodies)
        label_list = list(label_order) if label_order else sorted(set(labels))
        index = {lab: i for i, lab in enumerate(label_list)}
        y = np.array([index[lab] for lab in labels])
        texts = cls._join(titles, bodies, max_chars)
        kinds = _kinds(titles, bodies)
        feat = CharNgramTfidf.fit(texts, min_df=min_df, max_features=max_features)
        X = cls._with_kinds(feat.transform(texts), kinds, kind_indicator)
        svm = LinearSVC(C=C, class_weight=class_weight, random_state=seed).fit(X, y)
        nf = feat.n_features
        coef, intercept = svm.coef_[:, :nf].astype(np.float32), svm.intercept_.astype(np.float32)
        kind_bias = (svm.coef_[:, nf:].T * kind_indicator).astype(np.float32)
        temperature = 1.0
        if calibrate:
            oof = cls._oof_scores(X, y, groups, seed, C, class_weight)
            temperature = _fit_temperature(oof, y)
        meta = {
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seed": seed,
            "C": C,
            "class_weight": class_weight,
            "kind_indicator": kind_indicator,
            "min_df": min_df,
            "max_features": max_features,
            "max_chars": max_chars,
            "n_train": len(texts),
            "n_train_by_kind": {k: int((kinds == i).sum()) for i, k in enumerate(KINDS)},
            "train_seconds": round(time.perf_counter() - t0, 2),
        }
        try:
            import sklearn

            meta["sklearn_version"] = sklearn.__version__
        except ImportError:  # pragma: no cover
            pass
        meta["numpy_version"] = np.__version__
        return cls(feat, coef, intercept, label_list, temperature, meta, kind_bias)

    @staticmethod
    def _join(titles: Sequence[str], bodies: Sequence[str], max_chars: int) -> list[str]:
        # inputs are already cleaned (``_clean_pairs``): the same join as ``textprep.combine``
        texts = [f"{t}。{b}" if t and b else t or b for t, b in zip(titles, bodies, strict=True)]
        return [t[:max_chars] for t in texts] if max_chars else texts

    @staticmethod
    def _with_kinds(X: sparse.csr_matrix, kinds: np.ndarray, value: float) -> sparse.csr_matrix:
        rows = np.flatnonzero(kinds >= 0)
        ind = sparse.csr_matrix(
            (np.full(len(rows), value, dtype=np.float32), (rows, kinds[rows])), shape=(X.shape[0], len(KINDS))
        )
        return sparse.hstack([X, ind], format="csr")

    @staticmethod
    def _oof_scores(X, y, groups, seed: int, C: float, class_weight=None, k: int = 5) -> np.ndarray:
        from sklearn.model_selection import GroupKFold, StratifiedKFold
        from sklearn.svm import LinearSVC

        if groups is not None:
            splitter = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
            splits = splitter.split(X, y, groups)
        else:
            splits = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(X, y)
        oof = np.zeros((X.shape[0], int(y.max()) + 1), dtype=np.float64)
        for tr, te in splits:
            m = LinearSVC(C=C, class_weight=class_weight, random_state=seed).fit(X[tr], y[tr])
            oof[te] = m.decision_function(X[te])
        return oof

    # ---- prediction -------------------------------------------------------------------------
    def decision_function(self, titles=None, bodies=None) -> np.ndarray:
        titles, bodies = _clean_pairs(titles, bodies)
        X = self.featurizer.transform(self._join(titles, bodies, self.max_chars))
        scores = np.asarray(X @ self._coef_t) + self.intercept
        kinds = _kinds(titles, bodies)
        has = kinds >= 0
        scores[has] += self.kind_bias[kinds[has]]
        return scores

    def predict_proba(self, titles=None, bodies=None) -> np.ndarray:
        return _softmax(self.decision_function(titles, bodies).astype(np.float64) * self.temperature)

    def predict(self, titles=None, bodies=None) -> list[Prediction]:
        """Titles and bodies are parallel sequences; either may be None or hold empty strings."""
        titles, bodies = _clean_pairs(titles, bodies)
        out: list[Prediction] = []
        for start in range(0, len(titles), 4096):
            tc, bc = titles[start : start + 4096], bodies[start : start + 4096]
            p = self.predict_proba(tc, bc)
            idx = p.argmax(axis=1)
            for i, j in enumerate(idx):
                if tc[i] or bc[i]:
                    out.append(Prediction(self.labels[j], round(float(p[i, j]), 4)))
                else:
                    out.append(Prediction("", 0.0))  # nothing to classify
        return out

    def predict_one(self, title: str = "", body: str = "") -> Prediction:
        return self.predict([title], [body])[0]

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
            feat = CharNgramTfidf(z["vocab"], z["idf"].astype(np.float32), int(z["n_max"]))
            return cls(
                feat,
                z["coef"].astype(np.float32),
                z["intercept"],
                [str(x) for x in z["labels"]],
                float(z["temperature"]),
                meta,
                z["kind_bias"] if "kind_bias" in z.files else None,  # absent in version 1
            )


@functools.lru_cache(maxsize=1)
def load_default() -> CategoryClassifier:
    """The model shipped in ``xinfang/intake/data/`` (cached per process)."""
    return CategoryClassifier.load(DEFAULT_MODEL_PATH)
