"""Issue 14 made batch classification faster (bench/intake/classify_rate.py) without changing one prediction:
the featuriser now sorts packed int32 keys by blocks of docs and builds the three views as one stacked matrix,
clean_text splits instead of running two regular expressions, and predict reads its confidences in one go.

These tests hold the new code to the old one: the same TF-IDF bits as the featuriser written before
(tests/tfidf_reference.py), the same decision values to the bit on the real messages, and the same label and
confidence as the old code gave (tests/data/classify_golden.json, written by bench/intake/classify_golden.py
with commit 4cb428e) for every message of messages_rows.csv — title + body, title only, body only; the 367
title + body pairs that the seed-42 split holds out are among them."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.intake.classifier import (
    _SORT_DOCS,
    DEFAULT_MODEL_PATH,
    CategoryClassifier,
    CharNgramTfidf,
    _clean_pairs,
    _codepoints,
    load_default,
)
from xinfang.intake.tests.tfidf_reference import ReferenceTfidf
from xinfang.intake.textprep import clean_text
from xinfang.intake.training import DEFAULT_DATA_DIR

GOLDEN = Path(__file__).parent / "data" / "classify_golden.json"
ROWS = DEFAULT_DATA_DIR / "messages_rows.csv"
needs_data = pytest.mark.skipif(not ROWS.exists(), reason=f"the real messages are not here ({ROWS})")

PIECES = [
    "小区楼顶漏水多年",
    "物业推诿不管",
    "工资拖欠三个月",
    "A市A3区",
    "Bus No.12 停运",
    "ΑΣ ΟΔΟΣ Σ",  # capital sigma: lower() has a context rule at a word's end
    "İstanbul",  # lower() makes two code points of it
    "𠀋𠀌生僻字",
    "😀表情",
    "a\x00b",  # a NUL inside a text
    "  ",
    "",
]


def _messages(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    titles = ["".join(rng.choices(PIECES, k=rng.randint(0, 3))) for _ in range(n)]
    bodies = ["，".join(rng.choices(PIECES, k=rng.randint(0, 40))) for _ in range(n)]
    return titles, bodies


def _same_bits(a, b) -> None:
    assert a.shape == b.shape
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert a.data.dtype == b.data.dtype and np.array_equal(a.data, b.data)


def _reference_classifier(clf: CategoryClassifier) -> CategoryClassifier:
    return CategoryClassifier(
        ReferenceTfidf(clf.featurizer),
        clf.coef,
        clf.intercept,
        clf.labels,
        clf.temperature,
        clf.meta,
        clf.kind_bias,
        clf.view_weights,
    )


@pytest.mark.parametrize("n", [0, 1, _SORT_DOCS, _SORT_DOCS + 1, 37, 4097])
def test_the_featuriser_gives_the_reference_bits(n):
    """Batches smaller than a sort block, not a multiple of it, and past 4,096 messages (the keys no longer
    fit int32 with the shipped vocabulary: the int64 path)."""
    shipped = load_default().featurizer
    small = CharNgramTfidf.fit_pairs(*_messages(200, seed=1), min_df=1)  # a vocabulary of a few columns
    titles, bodies = _messages(n, seed=n)
    views = np.array([i % 3 != 1 for i in range(n)], dtype=bool)
    for feat in (shipped, small):
        ref = ReferenceTfidf(feat)
        for got, want in zip(
            feat.transform_views(titles, bodies, views),
            ref.transform_views(titles, bodies, views),
            strict=True,
        ):
            _same_bits(got, want)
        _same_bits(feat.transform_views(titles, bodies)[0], ref.transform_views(titles, bodies)[0])


def test_a_batch_with_no_known_ngram():
    feat = load_default().featurizer
    whole, title, body = feat.transform_views(["😀"], ["😀😀"], np.array([True]))
    assert whole.shape == title.shape == body.shape == (1, feat.n_features)
    assert whole.nnz == title.nnz == body.nnz == 0
    assert load_default().predict(["😀"], [""])[0].label  # still classified (by the kind bias)


def test_lowering_the_joined_texts_lowers_each_text():
    texts = ["ΑΣ", "Σ", "ΟΔΟΣ Σ", "σΣ", "İ", "a\x00Σ", "", "ΣΑ"]
    expected = "".join(t.replace("\x00", " ").lower() + "\x00" for t in texts)
    assert _codepoints(texts).tobytes() == expected.encode("utf-32-le")


def _clean_text_with_regexes(value: str) -> str:
    text = re.sub(r"_x000[dDaA]_|[\u3000\xa0\u200b\ufeff]", " ", value)
    return re.sub(r"\s+", " ", text).strip()


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "_x000D_",
                "_x000a_",
                "_x000",
                "\u3000",
                "\xa0",
                "\u200b",
                "\ufeff",
                "\t",
                "\n",
                "\r",
                " ",
                "\x1c",
                "\u2028",
                "\x85",
                "a",
                "中",
                "_",
                "Σ",
            ]
        )
        | st.text(max_size=3)
    ).map("".join)
)
def test_clean_text_is_what_the_regular_expressions_gave(text):
    assert clean_text(text) == _clean_text_with_regexes(text)


def test_str_split_splits_where_the_regular_expression_saw_whitespace():
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert set(re.findall(r"\s", every)) == {c for c in every if c.isspace()}


def _real_rows() -> tuple[list[str], list[str]]:
    csv.field_size_limit(1 << 30)
    with open(ROWS, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["留言主题"] for r in rows], [r["留言详情"] for r in rows]


@needs_data
def test_real_messages_get_the_reference_decision_values_to_the_bit():
    clf = load_default()
    ref = _reference_classifier(clf)
    titles, bodies = _real_rows()
    for t, b in ((titles, bodies), (titles, [""] * len(titles)), ([""] * len(bodies), bodies)):
        assert np.array_equal(clf.decision_function(t, b), ref.decision_function(t, b))
    for t, b in zip(titles[:60], bodies[:60], strict=True):
        assert clf.predict_ranked(t, b) == ref.predict_ranked(t, b)
        assert clf.evidence(t, b) == ref.evidence(t, b)


@needs_data
def test_every_real_message_gets_the_prediction_the_old_code_gave():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert hashlib.sha256(ROWS.read_bytes()).hexdigest() == golden["sha256"], "messages_rows.csv changed"
    assert hashlib.sha256(DEFAULT_MODEL_PATH.read_bytes()).hexdigest() == golden["model_sha256"], (
        "the shipped model changed: its predictions are new ones; regenerate the golden file with "
        "bench/intake/classify_golden.py once they are checked"
    )
    clf = load_default()
    titles, bodies = _real_rows()
    empty = [""] * len(titles)
    for kind, (t, b) in {"both": (titles, bodies), "title": (titles, empty), "body": (empty, bodies)}.items():
        preds = clf.predict(t, b)
        want = golden["kinds"][kind]
        labels = "".join(str(clf.labels.index(p.label)) if p.label else "-" for p in preds)
        assert labels == want["label"], kind
        assert [p.confidence for p in preds] == want["confidence"], kind


def test_cleaning_in_predict_is_the_same_as_before():
    titles, bodies = _messages(50, seed=9)
    titles = [t + "_x000D_\u3000" for t in titles]
    clean_t, clean_b = _clean_pairs(titles, bodies)
    assert clean_t == [_clean_text_with_regexes(t) for t in titles]
    assert clean_b == [_clean_text_with_regexes(b) for b in bodies]
