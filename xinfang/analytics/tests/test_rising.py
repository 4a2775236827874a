"""Rising issues on the dashboard: recent visible cases about one place and problem come out as one issue."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from xinfang.analytics.rising import rising_issues
from xinfang.cases.tests.factories import register, registrar
from xinfang.orgs.models import Role

NOISE = "某某小区旁的搅拌站日夜施工，噪音和粉尘严重影响居民休息，请求依法处理"


def test_cases_about_one_matter_cluster_into_one_issue(demo_city):
    clerk = registrar()
    for seed in (1, 2, 3):
        register(by=clerk, seed=seed, request=f"{NOISE}（第{seed}次反映）")
    register(by=clerk, seed=4, request="建议增加公交线路班次，方便老年人去医院就诊")
    issues = rising_issues(actor=clerk, today=timezone.localdate())
    assert len(issues) == 1
    assert issues[0].count == 3 and issues[0].petitioners == 3 and issues[0].rank == 1


def test_nothing_to_cluster_is_an_empty_list(demo_city):
    clerk = registrar()
    assert rising_issues(actor=clerk, today=timezone.localdate()) == []
    register(by=clerk, seed=1)
    assert rising_issues(actor=clerk, today=timezone.localdate()) == []


def test_the_dashboard_shows_them(demo_city, client):
    from xinfang.cases.tests.factories import actor

    clerk = registrar()
    for seed in (1, 2):
        register(by=clerk, seed=seed, request=f"{NOISE}（第{seed}次反映）")
    leader = actor("990101-xinfang", Role.SUPERVISOR)
    client.force_login(leader.user)
    resp = client.get(reverse("analytics:dashboard"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-testid="rising"' in html and "搅拌站" in html
