"""Referrals on keyset pages (issue 14, ADR 0018): the organisation's queue page and the API list, every referral
once in order across the pages, the API's capped count and cursor, and their queries at 3 referrals and 30."""

from __future__ import annotations

import re

import pytest

from xinfang.api.tests.test_api import client_for
from xinfang.cases.tests.factories import registrar
from xinfang.resolution import services
from xinfang.resolution.models import Referral
from xinfang.resolution.rules import ReferralKind
from xinfang.resolution.tests.conftest import both_agree, mediator
from xinfang.resolution.tests.test_views import login

pytestmark = pytest.mark.django_db


def _referrals(centre, n: int) -> None:
    for i in range(n):
        services.referral_create(
            actor=registrar(),
            kind=ReferralKind.PEOPLES_MEDIATION,
            organisation=centre["rmtj"],
            summary=f"纠纷{i}",
            parties=both_agree(),
        )


def _order() -> list[str]:
    return list(Referral.objects.order_by("-referred_on", "-pk").values_list("number", flat=True))


def test_the_queue_pages_by_keyset_in_order(centre):
    _referrals(centre, 30)
    c = login(mediator(centre["rmtj"]))
    url, seen, pages = "/resolution/?status=", [], 0
    while url:
        html = c.get(url).content.decode()
        seen += re.findall(r'data-testid="referral-link">([^<]+)</a>', html)
        pages += 1
        following = re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', html)
        url = "/resolution/?" + following.group(1).replace("&amp;", "&") if following else None
    assert pages == 2 and seen == _order()
    assert "翻页参数无效" in c.get("/resolution/?status=&after=garbage").content.decode()


def test_the_api_list_pages_by_cursor_with_the_same_queries_at_3_and_30(
    centre, django_assert_max_num_queries
):
    api = client_for(mediator(centre["rmtj"]))
    _referrals(centre, 3)
    with django_assert_max_num_queries(10) as small:
        r = api.get("/api/v1/resolution/referrals/")
    assert (r.json()["count"], r.json()["count_capped"], r.json()["next"]) == (3, False, None)
    _referrals(centre, 52)
    with django_assert_max_num_queries(len(small.captured_queries) + 1):  # + the capped count
        r = api.get("/api/v1/resolution/referrals/")
    first = r.json()
    assert first["count"] == 55 and len(first["results"]) == 50 and first["next"]
    rest = api.get(first["next"]).json()
    assert [x["number"] for x in first["results"] + rest["results"]] == _order() and rest["next"] is None
    bad = api.get("/api/v1/resolution/referrals/", {"cursor": "garbage"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_cursor"
