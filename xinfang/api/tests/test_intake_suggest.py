"""The API asks intake for suggestions with reasons, and a case registered through it keeps the suggestion the
server computed beside what the client chose."""

from __future__ import annotations

import pytest

from xinfang.api.tests.test_api import REGISTRATION, client_for
from xinfang.cases.models import Case
from xinfang.cases.tests.factories import officer, register, registrar, valid_id

pytestmark = pytest.mark.django_db
SUGGEST = "/api/v1/intake/suggest/"


def test_suggestion_endpoint_says_why_and_finds_the_earlier_case(demo_city):
    reg = registrar()
    earlier = register(by=reg, seed=7).case
    c = client_for(reg)
    r = c.post(
        SUGGEST,
        {
            "title": REGISTRATION["title"],
            "request": earlier.request,
            "facts": "多次找物业无果。",
            "problem_region": "990101001",
            "petitioners": [{"id_number": valid_id(7)}],
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    s = r.json()
    assert s["category"]["name"] == "城乡建设" and "置信度" in s["category"]["because"]
    assert s["type"]["petition_type"] == "appeal" and s["type"]["because"]
    assert s["law_related"]["flagged"] is False
    assert s["routes"][0]["body_code"] == "990101-housing" and s["routes"][0]["because"]
    assert [x["number"] for x in s["repeats"]] == [earlier.number] and s["repeats"][0]["because"]

    # The same person found by phone alone.
    by_phone = c.post(
        SUGGEST,
        {
            "request": earlier.request,
            "problem_region": "990101001",
            "petitioners": [{"phone": "13800000007"}],
        },
        format="json",
    ).json()
    assert [x["number"] for x in by_phone["repeats"]] == [earlier.number]


def test_suggestion_endpoint_needs_words_and_a_registrar(demo_city):
    c = client_for(registrar())
    r = c.post(SUGGEST, {"problem_region": "990101001"}, format="json")
    assert (
        r.status_code == 400 and r.json()["code"] == "validation_failed" and "request" in r.json()["detail"]
    )
    r = client_for(officer()).post(SUGGEST, {"request": "屋顶漏水请求维修"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "role_required"
    assert "post" in c.get("/api/v1/openapi.json").json()["paths"][SUGGEST]


def test_api_registration_records_the_server_suggestion_and_the_choice(demo_city):
    c = client_for(registrar())
    forged = {"category": {"name": "伪造", "confidence": 1.0}}
    r = c.post(
        "/api/v1/cases/", {**REGISTRATION, "category": "environment", "suggestion": forged}, format="json"
    )
    assert r.status_code == 201, r.json()
    case = Case.objects.get(number=r.json()["number"])
    assert case.suggestion["category"]["name"] == "城乡建设"  # computed by the server, not sent
    assert case.suggestion["chosen"]["category"] == {"code": "environment", "name": "环境保护"}
    assert case.suggestion["chosen"]["petition_type"] == "appeal"
    register_event = next(e for e in r.json()["case"]["events"] if e["action"] == "register")
    assert register_event["new"]["suggestion"]["chosen"]["category"]["code"] == "environment"
