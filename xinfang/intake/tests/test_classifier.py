import numpy as np
import pytest

from xinfang.intake.classifier import (
    DEFAULT_MODEL_PATH,
    MODEL_VERSION,
    CategoryClassifier,
    CharNgramTfidf,
    decode_ngram,
    load_default,
)
from xinfang.intake.textprep import clean_text, combine, norm_key

OBVIOUS = [
    ("小区旁边工厂夜间排放刺鼻废气，河水被污染发黑", "环境保护"),
    ("公司拖欠工资三个月不发，社保也没有缴纳", "劳动和社会保障"),
    ("孩子所在小学课后作业太多，学校乱收补课费", "教育文体"),
    ("医院看病收费不合理，医生态度差，二胎准生证办理难", "卫生计生"),
    ("公交车经常不按站停靠，出租车拒载绕路", "交通运输"),
    ("小区物业乱收费，楼房漏水无人维修，违章建筑不拆", "城乡建设"),
    ("商家虚假宣传卖假货，消费者投诉无门，传销窝点", "商贸旅游"),
]


def test_clean_text():
    assert clean_text("\n\t\t\t\t尊敬的领导_x000D_\u3000您好 ") == "尊敬的领导 您好"
    assert clean_text(None) == "" and clean_text(float("nan")) == ""
    assert norm_key("Ａ市，A3区!") == norm_key("a市a3区")
    assert combine("", " 正文 ") == "正文" and combine("标题", "") == "标题"
    assert combine("标题", "正文") == "标题。正文"


def test_featurizer_matches_sklearn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["小区噪音扰民", "噪音扰民严重 请处理", "公交车拒载", "公交车 绕路 拒载", "小区 公交"]
    ours = CharNgramTfidf.fit(texts, min_df=1, max_features=None)
    sk = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1).fit(texts)
    a, b = ours.transform(texts), sk.transform(texts)
    assert a.shape == b.shape
    np.testing.assert_allclose(np.sort(a.data), np.sort(b.data), rtol=1e-5)
    assert sorted(decode_ngram(int(v)) for v in ours.vocab) == sorted(sk.vocabulary_)


def test_pair_views_count_title_and_body_ngrams_apart():
    from sklearn.feature_extraction.text import TfidfVectorizer

    titles, bodies = ["小区噪音", "公交车拒载", "", "学校"], ["夜间施工扰民", "", "绕路收费", "乱收费"]

    def grams(text):
        return [text[i : i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1)]

    # a message's n-grams are its title's plus its body's: none spans the two
    sk = TfidfVectorizer(analyzer=lambda pair: grams(pair[0]) + grams(pair[1]), sublinear_tf=True)
    sk.fit(list(zip(titles, bodies, strict=True)))
    ours = CharNgramTfidf.fit_pairs(titles, bodies, min_df=1)
    assert sorted(decode_ngram(int(v)) for v in ours.vocab) == sorted(sk.vocabulary_)
    whole, title, body = ours.transform_views(titles, bodies, np.array([True, False, False, True]))
    expected = sk.transform(list(zip(titles, bodies, strict=True)))
    np.testing.assert_allclose(np.sort(whole.data), np.sort(expected.data), rtol=1e-5)
    # the title and body views exist for the rows asked for, and equal each part scored alone
    np.testing.assert_allclose(title[0].toarray(), ours.transform(["小区噪音"]).toarray(), rtol=1e-6)
    np.testing.assert_allclose(body[3].toarray(), ours.transform(["乱收费"]).toarray(), rtol=1e-6)
    assert title[1].nnz == 0 and body[1].nnz == 0 and body[2].nnz == 0


def test_title_and_body_message_scores_mix_the_three_views():
    clf = load_default()
    title, body = "小区门口垃圾成堆无人清运", "每天晚上工厂排放废气，孩子上学路上闻到刺鼻味道"
    a, b = clf.view_weights
    both = clf.decision_function([title], [body])[0]
    bias = clf.intercept + clf.kind_bias[2]

    def raw(t, bo):
        w, _, _ = clf.featurizer.transform_views([t], [bo])
        return np.asarray(w @ clf._coef_t)[0]

    expected = (raw(title, body) + a * raw(title, "") + b * raw("", body)) / (1 + a + b) + bias
    np.testing.assert_allclose(both, expected, rtol=1e-5, atol=1e-6)
    # with the views off, the message is scored as one text
    clf_whole = CategoryClassifier(
        clf.featurizer, clf.coef, clf.intercept, clf.labels, clf.temperature, clf.meta, clf.kind_bias
    )
    np.testing.assert_allclose(
        clf_whole.decision_function([title], [body])[0], raw(title, body) + bias, rtol=1e-5
    )


def test_an_older_model_file_is_refused_with_a_clear_message(tmp_path):
    import json

    path = tmp_path / "old.npz"
    np.savez(
        path, meta_json=np.array(json.dumps({"format": "xinfang-intake-category", "model_version": "2"}))
    )
    with pytest.raises(ValueError, match="retrain it with `xinfang intake train`"):
        CategoryClassifier.load(path)


