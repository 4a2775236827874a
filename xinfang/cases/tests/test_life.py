from datetime import date

import pytest
import time_machine

from xinfang.cases.models import Notice, NoticeKind, Outcome, Route, State
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import head, officer, register, registrar
from xinfang.cases.workflow import ClockKind
from xinfang.core.events import events_for
from xinfang.deadlines.models import Clock
from xinfang.orgs.models import Body

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_whole_life_register_to_archive(demo_city):
    reg = registrar()
    result = register(by=reg)
    case = result.case
    assert case.state == State.REGISTERED and result.outcome == "registered"
    assert len(result.query_code) == 11
    reg_clock = Clock.objects.get(case=case, kind=ClockKind.REGISTRATION)
    assert reg_clock.due_on == date(2026, 3, 17)

    housing = Body.objects.get(code="990101-housing")
    case = case_act(case=case, actor=reg, action="transfer", target_body=housing)
    assert case.state == State.TRANSFERRED and case.current_body == housing
    case = case_act(case=case, actor=officer(), action="receive")
    assert Clock.objects.get(case=case, kind=ClockKind.ACCEPTANCE).due_on == date(2026, 3, 17)
    assert Clock.objects.get(case=case, kind=ClockKind.OBJECTION).due_on == date(2026, 3, 9)
    case = case_act(case=case, actor=officer(), action="accept", route=Route.HANDLE)
    assert Clock.objects.get(case=case, kind=ClockKind.HANDLING).due_on == date(
        2026, 5, 6
    )  # day 60 is 5-1, in the 5-1..5-5 holiday
    case = case_act(case=case, actor=head(), action="extend", days=30, reason="需要现场勘验")
    handling = Clock.objects.get(case=case, kind=ClockKind.HANDLING)
    assert handling.extension_days == 30
    case = case_act(case=case, actor=head(), action="answer", outcome=Outcome.SUPPORT, text="责令物业维修。")
    assert case.state == State.ANSWERED
    kinds = list(Notice.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == [NoticeKind.TRANSFER, NoticeKind.ACCEPT, NoticeKind.EXTEND, NoticeKind.OPINION]
    opinion = Notice.objects.get(case=case, kind=NoticeKind.OPINION)
    assert "示例市住房和城乡建设局请求复查" in opinion.next_right
    # The 复查 window runs from the day the petitioner receives the answer (Art. 35), which only the service
    # record gives (xinfang/documents): no deadline is stated from the day of issue.
    assert opinion.next_right_deadline is None
    actions = [e.action for e in events_for(case)]
    assert actions == ["register", "transfer", "receive", "accept", "extend", "answer"]

    with time_machine.travel("2026-04-10 09:00 +0800", tick=False):
        case = case_act(case=case, actor=officer(), action="conclude")
        case = case_act(case=case, actor=officer(), action="archive")
    assert case.state == State.ARCHIVED
    assert not Clock.objects.filter(case=case, is_open=True).exists()


def test_review_and_rereview_go_up_a_level(demo_city):
    reg = registrar()
    case = register(by=reg).case
    case = case_act(
        case=case, actor=reg, action="transfer", target_body=Body.objects.get(code="990101-housing")
    )
    case = case_act(case=case, actor=officer(), action="receive")
    case = case_act(case=case, actor=officer(), action="accept", route=Route.HANDLE)
    case = case_act(
        case=case, actor=head(), action="answer", outcome=Outcome.NOT_SUPPORT, text="不符合规定。"
    )
    case = case_act(case=case, actor=reg, action="request_review", reason="不服处理意见")
    assert case.state == State.REVIEWING and case.current_body.code == "990100-housing"
    case = case_act(
        case=case,
        actor=head("990100-housing"),
        action="decide_review",
        outcome=Outcome.NOT_SUPPORT,
        text="维持。",
    )
    case = case_act(case=case, actor=reg, action="request_rereview", reason="仍不服")
    assert case.state == State.REREVIEWING
    assert case.rereview_body.code == "990100-government" and case.current_body == case.rereview_body


def test_every_event_names_actor_body_time_and_legal_basis(demo_city):
    """docs/domain.md §3: every transition names its actor, time, reason and legal basis, kept forever."""
    reg = registrar()
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        case = register(by=reg).case
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        case = case_act(
            case=case, actor=reg, action="transfer", target_body=Body.objects.get(code="990101-housing")
        )
    with time_machine.travel("2026-03-04 09:00 +0800", tick=False):
        case = case_act(case=case, actor=officer(), action="receive")
    events = list(events_for(case).exclude(action="read"))
    assert [e.occurred_at.day for e in events] == [2, 3, 4]
    for e in events:
        assert e.actor_id and e.actor_label and e.body_id and e.legal_basis.startswith("《信访工作条例》")
    assert (
        events[1].old_values["state"] == State.REGISTERED
        and events[1].new_values["state"] == State.TRANSFERRED
    )


@time_machine.travel("2026-09-28 09:00 +0800", tick=False)
def test_locality_counting_working_days_for_every_limit(demo_city, settings):
    """Some localities count every limit in working days (XINFANG_COUNT_WORKING_DAYS_ONLY)."""
    settings.XINFANG_COUNT_WORKING_DAYS_ONLY = True
    case = register(by=registrar()).case
    clock = Clock.objects.get(case=case, kind=ClockKind.REGISTRATION)
    # 15 working days after Mon 9-28 across National Day (10-1..10-7 off, 10-10 a make-up Saturday):
    # 9-29, 9-30, 10-8, 10-9, 10-10, 10-12..10-16, 10-19..10-23 → 10-23
    assert clock.working and clock.due_on == date(2026, 10, 23)
