"""Load, deduplicate, link and split the labelled 泰迪杯 2020 messages (pure Python, no Django).

Data: ``/work/shared/data/intake`` (see its README) — three overlapping files:

* ``messages_rows.csv``     complete messages: 留言主题 + 留言详情 + 一级标签 (ground-truth title/body pairs)
* ``messages_details.csv``  bodies only (留言详情_clean), whitespace and ``_x000D_`` removed
* ``messages_titles.csv``   titles only (留言主题)

How the corpus and the validation split are carved (``load_corpus`` + ``split_groups``):

1. Every text is cleaned (``textprep.clean_text``) and keyed by ``textprep.norm_key`` (NFKC, lower case,
   no whitespace/punctuation). Identical keys are one text (bodies and titles deduplicated separately;
   the 4 bodies whose copies carry conflicting labels and titles with conflicting labels are dropped).
2. Titles and bodies that belong to the same message are *linked* into one group: the ground-truth
   pairs from ``messages_rows`` and, for the rest, each title is linked to the same-label body whose
   char 2–3-gram IDF-weighted containment of the title is highest when it is ≥ 0.30 (on the ground-truth
   pairs this finds 97 % of the true bodies; a wrong link only makes the split more conservative).
   Groups are connected components (union–find) over these links.
3. A group is the unit of splitting: the same message (title, body or both, and every duplicate of
   them) is never on both sides. ``split_groups`` orders the groups of each label by a seeded hash
   and sends the first ``val_fraction`` of them to validation (stratified by label);
   ``kfold_groups`` deals them round-robin into k folds the same way.
"""

from __future__ import annotations

import csv
import hashlib
import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .classifier import CategoryClassifier
from .textprep import clean_text, combine, norm_key

__all__ = [
    "DEFAULT_DATA_DIR",
    "LABELS",
    "Corpus",
    "Example",
    "Group",
    "data_hash",
    "examples_for",
    "kfold_groups",
    "load_corpus",
    "split_groups",
]

DEFAULT_DATA_DIR = Path(os.environ.get("XINFANG_INTAKE_DATA", "/work/shared/data/intake"))
LABELS = ("城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生")
FILES = ("messages_rows.csv", "messages_details.csv", "messages_titles.csv")
LINK_THRESHOLD = 0.30


@dataclass
class Group:
    """All the texts of one message (or of several messages that could not be told apart)."""

    gid: int
    label: str
    titles: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # ground-truth (title, body)
    linked_pairs: list[tuple[str, str]] = field(default_factory=list)  # heuristic links


@dataclass(frozen=True)
class Example:
    title: str
    body: str
    label: str
    kind: str  # "title" | "body" | "both"

    @property
    def text(self) -> str:
        return combine(self.title, self.body)


@dataclass
class Corpus:
    groups: list[Group]
    data_hash: str
    stats: dict

    def labels(self) -> list[str]:
        return [g.label for g in self.groups]


