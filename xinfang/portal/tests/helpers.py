"""Filling the portal's forms through Django's test client, as a browser would."""

from __future__ import annotations

from xinfang.cases.models import Route
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import head, officer, registrar, valid_id
from xinfang.orgs.models import Body, Region
from xinfang.portal.tests.conftest import solve

TOWNSHIP = "990101001"  # 东城区 · a township: registered by 东城区信访局


def petition_data(**overrides) -> dict:
    data = {
        "name": "张网民",
        "id_number": valid_id(7),
        "phone": "13900001111",
        "email": "zhang@example.cn",
        "address": "示例市东城区幸福路1号",
        "problem_region": str(Region.objects.get(code=TOWNSHIP).pk),
        "petition_type": "appeal",
        "request_text": "小区8号楼屋顶漏水两年，请求责令物业维修",
        "facts": "2024年起每逢下雨屋顶漏水，多次找物业无果。",
        "website": "",
    }
    data.update(overrides)
    return data


def challenge(client, headers: dict | None = None) -> tuple[str, str]:
    """Open the form (in the language the headers ask for); return its token and the right answer."""
    response = client.get("/portal/submit/", **(headers or {}))
    assert response.status_code == 200
    form = response.context["form"]
    return form.initial["human_token"], solve(response.context["question"])


def submit(client, headers: dict | None = None, **overrides):
    """Open the portal's submit form and post it, both with ``headers`` (e.g. Accept-Language)."""
    token, answer = challenge(client, headers)
    data = {"human_token": token, "human_answer": answer, **petition_data(**overrides)}
    return client.post("/portal/submit/", data, **(headers or {}))


def receipt_of(client, response) -> tuple[str, str]:
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    return page.context["receipt"]["number"], page.context["receipt"]["code"]


def unlock(client, number: str, code: str):
    return client.post("/portal/track/", {"number": number, "code": code})


def walk_to_answer(case):
    """Staff steps through the services: transfer → receive → accept → answer (issued by the head, issue 15)."""
    housing = Body.objects.get(code="990101-housing")
    case_act(case=case, actor=registrar("990101-xinfang"), action="transfer", target_body=housing)
    case_act(case=case, actor=officer("990101-housing"), action="receive")
    case_act(case=case, actor=officer("990101-housing"), action="accept", route=Route.HANDLE)
    return case_act(
        case=case,
        actor=head("990101-housing"),
        action="answer",
        outcome="explain",
        text="经查，屋顶防水层老化，已责成物业于30日内维修。",
    )
