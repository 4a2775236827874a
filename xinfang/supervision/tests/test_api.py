"""The REST API: issue, reply, close a 督办; a leader case and a step; a campaign batch and its progress; figures.
A refused caller gets a 404 and learns nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook
from rest_framework.test import APIClient

from xinfang.supervision import services

pytestmark = pytest.mark.django_db


def api(actor) -> APIClient:
    c = APIClient()
    c.force_authenticate(actor.user)
    c.credentials(HTTP_X_ACTING_BODY=actor.body.code)
    return c


def test_supervision_issue_reply_close(world):
    case = world.held_case()
    sup = api(world.supervisor)
    r = sup.post(
        "/api/v1/supervision/supervisions/",
        {
            "kind": "letter",
            "body": "990101-housing",
            "cases": [case.number],
            "reason": "delay",
            "requirement": "请回复",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["cases"] == [case.number] and r.json()["letter_number"]
    refused = api(world.housing_head).post(
        "/api/v1/supervision/supervisions/",
        {
            "kind": "letter",
            "body": "990101-housing",
            "cases": [case.number],
            "reason": "delay",
            "requirement": "x",
        },
        format="json",
    )
    assert refused.status_code == 404
    bad = sup.post("/api/v1/supervision/supervisions/", {"kind": "letter"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed"
    r = api(world.housing_head).post(
        f"/api/v1/supervision/supervisions/{pk}/reply/",
        {"measures": "专人", "result": "已答复"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "replied" and r.json()["replied_on_time"] is True
    twice = api(world.housing_head).post(
        f"/api/v1/supervision/supervisions/{pk}/reply/",
        {"measures": "专人", "result": "已答复"},
        format="json",
    )
    assert twice.status_code == 409 and twice.json()["code"] == "supervision_not_open"
    r = sup.post(f"/api/v1/supervision/supervisions/{pk}/close/", {"note": "整改到位"}, format="json")
    assert r.json()["status"] == "closed"
    assert api(world.county_supervisor).get(f"/api/v1/supervision/supervisions/{pk}/").status_code == 404


def test_leader_case_and_step(world):
    case = world.held_case()
    leader = api(world.county_leader)
    r = leader.post(
        "/api/v1/supervision/leader-cases/", {"case": case.number, "plan": "一案一策"}, format="json"
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = leader.post(
        f"/api/v1/supervision/leader-cases/{pk}/steps/", {"kind": "grasp", "note": "走访"}, format="json"
    )
    assert [s["done_on"] is not None for s in r.json()["steps"]] == [True, False, False, False]
    assert api(world.housing_head).get("/api/v1/supervision/leader-cases/").status_code == 404


def test_campaign_batch_and_progress(world):
    c = services.campaign_create(
        actor=world.supervisor, name="专项行动", ends_on=timezone.localdate() + timedelta(days=30)
    )
    case = world.held_case()
    wb = Workbook()
    wb.active.append(list(services.IMPORT_HEADERS))
    wb.active.append(
        [case.number, "990101-housing", "何副区长", (timezone.localdate() + timedelta(days=10)).isoformat()]
    )
    wb.active.append(["NO-SUCH", "990101-housing", "", "2030-01-01"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "batch.xlsx"
    r = api(world.supervisor).post(
        f"/api/v1/supervision/campaigns/{c.pk}/batches/", {"file": buf}, format="multipart"
    )
    assert r.status_code == 400 and r.json()["code"] == "import_rows_invalid"
    assert r.json()["detail"]["rows"] == [{"row": 3, "message": "事项编号“NO-SUCH”不存在或无权查看"}]
    progress = api(world.supervisor).get(f"/api/v1/supervision/campaigns/{c.pk}/").json()
    assert progress["total"] == 0
    items = api(world.housing_head).get(f"/api/v1/supervision/campaigns/{c.pk}/items/")
    assert items.status_code == 404  # no case of theirs in it: the campaign is not theirs to see


def test_figures(world):
    r = api(world.supervisor).get("/api/v1/supervision/figures/")
    assert r.status_code == 200 and r.json()["issued"] == 0
    assert api(world.housing_head).get("/api/v1/supervision/figures/").status_code == 200
