"""Write the golden predictions that xinfang/intake/tests/test_classify_identical.py holds the classifier to:
the shipped model's label and confidence for every message of messages_rows.csv (the 1,769 complete
messages of the real data, among them the 367 title + body pairs that the seed-42 split holds out) as title
+ body, title only and body only, read as `xinfang intake classify` reads them (the raw cells). Written once
with the code before the issue-14 speed work (commit 4cb428e), so the test says: the same predictions after.
No text is written, only row numbers, label indexes and confidences.

Usage: .venv/bin/python bench/intake/classify_golden.py OUT.json [MODULE]
(MODULE: an importable copy of the classifier module to use instead of xinfang.intake.classifier)
"""

import csv
import hashlib
import importlib
import json
import sys

from common import ROOT  # noqa: F401  (puts the repo on sys.path)

from xinfang.intake.classifier import DEFAULT_MODEL_PATH
from xinfang.intake.training import DEFAULT_DATA_DIR

module = importlib.import_module(sys.argv[2] if len(sys.argv) > 2 else "xinfang.intake.classifier")
path = DEFAULT_DATA_DIR / "messages_rows.csv"
csv.field_size_limit(1 << 30)
with open(path, encoding="utf-8-sig", newline="") as fh:
    rows = list(csv.DictReader(fh))
titles, bodies = [r["留言主题"] for r in rows], [r["留言详情"] for r in rows]
model = module.CategoryClassifier.load(DEFAULT_MODEL_PATH)
out = {
    "source": "messages_rows.csv",
    "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    "model_sha256": hashlib.sha256(DEFAULT_MODEL_PATH.read_bytes()).hexdigest(),
    "labels": model.labels,
    "kinds": {},
}
for kind, t, b in (
    ("both", titles, bodies),
    ("title", titles, [""] * len(rows)),
    ("body", [""] * len(rows), bodies),
):
    preds = model.predict(t, b)
    out["kinds"][kind] = {
        "label": "".join(str(model.labels.index(p.label)) if p.label else "-" for p in preds),
        "confidence": [p.confidence for p in preds],
    }
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump(out, fh, ensure_ascii=False, separators=(",", ":"))
print(f"{len(rows)} messages × 3 kinds → {sys.argv[1]}")
