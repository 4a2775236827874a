"""The supervision lists of cases on keyset pages (issue 14, ADR 0018): 督办 (both sides merged), 包案 and a
campaign's items. Each row once across the pages and in the list's order, the same queries at 3 rows and 30,
a cursor the list did not give out gives page 1 and a message, and a case the viewer may not see stays out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.cases.models import Case
from xinfang.cases.tests.factories import register, registrar
from xinfang.orgs.models import Body
from xinfang.supervision import services, views
from xinfang.supervision.models import (
    Batch,
    Campaign,
    CampaignCase,
    LeaderCase,
    ReceptionKind,
    Supervision,
    SupervisionKind,
)
from xinfang.supervision.tests.test_api import api
from xinfang.supervision.tests.test_views import client_for

pytestmark = pytest.mark.django_db


def _cases(n: int, first: int = 300) -> list[Case]:
    return [register(by=registrar(), seed=first + i).case for i in range(n)]


def _rows(world, cases: list[Case], campaign: Campaign | None = None) -> Campaign:
    """A 督办, a 包案 and a campaign item for each case, as a bulk import writes them; every third 督办 is one the
    city 信访局 *received* (from 东城区), so the merged list has both sides. Issue times collide in pairs, so
    the id breaks ties."""
    city = world.supervisor.body
    county = Body.objects.get(code="990101-xinfang")
    kind = SupervisionKind.objects.order_by("rung").first()
    now = timezone.now()
    for i, case in enumerate(cases):
        at = now - timedelta(hours=(case.pk // 2))
        received = i % 3 == 2
        sup = Supervision.objects.create(
            number=f"T-{case.pk}",
            kind=kind,
            issuing_body=county if received else city,
            body=city if received else county,
            reason="delay",
            requirement="请加快办理",
            issued_at=at,
            issued_on=at.date(),
            reply_due=at.date() + timedelta(days=15),
        )
        sup.cases.add(case)
        LeaderCase.objects.create(
            case=case,
            leader=world.county_leader.user,
            leader_body=world.county_leader.body,
            plan="一案一策",
            opened_at=at,
        )
    if campaign is None:
        today = timezone.localdate()
        campaign = Campaign.objects.create(
            name="专项", issuing_body=city, started_on=today, ends_on=today + timedelta(days=30)
        )
    number = campaign.batches.count() + 1
    batch = Batch.objects.create(
        campaign=campaign, number=number, handed_down_on=timezone.localdate(), source="excel"
    )
    CampaignCase.objects.bulk_create(
        [
            CampaignCase(
                campaign=campaign,
                batch=batch,
                case=case,
                responsible_body=county,
                due_on=timezone.localdate() + timedelta(days=20),
            )
            for case in cases
        ]
    )
    return campaign


def _urls(campaign: Campaign) -> dict[str, str]:
    return {
        "supervision:index": reverse("supervision:index"),
        "supervision:leader_cases": reverse("supervision:leader_cases"),
        "supervision:campaign": reverse("supervision:campaign", args=[campaign.pk]),
    }


ROW_LINK = {
    "supervision:index": r'href="/supervision/\d+/">([^<]+)</a>',
    "supervision:leader_cases": r'href="/supervision/leader-cases/\d+/">([^<]+)</a>',
    "supervision:campaign": r'href="/supervision/campaign-cases/\d+/">([^<]+)</a>',
}


def _expected(name: str) -> list[str]:
    if name == "supervision:index":
        return [s.number for s in Supervision.objects.order_by("-issued_at", "-pk")]
    if name == "supervision:leader_cases":
        rows = LeaderCase.objects.select_related("case").order_by("status", "-opened_at", "-pk")
        return [lc.case.number for lc in rows]
    return [i.case.number for i in CampaignCase.objects.select_related("case").order_by("batch_id", "pk")]


@pytest.mark.parametrize("name", ["supervision:index", "supervision:leader_cases", "supervision:campaign"])
def test_the_same_queries_at_3_rows_and_30(world, django_assert_max_num_queries, name):
    c = client_for(world.supervisor)
    campaign = _rows(world, _cases(3))
    url = _urls(campaign)[name]
    with django_assert_max_num_queries(16) as small:
        page = c.get(url)
    assert page.status_code == 200
    _rows(world, _cases(27, first=400), campaign)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = c.get(url)
    assert page.status_code == 200 and 'rel="next"' not in page.content.decode()


@pytest.mark.parametrize("name", ["supervision:index", "supervision:leader_cases", "supervision:campaign"])
def test_keyset_pages_give_every_row_once_in_order(world, monkeypatch, name):
    monkeypatch.setattr(views, "PAGE", 4)
    c = client_for(world.supervisor)
    campaign = _rows(world, _cases(11))
    url = _urls(campaign)[name]
    seen, pages = [], 0
    while url:
        html = c.get(url).content.decode()
        seen += re.findall(ROW_LINK[name], html)
        pages += 1
        following = re.search(r'href="(\?[^"]*after=[^"]+)" rel="next"', html)
        url = (_urls(campaign)[name] + following.group(1).replace("&amp;", "&")) if following else None
    assert pages == 3
    assert seen == _expected(name)
    bad = c.get(_urls(campaign)[name] + "?after=garbage")
    assert bad.status_code == 200 and "翻页参数无效" in bad.content.decode()


def test_a_case_the_viewer_may_not_see_is_not_listed(world):
    """东城区's own 督查 sees its side only: a campaign item and 包案 on a case of another district stay out."""
    mine = _cases(2)
    other = register(by=registrar("990102-xinfang"), seed=900, region="990102001").case
    campaign = _rows(world, [*mine, other])
    county = client_for(world.county_supervisor)
    html = county.get(reverse("supervision:leader_cases")).content.decode()
    assert mine[0].number in html and other.number not in html
    CampaignCase.objects.filter(case=other).update(responsible_body=world.county_supervisor.body)
    CampaignCase.objects.update(responsible_body=world.county_supervisor.body)
    html = county.get(reverse("supervision:campaign", args=[campaign.pk])).content.decode()
    assert mine[1].number in html and other.number not in html


