"""scikit-learn's char TF-IDF with the classifier's interface: the reference that the hand-written numpy
featuriser (xinfang/intake/classifier.py::CharNgramTfidf) is checked against (test_tfidf_equivalence.py) and
timed against (bench/intake/tfidf_bench.py). Issue 21 asked to switch to it after an equivalence test; the
test holds, but it is about 8x slower on the classifier's batches, so the shipped code stays hand-written
(bench/intake/README.md, ADR 0006)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from xinfang.intake.classifier import _BITS, decode_ngram


def _pack(gram: str) -> int:
    """The n-gram string → its packed id (21 bits per code point), as the model file stores it."""
    gid = 0
    for ch in gram:
        gid = (gid << _BITS) | ord(ch)
    return gid


def _counter(n_max: int, vocabulary=None) -> CountVectorizer:
    # The texts reach here through clean_text (single spaces), so the analyzer's whitespace folding changes
    # nothing; NUL never occurs in them either.
    return CountVectorizer(
        analyzer="char", ngram_range=(1, n_max), lowercase=True, vocabulary=vocabulary, dtype=np.float32
    )


class SklearnTfidf:
    """The classifier's featuriser written with scikit-learn: ``CountVectorizer(analyzer="char")`` counts,
    ``TfidfTransformer`` weighs (sublinear tf, the given idf, l2 norm); the vocabulary as the model file keeps
    it (sorted packed int64 ids), handed to the vectorizer as strings. Same interface as
    classifier.CharNgramTfidf, which it is checked against."""

    def __init__(self, vocab: np.ndarray, idf: np.ndarray, n_max: int = 3) -> None:
        self.vocab = np.asarray(vocab, dtype=np.int64)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.n_max = n_max
        terms = [decode_ngram(int(g)) for g in self.vocab]
        self._counts = _counter(n_max, {t: i for i, t in enumerate(terms)})
        self._weigh = TfidfTransformer(sublinear_tf=True, norm="l2")
        self._weigh.idf_ = self.idf

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 2, max_features: int | None = None, n_max: int = 3):
        return cls.fit_pairs(texts, [""] * len(texts), min_df, max_features, n_max)

    @classmethod
    def fit_pairs(
        cls,
        titles: Sequence[str],
        bodies: Sequence[str],
        min_df: int = 2,
        max_features: int | None = None,
        n_max: int = 3,
    ):
        """Fit on (title, body) pairs: a document is the n-grams of its title plus those of its body (no
        n-gram spans the two). Keeps the n-grams in at least ``min_df`` documents; with ``max_features``
        the most frequent by document frequency (ties by id). idf is smoothed: ln((1+n)/(1+df)) + 1."""
        counter = _counter(n_max).fit([*titles, *bodies])
        terms = counter.get_feature_names_out()
        n = len(titles)
        counts = counter.transform(titles) + counter.transform(bodies)
        df = np.bincount(counts.indices, minlength=len(terms))
        ids = np.array([_pack(t) for t in terms], dtype=np.int64)
        keep = np.flatnonzero(df >= min_df)
        if max_features and len(keep) > max_features:
            order = np.lexsort((ids[keep], -df[keep]))  # by df desc, then id: deterministic
            keep = keep[order[:max_features]]
        keep = keep[np.argsort(ids[keep])]  # the vocabulary in id order, as the model file keeps it
        idf = np.log((1 + n) / (1 + df[keep])) + 1.0
        return cls(ids[keep], idf.astype(np.float32), n_max)

    @property
    def n_features(self) -> int:
        return len(self.vocab)

    def _tfidf(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        return self._weigh.transform(counts).astype(np.float32).tocsr()

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if len(texts) == 0:
            return sparse.csr_matrix((0, self.n_features), dtype=np.float32)
        return self._tfidf(self._counts.transform(texts))

    def transform_views(
        self, titles: Sequence[str], bodies: Sequence[str], views: np.ndarray | None = None
    ) -> tuple[sparse.csr_matrix, sparse.csr_matrix | None, sparse.csr_matrix | None]:
        """TF-IDF rows of (title, body) pairs: the whole message (the title's counts plus the body's), and —
        for the docs where ``views`` is true — the title alone and the body alone (other rows empty)."""
        title_counts = self._counts.transform(titles)
        body_counts = self._counts.transform(bodies)
        whole = self._tfidf(title_counts + body_counts)
        if views is None:
            return whole, None, None
        only = sparse.diags(np.asarray(views, dtype=np.float32))
        return whole, self._tfidf(only @ title_counts), self._tfidf(only @ body_counts)