def _read_csv(path: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def data_hash(data_dir: Path | str = DEFAULT_DATA_DIR) -> str:
    """sha256 over the three files (name + bytes), first 16 hex digits."""
    h = hashlib.sha256()
    for name in FILES:
        h.update(name.encode())
        h.update((Path(data_dir) / name).read_bytes())
    return h.hexdigest()[:16]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _link_titles(titles: dict[str, tuple[str, str]], bodies: dict[str, tuple[str, str]]):
    """Yield (title_key, body_key, score) — best same-label body per title by IDF containment."""
    # scikit-learn takes ~2 s to import: loaded only where it is used
    from sklearn.feature_extraction.text import CountVectorizer

    bkeys = list(bodies)
    btexts = [bodies[k][0] for k in bkeys]
    cv = CountVectorizer(analyzer="char", ngram_range=(2, 3), binary=True, dtype=np.float32).fit(btexts)
    bmat = cv.transform(btexts).tocsr()
    df = np.asarray(bmat.sum(0)).ravel()
    idf = (np.log((1 + len(btexts)) / (1 + df)) + 1).astype(np.float32)
    by_label_b: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(bkeys):
        by_label_b[bodies[k][1]].append(i)
    by_label_t: dict[str, list[str]] = defaultdict(list)
    for k, (_, lab) in titles.items():
        by_label_t[lab].append(k)
    for lab, tkeys in by_label_t.items():
        bidx = by_label_b.get(lab)
        if not bidx:
            continue
        q = cv.transform([titles[k][0] for k in tkeys]).multiply(idf).tocsr()
        denom = np.maximum(np.asarray(q.sum(1)).ravel(), 1e-9)
        sub = bmat[bidx].T.tocsc()
        for start in range(0, len(tkeys), 1024):
            s = (q[start : start + 1024] @ sub).toarray() / denom[start : start + 1024, None]
            best = s.argmax(1)
            for row, j in enumerate(best):
                yield tkeys[start + row], bkeys[bidx[j]], float(s[row, j])


def load_corpus(data_dir: Path | str = DEFAULT_DATA_DIR, link: bool = True) -> Corpus:
    """Read the three files, deduplicate, link titles to bodies and return message groups."""
    data_dir = Path(data_dir)
    rows = _read_csv(data_dir / "messages_rows.csv")
    details = _read_csv(data_dir / "messages_details.csv")
    titles_rows = _read_csv(data_dir / "messages_titles.csv")
    stats: dict = {"raw": {"rows": len(rows), "details": len(details), "titles": len(titles_rows)}}

    body_labels: dict[str, Counter] = defaultdict(Counter)
    body_text: dict[str, str] = {}
    title_labels: dict[str, Counter] = defaultdict(Counter)
    title_text: dict[str, str] = {}
    pairs: list[tuple[str, str, str]] = []

    def add_body(text: str, label: str) -> str | None:
        text = clean_text(text)
        key = norm_key(text)
        if not key:
            return None
        for lab in label.split("|"):
            body_labels[key][lab.strip()] += 1
        body_text.setdefault(key, text)
        return key

    def add_title(text: str, label: str) -> str | None:
        text = clean_text(text)
        key = norm_key(text)
        if not key:
            return None
        title_labels[key][label.strip()] += 1
        title_text.setdefault(key, text)
        return key

    for r in rows:
        lab = r["一级标签"].strip()
        tk = add_title(r["留言主题"], lab)
        bk = add_body(r["留言详情"], lab)
        if tk and bk:
            pairs.append((tk, bk, lab))
    for r in details:
        add_body(r["留言详情_clean"], r["一级标签"])
    for r in titles_rows:
        add_title(r["留言主题"], r["一级标签"])

    def single(labels: dict[str, Counter], texts: dict[str, str]) -> dict[str, tuple[str, str]]:
        out = {}
        for k, c in labels.items():
            if len(c) == 1:
                (lab,) = c
                if lab in LABELS:
                    out[k] = (texts[k], lab)
        return out

    bodies = single(body_labels, body_text)
    titles = single(title_labels, title_text)
    stats["dedup"] = {
        "bodies": len(bodies),
        "titles": len(titles),
        "dropped_conflicting_bodies": len(body_labels) - len(bodies),
        "dropped_conflicting_titles": len(title_labels) - len(titles),
    }

    uf = _UnionFind()
    for k in bodies:
        uf.find(("b", k))
    for k in titles:
        uf.find(("t", k))
    true_pairs = set()
    for tk, bk, _lab in pairs:
        if tk in titles and bk in bodies:
            uf.union(("t", tk), ("b", bk))
            true_pairs.add((tk, bk))
    linked = []
    if link:
        paired_titles = {tk for tk, _ in true_pairs}
        todo = {k: v for k, v in titles.items() if k not in paired_titles}
        for tk, bk, score in _link_titles(todo, bodies):
            if score >= LINK_THRESHOLD:
                uf.union(("t", tk), ("b", bk))
                linked.append((tk, bk))
    stats["links"] = {"ground_truth_pairs": len(true_pairs), "heuristic_links": len(linked)}

    comp: dict = defaultdict(list)
    for node in list(uf.parent):
        comp[uf.find(node)].append(node)
    groups: list[Group] = []
    node_gid: dict = {}
    for root in sorted(comp, key=lambda n: (n[0], n[1])):
        members = sorted(comp[root])
        labs = Counter((bodies[k][1] if kind == "b" else titles[k][1]) for kind, k in members).most_common()
        g = Group(gid=len(groups), label=labs[0][0])
        for kind, k in members:
            node_gid[(kind, k)] = g.gid
            if kind == "b":
                g.bodies.append(bodies[k][0])
            else:
                g.titles.append(titles[k][0])
        groups.append(g)
    for tk, bk in sorted(true_pairs):
        groups[node_gid[("t", tk)]].pairs.append((titles[tk][0], bodies[bk][0]))
    for tk, bk in linked:
        groups[node_gid[("t", tk)]].linked_pairs.append((titles[tk][0], bodies[bk][0]))
    stats["groups"] = len(groups)
    stats["largest_group"] = max(len(g.titles) + len(g.bodies) for g in groups)
    return Corpus(groups=groups, data_hash=data_hash(data_dir), stats=stats)


def _group_order(groups: Sequence[Group], seed: int) -> dict[str, list[Group]]:
    by_label: dict[str, list[Group]] = defaultdict(list)
    for g in groups:
        by_label[g.label].append(g)
    for lab, gs in by_label.items():
        gs.sort(key=lambda g: hashlib.sha256(f"{seed}:{g.gid}:{(g.titles + g.bodies)[0]}".encode()).digest())
        by_label[lab] = gs
    return by_label


def split_groups(groups: Sequence[Group], seed: int = 42, val_fraction: float = 0.2):
    """Stratified group split → (train_groups, val_groups)."""
    train, val = [], []
    for _lab, gs in sorted(_group_order(groups, seed).items()):
        n_val = round(len(gs) * val_fraction)
        val.extend(gs[:n_val])
        train.extend(gs[n_val:])
    return train, val


def kfold_groups(groups: Sequence[Group], k: int = 5, seed: int = 42) -> list[tuple[list, list]]:
    """Stratified group k-fold → [(train_groups, val_groups)] * k."""
    folds: list[list[Group]] = [[] for _ in range(k)]
    for _lab, gs in sorted(_group_order(groups, seed).items()):
        for i, g in enumerate(gs):
            folds[i % k].append(g)
    return [([g for j, f in enumerate(folds) if j != i for g in f], folds[i]) for i in range(k)]


def examples_for(
    groups: Iterable[Group], kinds: Sequence[str] = ("title", "body", "both"), linked: bool = True
):
    """Flatten groups into examples: every title alone, every body alone, every title+body pair.

    ``linked`` adds the heuristic title–body links as "both" examples (used for training; the
    validation "both" figure uses only the ground-truth pairs from messages_rows).
    """
    out: list[Example] = []
    for g in groups:
        if "title" in kinds:
            out.extend(Example(t, "", g.label, "title") for t in g.titles)
        if "body" in kinds:
            out.extend(Example("", b, g.label, "body") for b in g.bodies)
        if "both" in kinds:
            out.extend(Example(t, b, g.label, "both") for t, b in g.pairs)
            if linked:
                out.extend(Example(t, b, g.label, "both") for t, b in g.linked_pairs)
    return out


def evaluate(clf, groups: Sequence[Group]) -> dict:
    """Macro-F1, accuracy and expected calibration error per input kind on ``groups``."""
    from sklearn.metrics import (  # scikit-learn takes ~2 s to import: loaded only where it is used
        accuracy_score,
        f1_score,
    )

    out: dict = {}
    for kind in ("title", "body", "both"):
        ex = examples_for(groups, [kind], linked=False)
        if not ex:
            continue
        y = [e.label for e in ex]
        preds = clf.predict([e.title for e in ex], [e.body for e in ex])
        p = [x.label for x in preds]
        conf = np.array([x.confidence for x in preds])
        correct = np.array([a == b for a, b in zip(p, y, strict=True)], dtype=float)
        bins = np.minimum((conf * 10).astype(int), 9)
        ece = sum(
            abs(correct[bins == b].mean() - conf[bins == b].mean()) * (bins == b).mean()
            for b in range(10)
            if (bins == b).any()
        )
        out[kind] = {
            "n": len(ex),
            "macro_f1": round(float(f1_score(y, p, average="macro")), 4),
            "accuracy": round(float(accuracy_score(y, p)), 4),
            "ece": round(float(ece), 4),
        }
    return out


def _train_on(groups: Sequence[Group], seed: int, **kw):

    ex, gids = [], []
    for g in groups:
        e = examples_for([g])
        ex.extend(e)
        gids.extend([g.gid] * len(e))
    return CategoryClassifier.train(
        [e.title for e in ex],
        [e.body for e in ex],
        [e.label for e in ex],
        seed=seed,
        groups=gids,
        label_order=LABELS,
        **kw,
    )


def build_model(data_dir: Path | str = DEFAULT_DATA_DIR, seed: int = 42, val_fraction: float = 0.2, **kw):
    """Train on the train split, measure on the validation split, then refit on everything.

    Returns ``(classifier, report)``; the classifier's ``meta`` carries the report (data hash, seed,
    library versions, validation figures) and is written into the model file by ``save``.
    """

    t0 = time.perf_counter()
    corpus = load_corpus(data_dir)
    train, val = split_groups(corpus.groups, seed=seed, val_fraction=val_fraction)
    clf_val = _train_on(train, seed, **kw)
    figures = evaluate(clf_val, val)
    clf = _train_on(corpus.groups, seed, **kw)
    report = {
        "data_dir": str(data_dir),
        "data_hash": corpus.data_hash,
        "seed": seed,
        "corpus": corpus.stats,
        "split": {
            "method": "stratified group split: groups = linked title/body of one message, "
            "ordered per label by sha256(seed:gid:text), first val_fraction to validation",
            "val_fraction": val_fraction,
            "train_groups": len(train),
            "val_groups": len(val),
        },
        "validation": figures,
        "validation_model_train_seconds": clf_val.meta.get("train_seconds"),
        "final_train_seconds": clf.meta.get("train_seconds"),
        "total_seconds": round(time.perf_counter() - t0, 1),
    }
    clf.meta.update({"data_hash": corpus.data_hash, "validation": figures, "split": report["split"]})
    return clf, report
