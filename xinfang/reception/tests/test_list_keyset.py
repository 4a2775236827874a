"""The hall's lists on keyset pages (issue 14, ADR 0018): visits, hearings, the public hearings and the archive,
as pages and through the API. The same queries at 3 rows and 30, every row once in order across the pages, a
cursor the list did not give out, and the API's capped count and `next`."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from xinfang.cases.tests.factories import register, registrar
from xinfang.reception.models import (
    ArchiveRecord,
    Hearing,
    HearingBasis,
    Retention,
    Visit,
    VisitOutcome,
)

pytestmark = pytest.mark.django_db


def _rows(n: int, first: int = 500) -> None:
    """n visits, hearings (published) and archive records of 东城区信访局 on its cases, as an import writes
    them; times collide in pairs so that the id breaks ties."""
    reg = registrar()
    now = timezone.now()
    for i in range(n):
        case = register(by=reg, seed=first + i).case
        at = now - timedelta(hours=(first + i) // 2)
        Visit.objects.create(
            body=reg.body,
            date=at.date(),
            started_at=at,
            officer=reg.user,
            statement=f"来访{first + i}",
            outcome=VisitOutcome.CONSULTATION,
            case=case,
        )
        Hearing.objects.create(
            body=reg.body,
            case=case,
            basis=HearingBasis.values[0],
            scheduled_at=at,
            place="听证室",
            paused_on=at.date(),
            published_at=at,
            public_summary=f"听证{first + i}",
        )
        ArchiveRecord.objects.create(
            case=case,
            body=reg.body,
            number=f"A-{first + i}",
            retention=Retention.values[0],
            archived_by=reg.user,
            archived_at=at,
        )


PAGES = {
    "reception:visits": (Visit, r'href="/hall/visits/(\d+)/"'),
    "reception:hearings": (Hearing, r'href="/hall/hearings/(\d+)/"'),
    "reception:hearings_public": (Hearing, r'href="/hall/public/hearings/(\d+)/"'),
    "reception:archive": (ArchiveRecord, r"<td>A-(\d+)</td>"),
}
ORDER = {
    "reception:visits": ("-started_at", "-pk"),
    "reception:hearings": ("-scheduled_at", "-pk"),
    "reception:hearings_public": ("-published_at", "-pk"),
    "reception:archive": ("-archived_at", "-pk"),
}


def _client(name: str) -> Client:
    c = Client()
    if name != "reception:hearings_public":
        c.force_login(registrar().user)
    return c


@pytest.mark.parametrize("name", list(PAGES))
def test_the_same_queries_at_3_rows_and_30(demo_city, django_assert_max_num_queries, name):
    c = _client(name)
    _rows(3)
    with django_assert_max_num_queries(16) as small:
        assert c.get(reverse(name)).status_code == 200
    _rows(27, first=600)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = c.get(reverse(name))
    assert page.status_code == 200


@pytest.mark.parametrize("name", list(PAGES))
def test_keyset_pages_give_every_row_once_in_order(demo_city, name):
    model, pattern = PAGES[name]
    _rows(55)
    c = _client(name)
    url, seen, pages = reverse(name), [], 0
    while url:
        html = c.get(url).content.decode()
        seen += re.findall(pattern, html)
        pages += 1
        following = re.search(r'href="(\?[^"]*after=[^"]+)" rel="next"', html)
        url = (reverse(name) + following.group(1).replace("&amp;", "&")) if following else None
    expected = model.objects.order_by(*ORDER[name])
    want = [r.number[2:] if name == "reception:archive" else str(r.pk) for r in expected]
    assert seen == want and pages == (3 if name == "reception:hearings_public" else 2)
    bad = c.get(reverse(name) + "?after=garbage")
    assert bad.status_code == 200 and "翻页参数无效" in bad.content.decode()


@pytest.mark.parametrize(
    "url,model,order",
    [
        ("/api/v1/hall/visits/", Visit, ("-started_at", "-pk")),
        ("/api/v1/hall/hearings/", Hearing, ("-scheduled_at", "-pk")),
        ("/api/v1/hall/archive/", ArchiveRecord, ("-archived_at", "-pk")),
    ],
)
def test_api_lists_page_by_cursor_with_a_capped_count(
    demo_city, django_assert_max_num_queries, url, model, order
):
    _rows(3)
    api = APIClient()
    api.force_authenticate(registrar().user)
    with django_assert_max_num_queries(12) as small:
        r = api.get(url)
    assert r.status_code == 200
    assert (r.json()["count"], r.json()["count_capped"], r.json()["next"]) == (3, False, None)
    _rows(52, first=600)
    with django_assert_max_num_queries(len(small.captured_queries) + 1):  # + the capped count
        r = api.get(url)
    body = r.json()
    assert body["count"] == 55 and len(body["results"]) == 50 and body["next"]
    rest = api.get(body["next"]).json()
    assert rest["next"] is None
    field = "number" if model is ArchiveRecord else "id"  # the archive answers 档号, not ids
    ids = [x[field] for x in body["results"] + rest["results"]]
    assert ids == list(
        model.objects.order_by(*order).values_list("number" if field == "number" else "pk", flat=True)
    )
    bad = api.get(url, {"cursor": "garbage"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_cursor"
