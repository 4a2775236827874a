"""The procedural review (xinfang/evaluation/procedural.py) on cases built through the real services, one
case per kind of failure and one clean case that passes every check."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from xinfang.cases.models import NoticeKind, Outcome, PetitionType, Route
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import head, officer, register, registrar
from xinfang.documents.models import Document, ServiceMethod
from xinfang.documents.services import draft_approve, service_record
from xinfang.evaluation.procedural import CHECKS, procedural_passed, procedural_review
from xinfang.orgs.models import Body

pytestmark = pytest.mark.django_db

LAWFUL_TEXT = "经查，物业服务企业未履行维修义务，依据《物业管理条例》第三十五条，责令其限期维修。"
HOUSING = "990101-housing"


def at(day: str):
    return time_machine.travel(f"{day} 10:00 +0800", tick=False)


def serve(case, kind: str, actor, day: str, received: bool = True):
    document = Document.objects.get(case=case, kind=kind)
    with at(day):
        service_record(
            actor=actor,
            document=document,
            method=ServiceMethod.IN_PERSON,
            served_on=date.fromisoformat(day),
            received_on=date.fromisoformat(day) if received else None,
        )


def checks_of(case, today: str) -> dict:
    return {c.key: c for c in procedural_review(case, today=date.fromisoformat(today))}


def to_accepted(
    *, seed=1, petition_type=None, facts="多次找物业无果。", transfer_on="2026-03-03", accept_on="2026-03-05"
):
    reg = registrar()
    with at("2026-03-02"):
        case = register(by=reg, seed=seed, petition_type=petition_type, facts=facts).case
    with at(transfer_on):
        case = case_act(case=case, actor=reg, action="transfer", target_body=Body.objects.get(code=HOUSING))
    serve(case, NoticeKind.TRANSFER, reg, transfer_on)
    with at(transfer_on):
        case = case_act(case=case, actor=officer(), action="receive")
    with at(accept_on):
        route = Route.HANDLE if petition_type in (None, PetitionType.APPEAL) else ""
        case = case_act(case=case, actor=officer(), action="accept", route=route)
    serve(case, NoticeKind.ACCEPT, officer(), accept_on)
    return case


def answer(case, day: str, text: str = LAWFUL_TEXT, serve_it: bool = True):
    with at(day):
        case = case_act(case=case, actor=head(), action="answer", outcome=Outcome.SUPPORT, text=text)
    if serve_it:
        serve(case, NoticeKind.OPINION, officer(), day)
    return case


def test_a_clean_case_passes_every_check(demo_city):
    case = to_accepted()
    with at("2026-03-10"):
        case = case_act(case=case, actor=head(), action="extend", days=30, reason="需要现场勘验")
    serve(case, NoticeKind.EXTEND, head(), "2026-03-10")
    case = answer(case, "2026-04-20")
    with at("2026-04-25"):
        case = case_act(case=case, actor=registrar(), action="request_review", reason="不服处理意见")
    city = officer("990100-housing")
    with at("2026-05-10"):
        case = case_act(
            case=case,
            actor=head("990100-housing"),
            action="decide_review",
            outcome=Outcome.SUPPORT,
            text=LAWFUL_TEXT,
        )
    serve(case, NoticeKind.REVIEW_OPINION, city, "2026-05-10")

    checks = procedural_review(case, today=date(2026, 5, 11))
    assert [c.key for c in checks] == [key for key, _, _ in CHECKS]
    failed = {c.key: c.reason for c in checks if c.passed is not True}
    assert failed == {}
    assert procedural_passed(checks) is True
    # Every check shows what it rests on, and cites its article.
    for c in checks:
        assert c.evidence and c.legal_basis.startswith("《信访工作条例》第")
    kinds = {e.kind for c in checks for e in c.evidence}
    assert kinds >= {"event", "clock", "document"}


def test_a_transfer_after_the_registration_period_fails(demo_city):
    case = to_accepted(transfer_on="2026-03-20", accept_on="2026-03-23")
    check = checks_of(case, "2026-03-24")["registration_in_time"]
    assert check.passed is False
    assert "2026-03-17" in check.reason and "2026-03-20" in check.reason
    assert any(e.kind == "clock" for e in check.evidence)


def test_still_within_the_period_is_undecided_not_failed(demo_city):
    with at("2026-03-02"):
        case = register(by=registrar()).case
    checks = checks_of(case, "2026-03-10")
    assert checks["registration_in_time"].passed is None
    assert checks_of(case, "2026-03-18")["registration_in_time"].passed is False  # open past its day
    assert procedural_passed(checks.values()) is None


def test_acceptance_told_late_fails(demo_city):
    case = to_accepted(accept_on="2026-03-25")  # received 03-03: the acceptance period ends 03-18
    checks = checks_of(case, "2026-03-26")
    assert checks["acceptance_in_time"].passed is False
    assert checks["registration_in_time"].passed is True


def test_answered_after_the_handling_period_fails(demo_city):
    case = to_accepted()
    case = answer(case, "2026-05-20")  # accepted 03-05: 60 days end 05-06 (moved past the May holiday)
    checks = checks_of(case, "2026-05-21")
    assert checks["answered_in_time"].passed is False
    assert checks["acceptance_in_time"].passed is True


def test_an_extension_never_told_to_the_petitioner_fails(demo_city):
    case = to_accepted()
    with at("2026-03-10"):
        case = case_act(case=case, actor=head(), action="extend", days=30, reason="需要现场勘验")
    case = answer(case, "2026-04-20")
    check = checks_of(case, "2026-04-21")["extension_lawful"]
    assert check.passed is False and "未送达" in check.reason
    assert any(e.kind == "document" and "延期告知书" in e.label for e in check.evidence)


def test_an_extension_after_the_period_ran_out_fails(demo_city):
    case = to_accepted()
    with at("2026-05-08"):  # the handling period ended 05-06
        case = case_act(case=case, actor=head(), action="extend", days=10, reason="补充调查")
    serve(case, NoticeKind.EXTEND, head(), "2026-05-08")
    check = checks_of(case, "2026-05-09")["extension_lawful"]
    assert check.passed is False and "届满后才延期" in check.reason


def test_a_notice_never_served_fails_once_the_case_is_closed(demo_city):
    reg = registrar()
    with at("2026-03-02"):
        case = register(by=reg).case
        case = case_act(
            case=case, actor=reg, action="tell", told_where="向人民法院提起诉讼", reason="属于诉讼事项"
        )
    check = checks_of(case, "2026-03-03")["notices_served"]
    assert check.passed is False and "告知书" in check.reason
    serve(case, NoticeKind.TELL, reg, "2026-03-03")
    assert checks_of(case, "2026-03-04")["notices_served"].passed is True


def test_an_accusation_sent_past_the_discipline_body_fails(demo_city):
    case = to_accepted(petition_type=PetitionType.ACCUSATION)
    check = checks_of(case, "2026-03-06")["route_lawful"]
    assert check.passed is False and "纪检监察" in check.reason
    assert check.evidence[0].kind == "event"


def test_an_accusation_sent_to_discipline_is_lawful(demo_city):
    reg = registrar()
    with at("2026-03-02"):
        case = register(by=reg, petition_type=PetitionType.ACCUSATION).case
        case = case_act(
            case=case, actor=reg, action="transfer", target_body=Body.objects.get(code="990101-discipline")
        )
    assert checks_of(case, "2026-03-03")["route_lawful"].passed is True


def test_an_opinion_without_legal_basis_or_facts_fails(demo_city):
    case = answer(to_accepted(), "2026-04-20", text="责令物业维修。")
    check = checks_of(case, "2026-04-21")["opinion_content"]
    assert check.passed is False and "法律法规依据" in check.reason and "事实和理由" not in check.reason

    bare = answer(to_accepted(seed=2, facts=""), "2026-04-20")
    check = checks_of(bare, "2026-04-21")["opinion_content"]
    assert check.passed is False and "事实和理由" in check.reason


def test_a_review_decided_late_fails(demo_city):
    case = answer(to_accepted(), "2026-04-20")
    with at("2026-04-25"):
        case = case_act(case=case, actor=registrar(), action="request_review", reason="不服处理意见")
    with at("2026-06-01"):  # requested 04-25: the review period ended 05-25
        case = case_act(
            case=case,
            actor=head("990100-housing"),
            action="decide_review",
            outcome=Outcome.SUPPORT,
            text=LAWFUL_TEXT,
        )
    check = checks_of(case, "2026-06-02")["review_windows"]
    assert check.passed is False and "复查、复核意见逾期" in check.reason


def test_an_extension_drafted_by_the_officer_and_approved_by_the_head_is_lawful(demo_city):
    case = to_accepted()
    with at("2026-03-10"):
        drafted = case_act(case=case, actor=officer(), action="extend", days=20, reason="需要现场勘验")
        assert drafted.draft is not None  # the officer proposes; nothing changes until the head signs
        assert checks_of(case, "2026-03-10")["extension_lawful"].passed is None
        case = draft_approve(draft=drafted.draft, actor=head())
    serve(case, NoticeKind.EXTEND, officer(), "2026-03-11")
    check = checks_of(case, "2026-03-12")["extension_lawful"]
    assert check.passed is True, check.reason
