from datetime import datetime, timedelta

from xinfang.intake.hotspots import extract_places, hot_issues
from xinfang.intake.similarity import RepeatIndex, minhash_signatures, shingles, similar_texts

BASE = "A市A3区某某小区旁的搅拌站日夜施工，噪音和粉尘严重影响居民休息，多次反映无果，请求相关部门依法处理。"


def test_similar_texts_scores_and_reasons():
    cands = [
        (1, BASE),
        (2, BASE + "另外小区门口的路灯也坏了很久。"),
        (3, "建议增加A市公交班次，方便市民出行。"),
        (4, BASE.replace("请求", "恳请")),
    ]
    got = similar_texts(BASE, cands, threshold=0.5)
    ids = [m.id for m in got]
    assert ids[0] == 1 and set(ids) == {1, 2, 4}
    assert all(m.reason for m in got)
    assert got[0].score == 1.0
    assert similar_texts("", cands) == []
    assert shingles("ab") == shingles("a b")


def test_repeat_index():
    ix = RepeatIndex(threshold=0.5, num_perm=64)
    ix.add_many([(i, f"第{i}号：建议修缮A市第{i}中学的操场跑道，雨天积水严重") for i in range(50)])
    ix.add("x", BASE)
    assert len(ix) == 51
    hits = ix.query(BASE + "！")
    assert hits and hits[0].id == "x" and hits[0].score > 0.8
    assert ix.query("完全无关的一句话，关于医保报销比例") == []


def test_repeat_index_finds_the_same_candidates_as_datasketch_lsh():
    """The sorted-band index with datasketch's band split returns what MinHashLSH returned, also for
    texts added after the bands were sorted (the unsorted tail) and after the tail is merged in."""
    import random

    import numpy as np
    from datasketch import MinHash, MinHashLSH

    rng = random.Random(3)
    sents = [
        f"{p}小区{q}问题长期得不到解决，"
        for p in "东西南北中"
        for q in ("停车", "噪音", "漏水", "物业", "供暖")
    ]
    texts = ["".join(rng.sample(sents, rng.randint(2, 5))) + f"第{i}次反映。" for i in range(2600)]
    ix = RepeatIndex(threshold=0.5, num_perm=64)
    ref = MinHashLSH(threshold=0.5, num_perm=64)
    assert (ix.b, ix.r) == (ref.b, ref.r)

    found: list[int] = []

    def check(queries):
        for q in queries:
            ours = {m.id for m in ix.query(q, threshold=0.0, limit=10_000)}
            sig = minhash_signatures([q])[0].astype(np.uint64)
            theirs = set(ref.query(MinHash(num_perm=64, hashvalues=sig, scheme="legacy")))
            assert ours == theirs
            found.append(len(ours))

    def add(lo, hi):
        ix.add_many((i, texts[i]) for i in range(lo, hi))
        for i, s in zip(range(lo, hi), minhash_signatures(texts[lo:hi]), strict=True):
            ref.insert(i, MinHash(num_perm=64, hashvalues=s.astype(np.uint64), scheme="legacy"))

    add(0, 1500)  # sorted in at the first query
    check([*texts[:40:7], "北小区停车问题长期得不到解决，"])
    add(1500, 1600)  # waits in the tail
    check(texts[1500:1600:9])
    add(1600, 2600)  # merged in
    check(texts[::97])
    assert len(ix) == 2600
    assert min(found) >= 1 and max(found) > 10  # never an empty comparison; some queries hit many


def test_extract_places():
    ps = extract_places("A市A3区丽发新城小区附近的搅拌站噪音扰民")
    assert ps[:2] == ["A市", "A3区"]
    assert any("丽发新城" in p for p in ps)


def test_hot_issues_groups_same_place_and_problem():
    t0 = datetime(2019, 11, 1)
    msgs = []
    for i in range(6):
        msgs.append(
            {
                "id": f"a{i}",
                "title": "A2区丽发新城小区附近搅拌站噪音扰民",
                "body": BASE,
                "user": f"u{i}",
                "time": t0 + timedelta(days=i),
                "likes": i,
            }
        )
    for i in range(3):
        msgs.append(
            {
                "id": f"b{i}",
                "title": "A7县星沙街道凉塘路旧城改造何时启动",
                "body": "旧城改造拖了多年，居民房屋破旧。",
                "user": f"v{i}",
                "time": t0 + timedelta(days=3 * i),
            }
        )
    msgs.append({"id": "c", "title": "医保报销比例咨询", "body": "请问医保门诊报销比例是多少", "user": "w"})
    top = hot_issues(msgs, top=5)
    assert top[0].count == 6 and set(top[0].message_ids) == {f"a{i}" for i in range(6)}
    assert top[0].rank == 1 and top[0].petitioners == 6
    assert any(set(h.message_ids) == {"b0", "b1", "b2"} for h in top)
    assert all("c" not in h.message_ids for h in top)
