from datetime import datetime, timedelta

from xinfang.intake.hotspots import extract_places, hot_issues

BASE = "A市A3区某某小区旁的搅拌站日夜施工，噪音和粉尘严重影响居民休息，多次反映无果，请求相关部门依法处理。"


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