def test_shipped_model_metadata():
    clf = load_default()
    assert clf.labels == [
        "城乡建设",
        "环境保护",
        "交通运输",
        "教育文体",
        "劳动和社会保障",
        "商贸旅游",
        "卫生计生",
    ]
    for key in ("data_hash", "seed", "sklearn_version", "validation", "model_version"):
        assert key in clf.meta
    assert clf.meta["model_version"] == MODEL_VERSION == "3"
    assert DEFAULT_MODEL_PATH.name == "category-v3.npz"
    assert clf.view_weights == (2.0, 1.0) and clf.meta["view_weights"] == [2.0, 1.0]
    assert DEFAULT_MODEL_PATH.stat().st_size <= 6_000_000
    # figures for every input kind, measured on the held-out groups
    assert set(clf.meta["validation"]) == {"title", "body", "both"}
    # a regression guard, not the target: see bench/intake/README.md for the 5-fold figures
    assert all(fig["macro_f1"] >= 0.88 for fig in clf.meta["validation"].values())
    assert clf.meta["class_weight"] == "balanced"


@pytest.mark.parametrize(("text", "label"), OBVIOUS)
def test_shipped_model_obvious_sentences(text, label):
    clf = load_default()
    assert clf.predict_one(body=text).label == label
    assert clf.predict_one(title=text).label == label


def test_predict_inputs_and_confidence():
    clf = load_default()
    preds = clf.predict(["", "学校乱收费", ""], ["", "", "工厂偷排污水"])
    assert preds[0].label == "" and preds[0].confidence == 0.0
    assert preds[1].label == "教育文体" and 0 < preds[1].confidence <= 1
    assert preds[2].label == "环境保护"
    p = clf.predict_proba(["学校乱收费"], ["老师体罚学生"])
    assert p.shape == (1, 7) and abs(p.sum() - 1) < 1e-6
    with pytest.raises(ValueError):
        clf.predict(["a"], ["b", "c"])


def test_whitespace_only_input_is_not_classified():
    clf = load_default()
    assert clf.predict_one(title=" \u3000 ", body="_x000D_\n") == ("", 0.0)


def test_train_save_load_roundtrip(tmp_path):
    texts = [t for t, _ in OBVIOUS]
    labels = [lab for _, lab in OBVIOUS]
    # every message as title only, body only and both, as the real training set is built
    titles = [t[:8] for t in texts] + [""] * 7 + [t[:8] for t in texts]
    bodies = [""] * 7 + texts + texts
    clf = CategoryClassifier.train(titles, bodies, labels * 3, seed=1, min_df=1, calibrate=False)
    assert clf.kind_bias.shape == (3, 7) and clf.meta["n_train_by_kind"] == {"title": 7, "body": 7, "both": 7}
    path = clf.save(tmp_path / "m.npz")
    again = CategoryClassifier.load(path)
    assert [p.label for p in again.predict(titles, bodies)] == [p.label for p in clf.predict(titles, bodies)]
    assert [p.label for p in again.predict([""] * 7, texts)] == labels
    np.testing.assert_allclose(again.kind_bias, clf.kind_bias, rtol=1e-6)
    assert again.view_weights == clf.view_weights == (2.0, 1.0)
    assert again.meta["seed"] == 1


def test_id_table_finds_every_key_and_nothing_else():
    from xinfang.intake.classifier import _IdTable

    rng = np.random.default_rng(3)
    # unigrams (direct array) and long n-gram ids (hash table, many sharing a slot at this size)
    keys = np.unique(
        np.concatenate([rng.integers(1, 1 << 21, 3_000), rng.integers(1 << 21, 1 << 62, 60_000)])
    )
    table = _IdTable(keys)
    queries = np.concatenate([keys, rng.integers(1, 1 << 62, 20_000), rng.integers(1, 1 << 21, 2_000)])
    rng.shuffle(queries)
    expected = {int(k): i for i, k in enumerate(keys)}
    assert table.lookup(queries).tolist() == [expected.get(int(q), -1) for q in queries]


@pytest.mark.parametrize(("text", "label"), OBVIOUS)
def test_evidence_is_words_of_the_message_that_point_to_its_label(text, label):
    clf = load_default()
    words = clf.evidence(body=text)
    assert 1 <= len(words) <= 4 and all(w in text and len(w) >= 2 for w in words)
    assert not any(a != b and a in b for a in words for b in words)  # none inside another
    # each word alone leans to the label more than the average class does
    for w in words:
        scores = clf.decision_function([""], [w])[0]
        assert scores[clf.labels.index(label)] > scores.mean()


def test_evidence_of_nothing_is_empty():
    assert load_default().evidence(title=" ", body="") == []


def test_ranked_predictions_start_with_predict_one_and_cover_every_label():
    clf = load_default()
    ranked = clf.predict_ranked(title="小区噪音扰民", body="工地夜间施工，噪音很大，影响休息")
    assert ranked[0] == clf.predict_one(title="小区噪音扰民", body="工地夜间施工，噪音很大，影响休息")
    assert sorted(p.label for p in ranked) == sorted(clf.labels)
    assert [p.confidence for p in ranked] == sorted((p.confidence for p in ranked), reverse=True)
    assert clf.predict_ranked(title=" ", body="_x000D_") == [("", 0.0)]
