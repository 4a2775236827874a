"""The hall's REST endpoints: check-in and call-next through the services, the public board, error codes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from xinfang.cases.tests.factories import officer, registrar
from xinfang.reception.tests.factories import hall

pytestmark = pytest.mark.django_db


def test_checkin_call_next_and_board(demo_city, django_assert_max_num_queries):
    services = hall()
    api = APIClient()
    api.force_authenticate(registrar().user)
    r = api.post("/api/v1/hall/checkin/", {"service_id": services["B"].pk, "party_size": 2}, format="json")
    assert r.status_code == 201 and r.json()["code"] == "B001"
    day = r.json()["day_id"]
    r = api.post("/api/v1/hall/call-next/", {"day_id": day}, format="json")
    assert r.json()["ticket"]["status"] == "called"
    assert api.post("/api/v1/hall/call-next/", {"day_id": day}, format="json").json() == {"ticket": None}
    r = api.get("/api/v1/hall/services/")
    assert {s["prefix"]: s["calling"] for s in r.json()["services"]}["B"] == "B001"
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/hall/visits/").status_code == 200
    assert api.get("/api/v1/hall/figures/?days=7").json()["tickets"] == 1

    anonymous = APIClient()
    board = anonymous.get("/api/v1/hall/board/990101-xinfang/").json()
    assert board["recent_calls"] == ["B001"] and "name" in board["services"][0]
    assert anonymous.get("/api/v1/hall/board/nowhere/").status_code == 404

    other = APIClient()
    other.force_authenticate(registrar("990102-xinfang").user)
    r = other.post("/api/v1/hall/checkin/", {"service_id": services["B"].pk}, format="json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    agency = APIClient()
    agency.force_authenticate(officer().user)
    assert agency.get("/api/v1/hall/services/").status_code == 403


def test_the_schema_documents_the_hall(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/hall/checkin/" in schema["paths"] and "/api/v1/hall/board/{code}/" in schema["paths"]
