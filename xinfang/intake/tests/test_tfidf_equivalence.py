"""The classifier's hand-written numpy TF-IDF (classifier.CharNgramTfidf) equals scikit-learn's
(tests/tfidf_sklearn.py: CountVectorizer + TfidfTransformer): the same vocabulary and idf when fitted, the
same matrices — whole message, title view, body view — and so the shipped model's same probabilities
(issue 21, ADR 0006). It stays hand-written because it is about 8x faster (bench/intake/tfidf_bench.py)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from xinfang.intake.classifier import CharNgramTfidf, _clean_pairs, load_default
from xinfang.intake.tests.tfidf_sklearn import SklearnTfidf

PHRASES = [
    "小区楼顶漏水多年",
    "物业推诿不管",
    "请求责令维修",
    "工资拖欠三个月",
    "A市A3区",
    "搅拌站噪音扰民",
    "Bus No.12 停运",
    "医保报销比例",
    "征收补偿未到位",
    "学校食堂卫生差",
    "𠀋𠀌生僻字",
    "ABC abc Abc",
    "2026年3月",
    "😀表情",
    "路灯坏了",
    "  ",
]


def _pairs(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    titles = ["".join(rng.sample(PHRASES, rng.randint(0, 2))) for _ in range(n)]
    bodies = ["，".join(rng.sample(PHRASES, rng.randint(0, 5))) for _ in range(n)]
    return _clean_pairs(titles, bodies)  # the classifier featurises cleaned text only


def _same(a, b) -> None:
    assert a.shape == b.shape
    assert np.allclose(a.toarray(), b.toarray(), atol=1e-6)


@pytest.mark.parametrize("max_features", [None, 40])
def test_fitting_gives_the_same_vocabulary_and_idf(max_features):
    titles, bodies = _pairs(300, seed=1)
    new = SklearnTfidf.fit_pairs(titles, bodies, min_df=2, max_features=max_features)
    old = CharNgramTfidf.fit_pairs(titles, bodies, min_df=2, max_features=max_features)
    assert np.array_equal(new.vocab, old.vocab)
    assert np.allclose(new.idf, old.idf)


def test_the_matrices_are_the_same():
    titles, bodies = _pairs(300, seed=2)
    old = CharNgramTfidf.fit_pairs(titles, bodies, min_df=2)
    new = SklearnTfidf(old.vocab, old.idf, old.n_max)
    test_titles, test_bodies = _pairs(120, seed=3)
    _same(new.transform(test_bodies), old.transform(test_bodies))
    views = np.array([i % 3 != 0 for i in range(120)])
    for a, b in zip(
        new.transform_views(test_titles, test_bodies, views),
        old.transform_views(test_titles, test_bodies, views),
        strict=True,
    ):
        _same(a, b)
    assert new.transform_views(test_titles, test_bodies)[1] is None


def test_the_shipped_model_gives_the_same_probabilities():
    clf = load_default()
    titles, bodies = _pairs(80, seed=4)
    titles += ["小区物业不作为", "", "拖欠工资"]
    bodies += ["", "我家楼上漏水，找物业多次无果，请求处理。", "公司拖欠三个月工资不发"]
    old = clf.predict_proba(titles, bodies)
    clf.featurizer = SklearnTfidf(clf.featurizer.vocab, clf.featurizer.idf, clf.featurizer.n_max)
    try:
        new = clf.predict_proba(titles, bodies)
    finally:
        load_default.cache_clear()
    assert np.allclose(new, old, atol=1e-5)
