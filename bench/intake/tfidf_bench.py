"""The classifier's featuriser: the shipped hand-written numpy TF-IDF (classifier.CharNgramTfidf) against the
same maths written with scikit-learn's vectorizer (xinfang/intake/tests/tfidf_sklearn.py), on the same
messages in the same process, so the ratio holds even on a loaded machine (the absolute rates do not).

Usage: .venv/bin/python bench/intake/tfidf_bench.py [N]   (N messages, default 20,000; title + body)
"""

import sys
import time

import numpy as np
from common import ROOT  # noqa: F401  (puts the repo on sys.path)

from xinfang.intake.classifier import _clean_pairs, load_default
from xinfang.intake.tests.tfidf_sklearn import SklearnTfidf
from xinfang.intake.training import examples_for, load_corpus, split_groups

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
corpus = load_corpus()
_, val = split_groups(corpus.groups, seed=42)
pairs = [(e.title, e.body) for e in examples_for(val, ["both"], linked=False)]
pairs = (pairs * (n // len(pairs) + 1))[:n]
titles, bodies = _clean_pairs([t for t, _ in pairs], [b for _, b in pairs])
views = np.ones(n, dtype=bool)

old = load_default().featurizer
new = SklearnTfidf(old.vocab, old.idf, old.n_max)
rates = {}
for name, feat in (("scikit-learn", new), ("hand-written", old)):
    best = []
    for _ in range(3):
        t = time.perf_counter()
        feat.transform_views(titles, bodies, views)
        best.append(n / (time.perf_counter() - t))
    rates[name] = (max(best), sorted(best)[1])
    print(
        f"{name}: best {max(best):,.0f} msgs/s, median {sorted(best)[1]:,.0f} (transform_views, {n:,} messages)"
    )
print(f"scikit-learn / hand-written (best): {rates['scikit-learn'][0] / rates['hand-written'][0]:.2f}x")
