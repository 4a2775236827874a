"""Rising issues read the window newest-first in chunks, filtered by visibility: the same issues as one read
of every visible case, whatever the chunk size; the dashboard keeps them a while per body."""

from __future__ import annotations

from django.utils import timezone

from xinfang.analytics import rising
from xinfang.analytics.rising import rising_issues, rising_issues_cached
from xinfang.cases.tests.factories import actor, register, registrar
from xinfang.orgs.models import Role

NOISE = "某某小区旁的搅拌站日夜施工，噪音和粉尘严重影响居民休息，请求依法处理"
BUS = "建议增加公交线路班次，方便老年人去医院就诊"


def _story():
    clerk = registrar()  # 东城区信访局
    for seed in (1, 2, 3):
        register(by=clerk, seed=seed, request=f"{NOISE}（第{seed}次反映）")
    for seed in (4, 5):
        register(by=clerk, seed=seed, request=f"{BUS}（第{seed}次）")
    other = registrar("990102-xinfang")  # another district: not visible to 东城区's bodies
    for seed in (6, 7, 8, 9):
        register(by=other, seed=seed, request=f"{NOISE}（西城第{seed}次）")
    return clerk


def _summary(issues):
    return [(i.count, i.petitioners) for i in issues]


def test_chunked_read_finds_the_same_issues_and_leaves_out_what_the_reader_may_not_see(
    demo_city, monkeypatch
):
    clerk = _story()
    today = timezone.localdate()
    whole = rising_issues(actor=clerk, today=today)
    assert _summary(whole)[0] == (3, 3)  # 东城区 sees its three, not 西城区's four
    monkeypatch.setattr(rising, "RISING_CHUNK", 2)
    assert _summary(rising_issues(actor=clerk, today=today)) == _summary(whole)
    city = actor("990100-xinfang", Role.SUPERVISOR)  # the city sees both districts
    assert _summary(rising_issues(actor=city, today=today))[0] == (7, 7)
    monkeypatch.setattr(rising, "RISING_MAX_CASES", 4)  # the newest four visible only
    assert sum(i.count for i in rising_issues(actor=city, today=today)) <= 4


def test_the_dashboard_keeps_a_bodys_issues_a_while(demo_city, settings):
    clerk = _story()
    today = timezone.localdate()
    first = rising_issues_cached(actor=clerk, today=today)
    for seed in (10, 11):
        register(by=clerk, seed=seed, request=f"{BUS}（第{seed}次）")
    assert _summary(rising_issues_cached(actor=clerk, today=today)) == _summary(first)
    settings.XINFANG_RISING_CACHE_SECONDS = 0
    assert _summary(rising_issues_cached(actor=clerk, today=today)) != _summary(first)