@pytest.mark.parametrize("path", ["supervisions/", "leader-cases/", "campaigns/{pk}/items/"])
def test_api_lists_the_same_queries_at_3_rows_and_30(world, django_assert_max_num_queries, path):
    """The API's lists keep their array shape (a window of 200, keyset since session 7); their queries do not
    grow."""
    c = api(world.supervisor)
    campaign = _rows(world, _cases(3))
    url = "/api/v1/supervision/" + path.format(pk=campaign.pk)
    with django_assert_max_num_queries(12) as small:
        r = c.get(url)
    assert r.status_code == 200 and len(r.json()) == 3
    _rows(world, _cases(27, first=400), campaign)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = c.get(url)
    assert len(r.json()) == 30


@pytest.mark.parametrize("path", ["supervisions/", "leader-cases/", "campaigns/{pk}/items/"])
def test_api_windows_follow_the_link_header_through_every_row_once(world, monkeypatch, path):
    """Windows of 2 (issue 14): following `Link: <…>; rel="next"` gives every row once, in the order of the
    old offset windows; the last window has no Link; `offset` still answers as before; a cursor the list did
    not give is 400 bad_cursor."""
    monkeypatch.setattr("xinfang.api.pagination.WINDOW", 2)
    c = api(world.supervisor)
    campaign = _rows(world, _cases(5))
    url = "/api/v1/supervision/" + path.format(pk=campaign.pk)
    by_offset = []
    for offset in range(0, 8, 2):
        by_offset += [row["id"] for row in c.get(url, {"offset": offset}).json()]
    followed, following, windows = [], url, 0
    while following:
        r = c.get(following)
        assert r.status_code == 200 and len(r.json()) <= 2
        followed += [row["id"] for row in r.json()]
        link = r.headers.get("Link")
        following = re.match(r'<([^>]+)>; rel="next"', link).group(1) if link else None
        windows += 1
    assert followed == by_offset and len(followed) == len(set(followed)) == 5 and windows == 3
    bad = c.get(url, {"cursor": "garbage"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_cursor"


def _registers(world, n: int, first: int) -> None:
    """n of each of the bureau's own registers: 建议, 专项行动, 调度会 (each on a case), 领导接访 days."""
    today = timezone.localdate()
    for i in range(n):
        case = register(by=registrar(), seed=first + i).case
        services.recommendation_issue(
            actor=world.supervisor,
            kind="improve",
            body=world.housing,
            text=f"建议{i}",
            case_numbers=[case.number],
        )
        services.campaign_create(
            actor=world.supervisor, name=f"专项{first + i}", ends_on=today + timedelta(days=30)
        )
        services.meeting_record(
            actor=world.supervisor,
            held_on=today - timedelta(days=i),
            title=f"调度会{i}",
            participants="各县区",
            decisions="逐案推进",
            cases={case.number: "研判"},
            followups=[services.FollowUpInput(task="报送", owner_body=world.housing, due_on=today)],
        )
        services.reception_record(
            actor=world.supervisor,
            kind=ReceptionKind.values[0],
            on=today + timedelta(days=1 + i),
            place="接待大厅",
            leader=world.city_leader.user,
        )


@pytest.mark.parametrize(
    "name",
    [
        "supervision:recommendations",
        "supervision:campaigns",
        "supervision:meetings",
        "supervision:receptions",
    ],
)
def test_the_bureaus_registers_have_the_same_queries_at_2_rows_and_8(
    world, django_assert_max_num_queries, name
):
    """建议, 专项行动, 调度会 and 领导接访 grow with the bureau's own decisions, not with cases: Paginator kept,
    and no query per row."""
    c = client_for(world.supervisor)
    _registers(world, 2, first=950)
    with django_assert_max_num_queries(16) as small:
        assert c.get(reverse(name)).status_code == 200
    _registers(world, 6, first=960)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = c.get(reverse(name))
    assert page.status_code == 200
