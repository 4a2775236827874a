"""Category classifier: validation macro-F1/accuracy per input kind, 5-fold estimate, speed, train time.

Usage: .venv/bin/python bench/intake/classifier_bench.py [--folds 5] [--fold-seeds 7,3,1] [--no-val] [--v1]
(the k-fold estimate scores each fold's model twice: as shipped, and with the title/body views off —
version 2's scoring of a title+body message as one text; --v1 also runs version 1's settings —
unweighted classes, no kind indicators, no views — on the same folds, for the comparison)
(run under ``flock /tmp/xf-bench.lock`` — the speed figure is for one core of a shared machine)
"""

import sys
import time

import numpy as np
from common import ROOT  # noqa: F401  (puts the repo on sys.path)

from xinfang.intake.classifier import DEFAULT_MODEL_PATH, load_default
from xinfang.intake.training import _train_on, evaluate, examples_for, kfold_groups, load_corpus, split_groups

folds = int(sys.argv[sys.argv.index("--folds") + 1]) if "--folds" in sys.argv else 5
fold_seeds = (
    [int(x) for x in sys.argv[sys.argv.index("--fold-seeds") + 1].split(",")]
    if "--fold-seeds" in sys.argv
    else [7]
)
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
    views = clf.view_weights
    clf.view_weights = (0.0, 0.0)
    f = evaluate(clf, val)["both"]
    print(
        f"validation both  with the title/body views off: macro-F1={f['macro_f1']:.4f} accuracy={f['accuracy']:.4f}"
    )
    clf.view_weights = views

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
    rates = []
    for _ in range(3):  # a shared machine: best and median of three runs
        t = time.perf_counter()
        model.predict(titles, bodies)
        rates.append(len(titles) / (time.perf_counter() - t))
    avg = np.mean([len(a) + len(b) for a, b in zip(titles, bodies, strict=True)])
    print(
        f"speed {label}: best {max(rates):,.0f} msgs/s, median {sorted(rates)[1]:,.0f} (3 runs of "
        f"{len(titles):,} messages, avg {avg:.0f} chars)"
    )
t = time.perf_counter()
for _, b in pairs[:500]:
    model.predict_one(title="", body=b)
print(f"single-message latency: {(time.perf_counter() - t) / 500 * 1000:.2f} ms")
print(f"model file {DEFAULT_MODEL_PATH.name}: {DEFAULT_MODEL_PATH.stat().st_size / 1e6:.2f} MB")

settings = {"v3": {}}
if "--v1" in sys.argv:
    settings["v1 settings"] = {"class_weight": None, "kind_indicator": 0.0, "view_weights": (0.0, 0.0)}
for name, kw in settings.items() if folds else ():
    scorings = {name: None}
    if name == "v3":
        scorings["v3 views off"] = (0.0, 0.0)
    res = {(s, k): [] for s in scorings for k in ("title", "body", "both")}
    runs = [
        (fs, i, tr, va)
        for fs in fold_seeds
        for i, (tr, va) in enumerate(kfold_groups(corpus.groups, folds, fs))
    ]
    for fs, i, tr, va in runs:
        m = _train_on(tr, 42, calibrate=False, **kw)
        trained = m.view_weights
        for sname, views in scorings.items():
            m.view_weights = trained if views is None else views
            for k, f in evaluate(m, va).items():
                res[(sname, k)].append(f["macro_f1"])
        print(
            f"fold seed {fs} fold {i}: " + " ".join(f"{s}/{k}={v[-1]:.4f}" for (s, k), v in res.items()),
            flush=True,
        )
    if "v3 views off" in scorings:
        d = np.array(res[("v3", "both")]) - np.array(res[("v3 views off", "both")])
        print(
            f"title+body, views on − off, paired per fold: mean {d.mean():+.4f}, {int((d > 0).sum())}/{len(d)} folds up"
        )
    for (sname, k), v in res.items():
        print(
            f"{sname} {folds}-fold × seeds {fold_seeds} macro-F1 {k:5s}: mean {np.mean(v):.4f} "
            f"± {np.std(v, ddof=1):.4f} (min {min(v):.4f}, max {max(v):.4f})"
        )
