"""Writes to cases. Every function takes keyword arguments and an `actor`; see workflow.py for the table."""

from xinfang.cases.services.actions import case_act
from xinfang.cases.services.register import PetitionerInput, RegistrationResult, case_register


def case_transfer(*, case, actor, target_body, co_bodies=(), reason="", expected_version=None):
    return case_act(
        case=case,
        actor=actor,
        action="transfer",
        target_body=target_body,
        co_bodies=co_bodies,
        reason=reason,
        expected_version=expected_version,
    )


def case_assign(*, case, actor, target_body, due_date, reason="", expected_version=None):
    return case_act(
        case=case,
        actor=actor,
        action="assign",
        target_body=target_body,
        due_date=due_date,
        reason=reason,
        expected_version=expected_version,
    )


def case_receive(*, case, actor, expected_version=None):
    return case_act(case=case, actor=actor, action="receive", expected_version=expected_version)


def case_accept(*, case, actor, route="", reason="", expected_version=None):
    return case_act(
        case=case, actor=actor, action="accept", route=route, reason=reason, expected_version=expected_version
    )


def case_answer(*, case, actor, outcome, text, reason="", expected_version=None):
    return case_act(
        case=case,
        actor=actor,
        action="answer",
        outcome=outcome,
        text=text,
        reason=reason,
        expected_version=expected_version,
    )


__all__ = [
    "PetitionerInput",
    "RegistrationResult",
    "case_accept",
    "case_act",
    "case_answer",
    "case_assign",
    "case_receive",
    "case_register",
    "case_transfer",
]
