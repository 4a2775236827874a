"""The quality review's REST API: plan, draw, review (with stable error codes), 整改 to completion; 404 for roles
and bodies outside; the OpenAPI schema lists the endpoints."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from xinfang.cases.tests.factories import officer
from xinfang.evaluation.models import Rectification
from xinfang.evaluation.tests.conftest import CITY_BUREAU, HOUSING, answered_case, evaluator
from xinfang.orgs.models import Membership, Role

pytestmark = pytest.mark.django_db
BASE = "/api/v1/quality"


def client_for(actor) -> APIClient:
    c = APIClient()
    c.force_authenticate(actor.user)
    c.credentials(HTTP_X_ACTING_BODY=actor.body.code)
    return c


def test_plan_draw_review_and_rectification_through_the_api(demo_city):
    for i in range(1, 4):
        answered_case(i)
    ev = evaluator()
    api = client_for(ev)
    bad = api.post(
        f"{BASE}/plans/",
        {"name": "x", "body": "nope", "period_start": "2026-01-01", "period_end": "2026-03-31"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_body"
    made = api.post(
        f"{BASE}/plans/",
        {
            "name": "一季度",
            "body": CITY_BUREAU,
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "seed": 7,
            "sample_percent": "50",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    plan = made.json()
    assert plan["seed"] == 7 and plan["status"] == "draft"
    drawn = api.post(f"{BASE}/plans/{plan['id']}/draw/")
    assert drawn.status_code == 200 and drawn.json()["population"] == 3
    again = api.post(f"{BASE}/plans/{plan['id']}/draw/")
    assert again.status_code == 409 and again.json()["code"] == "plan_already_drawn"
    items = api.get(f"{BASE}/plans/{plan['id']}/items/").json()
    assert len(items) == 2 and all(i["rules"] == ["random"] for i in items)
    criteria = api.get(f"{BASE}/criteria/").json()["criteria"]
    assert len(criteria) == 18
    scores = [{"criterion": c["id"], "level": "met"} for c in criteria]
    incomplete = api.post(
        f"{BASE}/items/{items[0]['id']}/review/",
        {"result": "pass", "summary": "好", "scores": scores[:-1]},
        format="json",
    )
    assert incomplete.status_code == 400 and incomplete.json()["code"] == "criteria_incomplete"
    scores[0] = {
        "criterion": criteria[0]["id"],
        "level": "not_met",
        "note": "未解决",
        "evidence": ["event:999999"],
    }
    bad_evidence = api.post(
        f"{BASE}/items/{items[0]['id']}/review/",
        {"result": "fail", "summary": "差", "scores": scores},
        format="json",
    )
    assert bad_evidence.status_code == 400 and bad_evidence.json()["code"] == "invalid_evidence"
    scores[0]["evidence"] = []
    review = api.post(
        f"{BASE}/items/{items[0]['id']}/review/",
        {"result": "fail", "summary": "差", "scores": scores},
        format="json",
    )
    assert review.status_code == 201, review.content
    body = review.json()
    assert body["result"] == "fail" and body["criteria_set_version"] == 1 and body["rectification"]
    twice = api.post(
        f"{BASE}/items/{items[0]['id']}/review/",
        {"result": "pass", "summary": "好", "scores": scores},
        format="json",
    )
    assert twice.status_code == 409 and twice.json()["code"] == "already_reviewed"

    housing = client_for(officer(HOUSING))
    mine = housing.get(f"{BASE}/rectifications/").json()
    assert [r["id"] for r in mine] == [body["rectification"]]
    assert (
        housing.get(f"{BASE}/reviews/{body['id']}/").status_code == 200
    )  # the reviewed body reads its review
    rid = body["rectification"]
    early = api.post(f"{BASE}/rectifications/{rid}/accept/", {}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "rectification_not_submitted"
    assert (
        housing.post(f"{BASE}/rectifications/{rid}/submit/", {"report": "已修复"}, format="json").status_code
        == 200
    )
    assert housing.post(f"{BASE}/rectifications/{rid}/accept/", {}, format="json").status_code == 404
    done = api.post(f"{BASE}/rectifications/{rid}/accept/", {"note": "到位"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert [s["kind"] for s in done.json()["steps"]] == ["submit", "accept"]
    assert Rectification.objects.get().status == "done"


def test_own_body_and_other_roles(demo_city):
    answered_case(1)
    ev = evaluator()
    api = client_for(ev)
    plan = api.post(
        f"{BASE}/plans/",
        {
            "name": "q",
            "body": CITY_BUREAU,
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "all_cases": True,
        },
        format="json",
    ).json()
    api.post(f"{BASE}/plans/{plan['id']}/draw/")
    item = api.get(f"{BASE}/plans/{plan['id']}/items/").json()[0]
    from xinfang.orgs.models import Body

    Membership.objects.create(user=ev.user, body=Body.objects.get(code=HOUSING), role=Role.CASE_OFFICER)
    refused = api.post(
        f"{BASE}/items/{item['id']}/review/", {"result": "pass", "summary": "好", "scores": []}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "own_body_case"
    clerk = client_for(officer(HOUSING))
    assert clerk.get(f"{BASE}/plans/").status_code == 404
    assert clerk.get(f"{BASE}/plans/{plan['id']}/").status_code == 404
    assert api.get(f"{BASE}/plans/abc/").status_code == 404


def test_the_schema_lists_the_quality_endpoints(db):
    from django.contrib.auth import get_user_model

    c = APIClient()
    c.force_authenticate(get_user_model().objects.create(username="schema"))
    paths = c.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/quality/items/{id}/review/" in paths and "/api/v1/quality/rectifications/" in paths
