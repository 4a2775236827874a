"""Fixtures for the quality review tests: answered cases of the district 住建局 in 2026 Q1, made through the real
services, and the city committee's evaluator (the demo's 990100-xinfang)."""

from __future__ import annotations

import pytest
import time_machine

from xinfang.cases.models import Outcome, Route
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import actor, head, officer, register, registrar
from xinfang.orgs.models import Body, Role

HOUSING = "990101-housing"
CITY_BUREAU = "990100-xinfang"


def at(day: str):
    return time_machine.travel(f"2026-{day} 10:00 +0800", tick=False)


def answered_case(seed: int, *, answered: str = "02-20", body: str = HOUSING):
    reg = registrar()
    target = Body.objects.get(code=body)
    with at("01-05"):
        case = register(
            by=reg, seed=seed, request=f"第{seed}号：小区道路积水严重，请求尽快修复排水设施并说明原因"
        ).case
        case = case_act(case=case, actor=reg, action="transfer", target_body=target)
        case = case_act(case=case, actor=officer(body), action="receive")
        case = case_act(case=case, actor=officer(body), action="accept", route=Route.HANDLE)
    with at(answered):
        case = case_act(
            case=case, actor=head(body), action="answer", outcome=Outcome.SUPPORT, text="已解决。"
        )
    return case


def evaluator(code: str = CITY_BUREAU, username: str = "pingjia-test"):
    return actor(code, Role.EVALUATOR, username=username)


@pytest.fixture
def quarter(demo_city):
    """Six answered cases in 2026 Q1 (one rated 不满意) and one answered in Q2."""
    from xinfang.evaluation.services import evaluation_record

    cases = [answered_case(i) for i in range(1, 7)]
    with at("02-25"):
        evaluation_record(case=cases[0], actor=registrar(), result="unsatisfied", comment="没修好")
    later = answered_case(9, answered="04-20")
    return {"cases": cases, "later": later}
