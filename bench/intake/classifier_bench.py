"""Category classifier: validation macro-F1/accuracy per input kind, 5-fold estimate, speed, train time.

Usage: .venv/bin/python bench/intake/classifier_bench.py [--folds 5]
"""

import sys
import time

import numpy as np
from common import ROOT  # noqa: F401  (puts the repo on sys.path)

from xinfang.intake.classifier import DEFAULT_MODEL_PATH, load_default
from xinfang.intake.training import _train_on, evaluate, examples_for, kfold_groups, load_corpus, split_groups

folds = int(sys.argv[sys.argv.index("--folds") + 1]) if "--folds" in sys.argv else 5
corpus = load_corpus()
print("corpus:", corpus.stats)
train, val = split_groups(corpus.groups, seed=42)
t = time.perf_counter()
clf = _train_on(train, 42)
print(
    f"training time (features + LinearSVC + 5-fold temperature calibration): {time.perf_counter() - t:.1f}s"
)
for kind, f in evaluate(clf, val).items():
    print(
        f"validation {kind:5s} n={f['n']:5d} macro-F1={f['macro_f1']:.4f} accuracy={f['accuracy']:.4f} ECE={f['ece']:.4f}"
    )

# speed: one core, batch prediction, title+body of the validation messages (avg length printed)
texts = [e.text for e in examples_for(val, ["both"], linked=False)]
texts = (texts * (20000 // len(texts) + 1))[:20000]
model = load_default()
model.predict_texts(texts[:500])
for label, batch in (("title+body", texts),):
    t = time.perf_counter()
    model.predict_texts(batch)
    dt = time.perf_counter() - t
    print(f"speed {label}: {len(batch) / dt:,.0f} msgs/s (avg {np.mean([len(x) for x in batch]):.0f} chars)")
one = [model.predict_one(title=x[:20], body=x) for x in texts[:200]]
t = time.perf_counter()
for x in texts[:500]:
    model.predict_one(title="", body=x)
print(f"single-message latency: {(time.perf_counter() - t) / 500 * 1000:.2f} ms")
print(f"model file {DEFAULT_MODEL_PATH.name}: {DEFAULT_MODEL_PATH.stat().st_size / 1e6:.2f} MB")

if folds:
    res = {k: [] for k in ("title", "body", "both")}
    for i, (tr, va) in enumerate(kfold_groups(corpus.groups, k=folds, seed=7)):
        m = _train_on(tr, 42, calibrate=False)
        for k, f in evaluate(m, va).items():
            res[k].append(f["macro_f1"])
        print(f"fold {i}: " + " ".join(f"{k}={v[-1]:.4f}" for k, v in res.items()), flush=True)
    for k, v in res.items():
        print(f"{folds}-fold macro-F1 {k:5s}: mean {np.mean(v):.4f} ± {np.std(v):.4f} (min {min(v):.4f})")
