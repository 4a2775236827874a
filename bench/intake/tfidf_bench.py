"""The classifier's featuriser: the shipped hand-written numpy TF-IDF (classifier.CharNgramTfidf) against the
same maths written with scikit-learn's vectorizer, on the same messages in the same process, interleaved, so
the ratios hold even on a loaded machine (the absolute rates do not).

Two scikit-learn versions: the reference the equivalence test checks (xinfang/intake/tests/tfidf_sklearn.py:
CountVectorizer(analyzer="char") per part, TfidfTransformer per view) and a tuned one that cuts each text
once (analyzer=callable, one CountVectorizer pass over titles and bodies together, one TfidfTransformer pass
over the three views stacked). Each is checked to give the shipped featuriser's matrices before it is timed.
Three workloads: transform_views alone; the classifier's batch `predict` (the `intake classify` command);
one message through `predict_ranked` (the registration form's suggestion, xinfang/intake/suggest.py).

Usage: .venv/bin/python bench/intake/tfidf_bench.py [N]   (N messages, default 3,000; title + body)
"""

import copy
import os
import statistics
import sys
import time

import numpy as np
from common import ROOT  # noqa: F401  (puts the repo on sys.path)
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from xinfang.intake.classifier import _clean_pairs, decode_ngram, load_default
from xinfang.intake.tests.tfidf_sklearn import SklearnTfidf
from xinfang.intake.training import examples_for, load_corpus, split_groups


def char_ngrams(text: str) -> list[str]:
    """scikit-learn's char 1–3-gram analyzer, for texts that clean_text has already folded."""
    t = text.lower()
    return [t[i : i + k] for k in (1, 2, 3) for i in range(len(t) - k + 1)]


class SklearnOnePass:
    """scikit-learn's vectorizer used as economically as it allows: cut once, count once, weigh once."""

    def __init__(self, vocab: np.ndarray, idf: np.ndarray) -> None:
        terms = [decode_ngram(int(g)) for g in vocab]
        self.counts = CountVectorizer(
            analyzer=char_ngrams, vocabulary={t: i for i, t in enumerate(terms)}, dtype=np.float32
        )
        self.weigh = TfidfTransformer(sublinear_tf=True, norm="l2")
        self.weigh.idf_ = np.asarray(idf, dtype=np.float32)

    def transform_views(self, titles, bodies, views):
        n = len(titles)
        counts = self.counts.transform([*titles, *bodies]).tocsr()
        title, body = counts[:n], counts[n:]
        only = sparse.diags(np.asarray(views, dtype=np.float32))
        w = self.weigh.transform(sparse.vstack([title + body, only @ title, only @ body]).tocsr())
        w = w.astype(np.float32).tocsr()
        return w[:n], w[n : 2 * n], w[2 * n :]


n = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000
corpus = load_corpus()
_, val = split_groups(corpus.groups, seed=42)
pairs = [(e.title, e.body) for e in examples_for(val, ["both"], linked=False)]
pairs = (pairs * (n // len(pairs) + 1))[:n]
raw_titles, raw_bodies = [t for t, _ in pairs], [b for _, b in pairs]
titles, bodies = _clean_pairs(raw_titles, raw_bodies)
views = np.ones(n, dtype=bool)

model = load_default()
shipped = model.featurizer
featurisers = {
    "hand-written": shipped,
    "scikit-learn (reference)": SklearnTfidf(shipped.vocab, shipped.idf, shipped.n_max),
    "scikit-learn (one pass)": SklearnOnePass(shipped.vocab, shipped.idf),
}
expected = shipped.transform_views(titles[:300], bodies[:300], views[:300])
for name, feat in featurisers.items():
    got = feat.transform_views(titles[:300], bodies[:300], views[:300])
    assert all(
        np.allclose(a.toarray(), b.toarray(), atol=1e-6) for a, b in zip(got, expected, strict=True)
    ), name

models = {}
for name, feat in featurisers.items():
    models[name] = copy.copy(model)
    models[name].featurizer = feat
print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {n:,} messages")
featurise: dict[str, list[float]] = {k: [] for k in featurisers}
batch: dict[str, list[float]] = {k: [] for k in featurisers}
single: dict[str, list[float]] = {k: [] for k in featurisers}
for _ in range(3):  # interleaved rounds: a burst of load hits every version alike
    for name, feat in featurisers.items():
        t = time.perf_counter()
        feat.transform_views(titles, bodies, views)
        featurise[name].append(n / (time.perf_counter() - t))
        t = time.perf_counter()
        models[name].predict(raw_titles, raw_bodies)
        batch[name].append(n / (time.perf_counter() - t))
        each = []
        for i in range(200):
            t = time.perf_counter()
            models[name].predict_ranked(title=raw_titles[i], body=raw_bodies[i])
            each.append(time.perf_counter() - t)
        single[name].append(statistics.median(each) * 1000)
print(f"load average at the end: {os.getloadavg()[0]:.1f}")
base = "hand-written"
for name in featurisers:
    print(
        f"{name}: transform_views best {max(featurise[name]):,.0f} msgs/s "
        f"({max(featurise[name]) / max(featurise[base]):.2f}x); "
        f"predict best {max(batch[name]):,.0f} msgs/s ({max(batch[name]) / max(batch[base]):.2f}x); "
        f"one message median {min(single[name]):.2f} ms ({min(single[name]) / min(single[base]):.2f}x the time)"
    )
