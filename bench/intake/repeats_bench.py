"""Repeat detection precision/recall on the repeated messages in the release.

Ground truth: two records (different rows, within or across fj3/fj4/test_unlabelled/messages_rows)
whose normalised bodies are identical are copies of one message (the release re-posts messages).
Queries use the *title + body* of one copy; the index holds title + body of all the others, so a
copy is only found if its title+body text is similar enough; hard negatives are the many messages
about the same place and problem (fj3 hot-issue clusters). A harder variant drops a third of the
query's sentences and appends an unrelated sentence (a rewritten re-submission).
"""

import random
import re
import time
from collections import defaultdict

from common import SHARED, read_csv, read_xlsx

from xinfang.cases.similarity import SAME_MATTER_THRESHOLD, same_matter
from xinfang.intake.similarity import RepeatIndex, similar_texts
from xinfang.intake.textprep import clean_text, norm_key

recs = []
for name in ("fj3_hot_issues", "fj4_replies", "test_unlabelled"):
    for r in read_xlsx(SHARED / "tipdm2020c" / f"{name}.xlsx"):
        recs.append((clean_text(r["留言主题"]), clean_text(r["留言详情"])))
for r in read_csv(SHARED / "intake" / "messages_rows.csv"):
    recs.append((clean_text(r["留言主题"]), clean_text(r["留言详情"])))
by_body = defaultdict(list)
for i, (_t, b) in enumerate(recs):
    if len(norm_key(b)) >= 20:
        by_body[norm_key(b)].append(i)
truth = {i: set(g) - {i} for g in by_body.values() if len(g) > 1 for i in g}
print(f"records {len(recs)}, records with a repeat {len(truth)}")
texts = [f"{t}。{b}" for t, b in recs]
rng = random.Random(0)


def rewrite(text):
    parts = [p for p in re.split(r"(?<=[。！？；])", text) if p]
    keep = [p for p in parts if rng.random() > 0.33] or parts[:1]
    return "".join(keep) + "此事已拖延很久，请领导高度重视。"


t = time.perf_counter()
ix = RepeatIndex(threshold=0.5, num_perm=64)
ix.add_many(enumerate(texts))
print(f"index build: {time.perf_counter() - t:.1f}s")
for variant in ("copy", "rewritten"):
    tp_s = fp_s = fn_s = 0
    for th in (0.4, 0.5, 0.6, 0.7):
        tp = fp = fn = 0
        tp_e = fp_e = fn_e = 0
        for q, others in truth.items():
            qt = texts[q] if variant == "copy" else rewrite(texts[q])
            got = {m.id for m in ix.query(qt, threshold=th, limit=50)} - {q}
            tp += len(got & others)
            fp += len(got - others)
            fn += len(others - got)
            # exact scorer over the LSH candidates at a low threshold (how the case layer calls it)
            cands = {m.id for m in ix.query(qt, threshold=0.2, limit=200)} - {q}
            ex = {m.id for m in similar_texts(qt, ((c, texts[c]) for c in cands), threshold=th)}
            tp_e += len(ex & others)
            fp_e += len(ex - others)
            fn_e += len(others - ex)
            if th == 0.5:
                # the case layer's scorer today (char-bigram overlap) over the same candidates
                sm = {c for c in cands if same_matter(qt, texts[c])}
                tp_s += len(sm & others)
                fp_s += len(sm - others)
                fn_s += len(others - sm)
        p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        pe, re_ = tp_e / max(tp_e + fp_e, 1), tp_e / max(tp_e + fn_e, 1)
        print(
            f"{variant:9s} threshold {th}: LSH estimate P={p:.3f} R={r:.3f} | exact similar_texts P={pe:.3f} R={re_:.3f}"
        )
    ps, rs = tp_s / max(tp_s + fp_s, 1), tp_s / max(tp_s + fn_s, 1)
    print(
        f"{variant:9s} cases.similarity.same_matter (bigram overlap ≥ {SAME_MATTER_THRESHOLD}) over the same "
        f"candidates: P={ps:.3f} R={rs:.3f}"
    )
