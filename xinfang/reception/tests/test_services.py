"""The hall's rules through the real services: queue numbers, triage, Art. 20's five representatives, the
visit record and 最多访一次, the hearing's pause of the 复核 clock, archiving."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.cases.models import Notice, NoticeKind, PetitionType, State
from xinfang.cases.services import PetitionerInput, case_act
from xinfang.cases.tests.factories import head, officer, register, registrar, valid_id
from xinfang.cases.workflow import ClockKind
from xinfang.core.errors import NotFound, TransitionNotAllowed, ValidationFailed
from xinfang.core.models import Event
from xinfang.core.periods import GROUP_VISIT_MAX_REPRESENTATIVES
from xinfang.deadlines.models import Clock
from xinfang.orgs.models import Body, Region
from xinfang.reception import services as hall_services
from xinfang.reception.figures import hall_figures, percentile
from xinfang.reception.models import (
    DutyKind,
    HearingBasis,
    HearingStatus,
    ParticipantRole,
    Retention,
    Ticket,
    TicketStatus,
    Visit,
    VisitOutcome,
)
from xinfang.reception.services import (
    NewCaseInput,
    ParticipantInput,
    case_archive,
    duty_shift_add,
    hearing_conclude,
    hearing_publish,
    hearing_schedule,
    ticket_call_next,
    ticket_issue,
    ticket_transfer,
    visit_record,
)
from xinfang.reception.tests.factories import hall

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _person(seed: int, rep: bool = False) -> PetitionerInput:
    return PetitionerInput(
        name=f"来访人{seed}", id_number=valid_id(seed), phone=f"1390000{seed:04d}", is_representative=rep
    )


def _new_case(request: str = "小区3号楼地下室常年积水，物业不处理，请求责令整改") -> NewCaseInput:
    return NewCaseInput(
        petition_type=PetitionType.APPEAL,
        problem_region=Region.objects.get(code="990101001"),
        request=request,
    )


# ------------------------------------------------------------------------------------------ the queue


def test_numbers_run_per_service_and_day_and_calls_take_the_lowest(demo_city):
    s = hall()
    reg = registrar()
    a1 = ticket_issue(actor=reg, service=s["A"])
    a2 = ticket_issue(actor=reg, service=s["A"])
    b1 = ticket_issue(actor=reg, service=s["B"], party_size=2)
    assert (a1.code, a2.code, b1.code) == ("A001", "A002", "B001")
    tomorrow = ticket_issue(actor=reg, service=s["A"], now=a1.issued_at + timedelta(days=1))
    assert tomorrow.code == "A001" and tomorrow.service_day_id != a1.service_day_id

    called = ticket_call_next(actor=reg, service_day=a1.service_day)
    assert called.pk == a1.pk and called.status == TicketStatus.CALLED and called.called_at
    assert ticket_call_next(actor=reg, service_day=a1.service_day).pk == a2.pk
    assert ticket_call_next(actor=reg, service_day=a1.service_day) is None
    actions = set(Event.objects.filter(object_type="reception.ticket").values_list("action", flat=True))
    assert {"hall_checkin", "hall_call"} <= actions


def test_the_database_refuses_a_shared_number(demo_city):
    """What the counter lock guarantees, the unique constraint enforces too (the SQLite path serialises)."""
    s = hall()
    t = ticket_issue(actor=registrar(), service=s["A"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(service_day=t.service_day, number=t.number, code="A001")


def test_another_hall_cannot_issue_or_call_at_this_one(demo_city):
    s = hall()
    other = registrar("990102-xinfang")
    with pytest.raises(NotFound):
        ticket_issue(actor=other, service=s["A"])
    t = ticket_issue(actor=registrar(), service=s["A"])
    with pytest.raises(NotFound):
        ticket_call_next(actor=other, service_day=t.service_day)
    with pytest.raises(ValidationFailed):
        ticket_issue(actor=registrar(), service=s["A"], party_size=0)


def test_triage_sends_the_visitor_on_with_a_new_number(demo_city):
    s = hall()
    reg = registrar()
    first = ticket_issue(actor=reg, service=s["A"])
    labour = Body.objects.get(code="990101-labour")
    moved = ticket_transfer(actor=reg, ticket=first, to_service=s["C"], agency=labour)
    first.refresh_from_db()
    assert first.status == TicketStatus.TRANSFERRED and moved.code == "C001"
    assert moved.transferred_from_id == first.pk and moved.service_day.agency == labour
    with pytest.raises(TransitionNotAllowed):
        ticket_transfer(actor=reg, ticket=first, to_service=s["L"])


# ------------------------------------------------------------------------- Art. 20: five representatives


def test_a_group_visit_names_at_most_five_representatives(demo_city):
    s = hall()
    reg = registrar()
    six = [_person(i, rep=True) for i in range(1, GROUP_VISIT_MAX_REPRESENTATIVES + 2)]
    ticket = ticket_issue(actor=reg, service=s["A"], party_size=30)
    with pytest.raises(ValidationFailed) as exc:
        visit_record(
            actor=reg,
            ticket=ticket,
            people=six,
            is_group=True,
            people_count=30,
            statement="三十户业主反映小区供暖不达标",
            outcome=VisitOutcome.CONSULTATION,
            consultation_kind="information",
        )
    assert "people" in exc.value.extra and "第二十条" in exc.value.message
    assert not Visit.objects.exists()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING  # nothing half-done

    # Listed people of a group visit are its representatives, marked or not: six are refused too.
    with pytest.raises(ValidationFailed):
        visit_record(
            actor=reg,
            people=[_person(i) for i in range(1, 7)],
            is_group=True,
            people_count=30,
            statement="供暖",
            outcome=VisitOutcome.CONSULTATION,
            consultation_kind="information",
        )

    five = six[:GROUP_VISIT_MAX_REPRESENTATIVES]
    result = visit_record(
        actor=reg,
        ticket=ticket,
        people=five,
        is_group=True,
        people_count=30,
        statement="三十户业主反映小区供暖不达标，请求供热公司整改",
        outcome=VisitOutcome.NEW_CASE,
        new_case=_new_case("三十户业主反映小区供暖不达标，请求供热公司整改"),
    )
    visit = result.visit
    assert (
        visit.is_group and visit.people.count() == 5 and all(p.is_representative for p in visit.people.all())
    )
    case = result.registration.case
    assert case.channel == "visit" and case.is_group and case.people_count == 30
    assert case.petitioners.filter(is_representative=True).count() == 5


# ------------------------------------------------------------------------------- the visit, 最多访一次


def test_visits_on_the_same_matter_are_counted_and_the_once_rate_follows(demo_city):
    s = hall()
    reg = registrar()
    lawyer = duty_shift_add(
        actor=reg, on=timezone.localdate(), kind=DutyKind.PUBLIC_LAWYER, name="钱律师", service=s["L"]
    )
    wang = _person(11)
    first = visit_record(
        actor=reg,
        ticket=ticket_issue(actor=reg, service=s["A"]),
        people=[wang],
        statement="小区3号楼地下室常年积水，物业不处理，请求责令整改",
        outcome=VisitOutcome.NEW_CASE,
        new_case=_new_case(),
        lawyer_shift=lawyer,
        recording_ref="REC-0001",
        recording_device="执法记录仪07",
    )
    case = first.registration.case
    assert first.visit.matter == case and first.visit.matter_visit_no == 1
    assert first.visit.people.get().person.id_number == wang.id_number  # 一人一档: the person's one record

    # He comes back on the same case: the second visit on the matter.
    again = visit_record(
        actor=reg,
        people=[wang],
        statement="询问积水问题的办理进度",
        outcome=VisitOutcome.EXISTING_CASE,
        case_number=case.number,
    )
    assert again.visit.matter_visit_no == 2 and again.warnings

    # A third time he tells it as new: registration finds the same matter and links it; still his matter.
    third = visit_record(
        actor=reg,
        people=[wang],
        statement="小区3号楼地下室常年积水，物业一直不处理，请求责令整改",
        outcome=VisitOutcome.NEW_CASE,
        new_case=_new_case("小区3号楼地下室常年积水，物业一直不处理，请求责令整改"),
    )
    assert third.registration.outcome == "repeat_linked"
    assert third.visit.matter == case and third.visit.matter_visit_no == 3

    # Another person, another matter, one visit; and a consultation that needs no case.
    visit_record(
        actor=reg,
        people=[_person(12)],
        statement="反映村道破损严重，请求修缮",
        outcome=VisitOutcome.NEW_CASE,
        new_case=_new_case("反映村道破损严重影响出行，请求尽快修缮"),
    )
    visit_record(
        actor=reg,
        people=[_person(13)],
        statement="咨询劳动仲裁如何申请",
        outcome=VisitOutcome.CONSULTATION,
        consultation_kind="legal",
        lawyer_shift=lawyer,
    )
    f = hall_figures(body=reg.body, start=timezone.localdate() - timedelta(days=1), end=timezone.localdate())
    assert (f.matters, f.matters_once) == (2, 1) and f.once_rate == 0.5
    assert f.visits == 5 and f.consultations == 1 and f.new_cases == 3 and f.lawyer_visits == 2
    assert Visit.objects.filter(case__isnull=True).count() == 1


def test_an_existing_case_must_be_visible_to_the_hall(demo_city):
    hall()
    other_case = register(by=registrar("990102-xinfang"), seed=40).case
    with pytest.raises(NotFound):
        visit_record(
            actor=registrar(),
            people=[_person(14)],
            statement="问进度",
            outcome=VisitOutcome.EXISTING_CASE,
            case_number=other_case.number,
        )


def test_percentile_interpolates():
    assert percentile([], 50) is None
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 11)), 90) == pytest.approx(9.1)


# -------------------------------------------------------------------------- the hearing and the clock


def _to_rereview():
    """A case through answer, 复查 and a 复核 request, all on one day."""
    reg = registrar()
    case = register(by=reg, seed=21).case
    case_act(case=case, actor=reg, action="transfer", target_body=Body.objects.get(code="990101-housing"))
    housing = officer("990101-housing")
    case_act(case=case, actor=housing, action="receive")
    case_act(case=case, actor=housing, action="accept", route="6")
    case_act(
        case=case,
        actor=head("990101-housing"),
        action="answer",
        outcome="not_support",
        text="经查，不予支持。",
    )
    case_act(case=case, actor=reg, action="request_review", reason="不服处理意见")
    case.refresh_from_db()
    case_act(
        case=case,
        actor=head(case.current_body.code),
        action="decide_review",
        outcome="explain",
        text="维持",
    )
    case_act(case=case, actor=reg, action="request_rereview", reason="不服复查意见")
    case.refresh_from_db()
    return case


def test_a_hearing_is_left_out_of_the_rereview_clock(demo_city):
    with time_machine.travel(datetime(2026, 5, 11, 10, 0, tzinfo=SH), tick=False):
        case = _to_rereview()
        assert case.state == State.REREVIEWING
        clock = Clock.objects.get(case=case, kind=ClockKind.REREVIEW_DECISION, is_open=True)
        assert clock.due_on == date(2026, 6, 10)
    rereviewer = officer(case.current_body.code)
    with time_machine.travel(datetime(2026, 5, 12, 9, 0, tzinfo=SH), tick=False):
        hearing = hearing_schedule(
            actor=rereviewer,
            case=case,
            basis=HearingBasis.REREVIEW,
            scheduled_at=datetime(2026, 5, 15, 9, 30, tzinfo=SH),
            place="市信访局听证室",
            participants=[
                ParticipantInput(ParticipantRole.HEARING_OFFICER, "听证员甲"),
                ParticipantInput(ParticipantRole.LAWYER, "钱律师", "某律师事务所"),
                ParticipantInput(ParticipantRole.AGENCY, "东城区住建局"),
            ],
        )
        clock.refresh_from_db()
        assert clock.paused_since == date(2026, 5, 12)
        notice = Notice.objects.get(case=case, kind=NoticeKind.HEARING)
        assert hearing.notice == notice and "市信访局听证室" in notice.text and "2026年5月15日" in notice.text
        # The documents app numbers the notice as the 听证通知 the petitioner is served.
        assert notice.document.kind == "hearing" and notice.document.number
        with pytest.raises(TransitionNotAllowed):  # no 复核意见 while the hearing runs
            case_act(case=case, actor=rereviewer, action="decide_rereview", outcome="explain", text="维持")
    with time_machine.travel(datetime(2026, 5, 18, 17, 0, tzinfo=SH), tick=False):
        hearing_conclude(actor=rereviewer, hearing=hearing, minutes="笔录……", conclusion="维持复查意见")
        clock.refresh_from_db()
        # 12–17 May (six days) are not counted: the 30 days end six days later.
        assert clock.pauses == [["2026-05-12", "2026-05-17"]] and clock.paused_since is None
        assert clock.due_on == date(2026, 6, 16)
        hearing.refresh_from_db()
        assert hearing.status == HearingStatus.CONCLUDED
        with pytest.raises(TransitionNotAllowed):  # not before the 复核意见
            hearing_publish(actor=rereviewer, hearing=hearing, summary="经听证，维持复查意见。")
        # The 复核意见 is issued by the body's head (sign-off, issue 15).
        case_act(
            case=case,
            actor=head(case.current_body.code),
            action="decide_rereview",
            outcome="explain",
            text="维持",
        )
        with pytest.raises(ValidationFailed):
            hearing_publish(actor=rereviewer, hearing=hearing, summary="测试人21反映的问题经听证维持。")
        hearing_publish(actor=rereviewer, hearing=hearing, summary="经公开听证，维持复查意见。")
    clock.refresh_from_db()
    assert clock.on_time is True
    actions = list(Event.objects.filter(object_type="reception.hearing").values_list("action", flat=True))
    assert actions == ["hearing_schedule", "hearing_conclude", "hearing_publish"]


def test_a_hearing_needs_a_case_in_the_right_state(demo_city):
    case = register(by=registrar(), seed=22).case
    with pytest.raises(ValidationFailed) as exc:
        hearing_schedule(
            actor=officer("990101-housing"),
            case=case,
            basis=HearingBasis.REREVIEW,
            scheduled_at=datetime.now(SH) + timedelta(days=3),
            place="听证室",
            participants=[ParticipantInput(ParticipantRole.HEARING_OFFICER, "听证员甲")],
        )
    assert "basis" in exc.value.extra


# ------------------------------------------------------------------------------------------- archive


def test_a_closed_case_is_archived_with_a_number_and_retention(demo_city):
    reg = registrar()
    case = register(by=reg, seed=23).case
    case_act(case=case, actor=reg, action="tell", told_where="区人民法院", reason="属诉讼事项")
    record = case_archive(actor=reg, case=case, retention=Retention.LONG, location="档案室A柜")
    case.refresh_from_db()
    assert case.state == State.ARCHIVED and record.number.endswith("-00001")
    second = register(by=reg, seed=24).case
    case_act(case=second, actor=reg, action="tell", told_where="区人民法院", reason="属诉讼事项")
    assert case_archive(actor=reg, case=second, retention=Retention.SHORT).number.endswith("-00002")
    open_case = register(by=reg, seed=25).case
    with pytest.raises(TransitionNotAllowed):
        case_archive(actor=reg, case=open_case, retention=Retention.SHORT)
    assert hall_services.ArchiveRecord.objects.count() == 2
