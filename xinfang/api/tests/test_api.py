"""The API alone can walk a case through its whole life; refusals carry stable codes and change nothing."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from xinfang.api.services import api_token_issue
from xinfang.cases.tests.factories import actor, head, officer, register, registrar, valid_id
from xinfang.cases.workflow import TRANSITIONS
from xinfang.orgs.models import Role

pytestmark = pytest.mark.django_db


def client_for(a, body_header: str | None = None) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=a.user)}")
    if body_header:
        c.credentials(
            HTTP_AUTHORIZATION=f"Token {api_token_issue(user=a.user)}", HTTP_X_ACTING_BODY=body_header
        )
    return c


def act(c: APIClient, number: str, action: str, headers: dict | None = None, **body):
    return c.post(f"/api/v1/cases/{number}/actions/{action}/", body, format="json", **(headers or {}))


REGISTRATION = {
    "channel": "letter",
    "petition_type": "appeal",
    "problem_region": "990101001",
    "category": "urban_rural",
    "title": "屋顶漏水",
    "request": "小区3号楼屋顶漏水多年，物业和开发商互相推诿，请求责令维修并赔偿损失",
    "facts": "多次找物业无果。",
    "petitioners": [{"name": "张三", "id_number": valid_id(7), "phone": "13800000007"}],
    "flags": {"is_backlog": True},
}


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_whole_life_through_the_api_alone(demo_city):
    reg = client_for(registrar())
    off = client_for(officer())
    boss = client_for(head())
    gov = client_for(actor("990100-government", Role.CASE_OFFICER))
    # Decisions that need the head's sign-off are issued by the body's 负责人 (issue 15).
    city_head = client_for(head("990100-housing"))
    gov_head = client_for(head("990100-government"))

    r = reg.post("/api/v1/cases/", REGISTRATION, format="json")
    assert r.status_code == 201, r.json()
    number, body = r.json()["number"], r.json()
    assert body["outcome"] == "registered" and len(body["query_code"]) == 11
    assert body["case"]["state"] == "registered" and body["case"]["flags"]["is_backlog"] is True
    assert [c["kind"] for c in body["case"]["clocks"]] == ["registration"]
    assert {a["action"] for a in body["case"]["allowed_actions"]} >= {"transfer", "assign", "tell"}
    transfer_fields = next(a for a in body["case"]["allowed_actions"] if a["action"] == "transfer")["fields"]
    assert transfer_fields[0] == {"name": "target_body", "type": "body_code", "label": "有权处理机关"}

    steps = [
        (reg, "transfer", {"target_body": "990101-housing"}, "transferred", "transfer"),
        (off, "receive", {}, "received", None),
        (off, "accept", {"route": "6"}, "accepted", "accept"),
        (boss, "extend", {"days": 30, "reason": "需要现场勘验"}, "accepted", "extend"),
        (boss, "answer", {"outcome": "not_support", "text": "不符合规定。"}, "answered", "opinion"),
        (reg, "request_review", {"reason": "不服处理意见"}, "reviewing", None),
        (
            city_head,
            "decide_review",
            {"outcome": "not_support", "text": "维持。"},
            "reviewed",
            "review_opinion",
        ),
        (reg, "request_rereview", {"reason": "仍不服"}, "rereviewing", None),
        (gov, "hearing_start", {"hearing_date": "2026-03-10"}, "rereviewing", "hearing"),
        (gov, "hearing_end", {}, "rereviewing", None),
        (
            gov_head,
            "decide_rereview",
            {"outcome": "not_support", "text": "维持复查意见。"},
            "rereviewed",
            "rereview_opinion",
        ),
        (gov, "terminate", {"reason": "复核终结"}, "terminated", "terminate"),
        (gov, "archive", {}, "archived", None),
    ]
    done = ["register"]
    notices: list[str] = []
    for version, (client, action, fields, state, notice) in enumerate(steps):
        detail = client.get(f"/api/v1/cases/{number}/").json()
        assert action in {a["action"] for a in detail["allowed_actions"]}, (action, detail["allowed_actions"])
        r = act(client, number, action, expected_version=version, **fields)
        assert r.status_code == 200, (action, r.json())
        data = r.json()
        done.append(action)
        notices += [notice] if notice else []
        assert data["state"] == state and data["version"] == version + 1
        assert [e["action"] for e in data["events"]] == done  # reads are logged but not listed
        assert [n["kind"] for n in data["notices"]] == notices
    opinion = next(n for n in data["notices"] if n["kind"] == "opinion")
    # The 复查 window runs from the petitioner's receipt (Art. 35): no date until service is recorded (issue 15).
    assert "请求复查" in opinion["next_right"] and opinion["next_right_deadline"] is None
    assert opinion["legal_basis"].startswith("《信访工作条例》")
    assert data["allowed_actions"] == [] and not any(c["is_open"] for c in data["clocks"])
    handling = next(c for c in data["clocks"] if c["kind"] == "handling")
    assert handling["label"] == "办理期限" and handling["on_time"] is True


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_refused_actions_return_their_code_and_change_nothing(demo_city):
    reg = registrar()
    case = register(by=reg).case
    reg_c, off_c = client_for(reg), client_for(officer())

    def snapshot():
        d = reg_c.get(f"/api/v1/cases/{case.number}/").json()
        return d["state"], d["version"], [e["action"] for e in d["events"]], len(d["notices"])

    before = snapshot()
    r = act(reg_c, case.number, "accept", route="6")  # wrong state
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed"
    assert set(r.json()) == {"code", "message", "detail"} and "已登记" in r.json()["message"]
    r = act(reg_c, case.number, "transfer", target_body="990101-housing", expected_version=5)
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = act(reg_c, case.number, "transfer", target_body="no-such-body")
    assert (
        r.status_code == 400
        and r.json()["code"] == "validation_failed"
        and "target_body" in r.json()["detail"]
    )
    r = act(reg_c, case.number, "transfer")
    assert r.status_code == 400 and r.json()["code"] == "missing_target_body"
    r = act(reg_c, case.number, "tell")  # reason required
    assert r.status_code == 400 and r.json()["code"] == "missing_reason"
    r = act(reg_c, case.number, "fly")
    assert r.status_code == 400 and r.json()["code"] == "unknown_action"
    assert snapshot() == before

    assert act(reg_c, case.number, "transfer", target_body="990101-housing").status_code == 200
    r = act(reg_c, case.number, "receive")  # the registrar is not at the receiving body
    assert r.status_code == 403 and r.json()["code"] == "wrong_body"
    assert act(off_c, case.number, "receive").status_code == 200
    r = act(off_c, case.number, "accept", route="9")
    assert r.status_code == 400 and r.json()["code"] == "validation_failed" and "route" in r.json()["detail"]
    assert act(off_c, case.number, "accept", route="6").status_code == 200
    r = act(off_c, case.number, "extend", days=10, reason="需要调查")  # officer, not head: a draft (Art. 34)
    assert (
        r.status_code == 202 and r.json()["draft"]["status"] == "pending" and r.json()["state"] == "accepted"
    )
    r = act(
        client_for(actor("990101-housing", Role.EVALUATOR)), case.number, "extend", days=10, reason="调查"
    )
    assert r.status_code == 403 and r.json()["code"] == "role_required"
    r = act(client_for(head()), case.number, "extend", days=40, reason="需要调查")
    assert r.status_code == 400 and r.json()["code"] == "extension_too_long"
    after = reg_c.get(f"/api/v1/cases/{case.number}/").json()
    assert after["state"] == "accepted" and after["extension_days"] == 0
    assert [e["action"] for e in after["events"]] == [
        "register",
        "transfer",
        "receive",
        "accept",
        "draft_submit",
    ]


def test_a_case_the_caller_may_not_see_is_not_found(demo_city):
    case = register(by=registrar()).case
    other = client_for(officer("990102-housing"))
    for r in (
        other.get(f"/api/v1/cases/{case.number}/"),
        other.get("/api/v1/cases/990101-xinfang-2099-999999/"),
        act(other, case.number, "receive"),
    ):
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert other.get("/api/v1/cases/").json()["count"] == 0


def test_authentication_and_acting_body(demo_city):
    r = APIClient().get("/api/v1/cases/")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad.get("/api/v1/cases/").json()["code"] == "not_authenticated"

    two = registrar()
    actor("990101-housing", Role.CASE_OFFICER, username=two.user.username)  # now in two bodies
    c = client_for(two)
    assert c.get("/api/v1/cases/").json()["code"] == "acting_body_required"
    assert client_for(two, "990102-xinfang").get("/api/v1/cases/").json()["code"] == "not_a_member"
    ok = client_for(two, "990101-xinfang").post("/api/v1/cases/", REGISTRATION, format="json")
    assert ok.status_code == 201 and ok.json()["number"].startswith("990101-xinfang-")
    refused = client_for(two, "990101-housing").post(
        "/api/v1/cases/", {**REGISTRATION, "force_new": True}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"


def test_registration_errors_are_field_by_field(demo_city):
    c = client_for(registrar())
    r = c.post(
        "/api/v1/cases/", {**REGISTRATION, "problem_region": "000000", "channel": "pigeon"}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "validation_failed"
    assert set(r.json()["detail"]) == {"problem_region", "channel"}
    bad_id = {**REGISTRATION, "petitioners": [{"name": "李四", "id_number": "110101199003074478"}]}
    r = c.post("/api/v1/cases/", bad_id, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_registration"
    assert "petitioners.0.id_number" in r.json()["detail"]


def test_list_filters_and_no_n_plus_one(demo_city, django_assert_max_num_queries):
    reg = registrar()
    for i in range(12):
        register(
            by=reg, seed=100 + i, request=f"第{i}号诉求：道路{i}段长期积水无人处理请求修缮", force_new=True
        )
    register(by=reg, seed=200, region="990102001", request="西城区噪音扰民请求处理", force_new=True)
    c = client_for(reg)
    with django_assert_max_num_queries(8):
        r = c.get("/api/v1/cases/")
    assert r.json()["count"] == 13
    first = r.json()["results"][0]
    assert first["current_body"]["code"] == "990101-xinfang" and first["state_label"] == "已登记"
    assert c.get("/api/v1/cases/", {"region": "990102"}).json()["count"] == 1
    assert c.get("/api/v1/cases/", {"region": "990101"}).json()["count"] == 12
    assert c.get("/api/v1/cases/", {"q": "第3号"}).json()["count"] == 1
    assert c.get("/api/v1/cases/", {"state": "accepted"}).json()["count"] == 0
    assert c.get("/api/v1/cases/", {"category": "urban_rural", "channel": "letter"}).json()["count"] == 13
    assert c.get("/api/v1/cases/", {"registered_from": "2099-01-01"}).json()["count"] == 0
    r = c.get("/api/v1/cases/", {"state": "bogus"})
    assert r.status_code == 400 and r.json()["code"] == "validation_failed"


def test_openapi_schema_and_workflow_table(demo_city):
    c = client_for(registrar())
    schema = c.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/api/v1/cases/",
        "/api/v1/cases/{number}/",
        "/api/v1/cases/{number}/actions/{action}/",
        "/api/v1/workflow/",
    } <= set(paths)
    assert "post" in paths["/api/v1/cases/"] and "get" in paths["/api/v1/cases/"]
    rows = c.get("/api/v1/workflow/").json()
    transfer = next(r for r in rows if r["action"] == "transfer")
    assert transfer["sources"] == ["registered"] and transfer["target"] == "transferred"
    assert transfer["notice"] == "transfer" and transfer["roles"] == ["registrar"]
    # every row of the one table, in its order
    assert [r["action"] for r in rows] == [t.action for t in TRANSITIONS]


def test_deadline_beyond_the_known_calendar_is_flagged_in_api_and_on_the_page(client, demo_city):
    import time_machine

    from xinfang.cases.tests.factories import register, registrar
    from xinfang.orgs.models import User

    reg = registrar()
    with time_machine.travel("2026-12-24 10:00 +0800", tick=False):
        case = register(by=reg).case  # 15 days later is in 2027, a year with no schedule entered
    token_user = User.objects.get(username="dengji_dc")
    client.force_login(token_user)
    data = client.get(f"/api/v1/cases/{case.number}/").json()
    [clock] = [c for c in data["clocks"] if c["kind"] == "registration"]
    assert clock["beyond_known_calendar"] is True and any("2027" in line for line in clock["counted"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "超出已知节假日安排" in page
