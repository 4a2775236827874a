"""The centre for the tests: the demo organisations (each with its own body), their mediators, and helpers
that bring a case to the state a referral starts from."""

from __future__ import annotations

import pytest

from xinfang.cases.models import Route
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import actor, officer, register, registrar
from xinfang.orgs.models import Body, Role
from xinfang.resolution.models import Consent, Side
from xinfang.resolution.services import PartyInput

HOUSING = "990101-housing"


@pytest.fixture
def centre(demo_city):
    from xinfang.resolution.demo import _organisations

    return _organisations()


def mediator(org):
    return actor(org.body.code, Role.MEDIATOR)


def both_agree(name: str = "测试人1") -> list[PartyInput]:
    return [
        PartyInput(side=Side.APPLICANT, name=name, consent=Consent.AGREED),
        PartyInput(side=Side.RESPONDENT, name="某物业公司", consent=Consent.AGREED),
    ]


def registered_case(seed: int = 1, **kwargs):
    return register(by=registrar(), seed=seed, **kwargs).case


def received_case(seed: int = 1, **kwargs):
    case = registered_case(seed, **kwargs)
    case_act(case=case, actor=registrar(), action="transfer", target_body=Body.objects.get(code=HOUSING))
    return case_act(case=case, actor=officer(HOUSING), action="receive")


def accepted_case(seed: int = 1, **kwargs):
    case = received_case(seed, **kwargs)
    return case_act(case=case, actor=officer(HOUSING), action="accept", route=Route.HANDLE)
