"""回访 on keyset pages (issue 14, ADR 0018): each view's rows once and in order across the pages (due and upcoming
by day, done newest first), a capped count, a cursor the list did not give out, and the page's and the API's
queries the same at 3 rows and 30."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from xinfang.cases.tests.factories import register, registrar
from xinfang.evaluation import return_visit_views
from xinfang.evaluation.models import ReturnVisit, ReturnVisitKind, ReturnVisitStatus, Stage

pytestmark = pytest.mark.django_db


def _visits(n: int, first: int = 700) -> None:
    """n visits of 东城区信访局 on its own cases, a third each due, upcoming and done; days and times collide
    in pairs so that the id breaks ties."""
    reg = registrar()
    today, now = timezone.localdate(), timezone.now()
    for i in range(n):
        case = register(by=reg, seed=first + i).case
        step = (first + i) // 2
        view = i % 3
        ReturnVisit.objects.create(
            case=case,
            stage=Stage.ANSWER,
            body=reg.body,
            kind=ReturnVisitKind.PHONE,
            scheduled_on=today - timedelta(days=step % 20)
            if view != 1
            else today + timedelta(days=1 + step % 9),
            status=ReturnVisitStatus.DONE if view == 2 else ReturnVisitStatus.SCHEDULED,
            done_at=now - timedelta(hours=step) if view == 2 else None,
            outcome="已回访" if view == 2 else "",
        )


def _client() -> Client:
    c = Client()
    c.force_login(registrar().user)
    return c


WANT = {
    "due": lambda today: ReturnVisit.objects.filter(
        status=ReturnVisitStatus.SCHEDULED, scheduled_on__lte=today
    ).order_by("scheduled_on", "pk"),
    "upcoming": lambda today: ReturnVisit.objects.filter(
        status=ReturnVisitStatus.SCHEDULED, scheduled_on__gt=today
    ).order_by("scheduled_on", "pk"),
    "done": lambda today: ReturnVisit.objects.exclude(status=ReturnVisitStatus.SCHEDULED).order_by(
        "-done_at", "-pk"
    ),
}


@pytest.mark.parametrize("view", ["due", "upcoming", "done"])
def test_keyset_pages_give_every_visit_once_in_order(demo_city, monkeypatch, view):
    monkeypatch.setattr(return_visit_views, "PAGE", 4)
    _visits(30)
    c = _client()
    base = reverse("evaluation:return_visits") + f"?view={view}"
    url, seen, counts = base, [], []
    while url:
        html = c.get(url).content.decode()
        seen += re.findall(r'href="/cases/\d+/">([^<]+)</a>', html)
        counts += re.findall(r'data-testid="return-visit-count">([^<]+)<', html)
        following = re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', html)
        url = (
            reverse("evaluation:return_visits") + "?" + following.group(1).replace("&amp;", "&")
            if following
            else None
        )
    want = [v.case.number for v in WANT[view](timezone.localdate()).select_related("case")]
    assert len(want) == 10 and seen == want
    assert counts[0].strip() == "共 10 件" and len(counts) == 3  # three pages of 4, 4 and 2
    bad = c.get(base + "&after=garbage")
    assert bad.status_code == 200 and "翻页参数无效" in bad.content.decode()


@pytest.mark.parametrize("view", ["due", "upcoming", "done"])
def test_the_page_and_the_api_have_the_same_queries_at_3_rows_and_30(
    demo_city, django_assert_max_num_queries, view
):
    c = _client()
    api = APIClient()
    api.force_authenticate(registrar().user)
    page_url = reverse("evaluation:return_visits") + f"?view={view}"
    api_url = f"/api/v1/evaluation/return-visits/?view={view}"
    _visits(9)
    with django_assert_max_num_queries(14) as small_page:
        assert c.get(page_url).status_code == 200
    with django_assert_max_num_queries(10) as small_api:
        assert len(api.get(api_url).json()) == 3
    _visits(81, first=800)
    with django_assert_max_num_queries(len(small_page.captured_queries) + 1):  # + the capped count
        assert c.get(page_url).status_code == 200
    with django_assert_max_num_queries(len(small_api.captured_queries)):
        assert len(api.get(api_url).json()) == 30


@pytest.mark.parametrize("view", ["due", "upcoming", "done"])
def test_the_api_windows_follow_the_link_header(demo_city, monkeypatch, view):
    """Windows of 2 (issue 14): the Link header's next window continues the list in its order, every visit
    once; `offset` still answers; a cursor the list did not give is 400 bad_cursor."""
    monkeypatch.setattr("xinfang.api.pagination.WINDOW", 2)
    api = APIClient()
    api.force_authenticate(registrar().user)
    _visits(9)
    url = f"/api/v1/evaluation/return-visits/?view={view}"
    first = api.get(url)
    link = first.headers["Link"]
    second = api.get(link[1 : link.index(">")])
    assert "Link" not in second.headers
    ids = [v["id"] for v in first.json() + second.json()]
    want = list(WANT[view](timezone.localdate()).values_list("pk", flat=True))
    assert ids == want and len(want) == 3
    assert [v["id"] for v in api.get(url + "&offset=2").json()] == want[2:]
    assert api.get(url + "&cursor=x").json()["code"] == "bad_cursor"
