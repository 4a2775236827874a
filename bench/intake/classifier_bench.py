"""Category classifier: validation macro-F1/accuracy per input kind, 5-fold estimate, speed, train time.

Usage: .venv/bin/python bench/intake/classifier_bench.py [--folds 5] [--no-val] [--v1]
(--v1 also runs the k-fold estimate with version 1's settings — unweighted classes, no kind
indicators — on the same folds, for the comparison)
(run under ``flock /tmp/xf-bench.lock`` — the speed figure is for one core of a shared machine)
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
if "--no-val" not in sys.argv:
    t = time.perf_counter()
    clf = _train_on(train, 42)
    print(
        "training time (features + LinearSVC + 5-fold temperature calibration): "
        f"{time.perf_counter() - t:.1f}s"
    )
    for kind, f in evaluate(clf, val).items():
        print(
            f"validation {kind:5s} n={f['n']:5d} macro-F1={f['macro_f1']:.4f} "
            f"accuracy={f['accuracy']:.4f} ECE={f['ece']:.4f}"
        )

# speed: one core, batch prediction of the shipped model on the validation messages (avg length printed)
pairs = [(e.title, e.body) for e in examples_for(val, ["both"], linked=False)]
pairs = (pairs * (20000 // len(pairs) + 1))[:20000]
model = load_default()
model.predict([t for t, _ in pairs[:500]], [b for _, b in pairs[:500]])
for label, titles, bodies in (
    ("title+body", [t for t, _ in pairs], [b for _, b in pairs]),
    ("body only", [""] * len(pairs), [b for _, b in pairs]),
    ("title only", [t for t, _ in pairs], [""] * len(pairs)),
):
    t = time.perf_counter()
    model.predict(titles, bodies)
    dt = time.perf_counter() - t
    avg = np.mean([len(a) + len(b) for a, b in zip(titles, bodies, strict=True)])
    print(f"speed {label}: {len(titles) / dt:,.0f} msgs/s (avg {avg:.0f} chars)")
t = time.perf_counter()
for _, b in pairs[:500]:
    model.predict_one(title="", body=b)
print(f"single-message latency: {(time.perf_counter() - t) / 500 * 1000:.2f} ms")
print(f"model file {DEFAULT_MODEL_PATH.name}: {DEFAULT_MODEL_PATH.stat().st_size / 1e6:.2f} MB")

settings = {"v2": {}}
if "--v1" in sys.argv:
    settings["v1 settings"] = {"class_weight": None, "kind_indicator": 0.0}
for name, kw in settings.items() if folds else ():
    res = {k: [] for k in ("title", "body", "both")}
    for i, (tr, va) in enumerate(kfold_groups(corpus.groups, k=folds, seed=7)):
        m = _train_on(tr, 42, calibrate=False, **kw)
        for k, f in evaluate(m, va).items():
            res[k].append(f["macro_f1"])
        print(f"{name} fold {i}: " + " ".join(f"{k}={v[-1]:.4f}" for k, v in res.items()), flush=True)
    for k, v in res.items():
        print(
            f"{name} {folds}-fold macro-F1 {k:5s}: mean {np.mean(v):.4f} ± {np.std(v, ddof=1):.4f} "
            f"(min {min(v):.4f})"
        )
