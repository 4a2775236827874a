"""The 督办 ladder: reply deadlines in working days, the next rung proposed once a reply is late, escalation,
red lights opening a 系统督办, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from xinfang.core.errors import ConfidentialityViolation, NotFound, PermissionDenied, TransitionNotAllowed
from xinfang.core.models import Event
from xinfang.core.periods import period
from xinfang.deadlines.calendar import WorkCalendar
from xinfang.orgs.models import Body
from xinfang.supervision import services
from xinfang.supervision.models import SupervisionKind, SupervisionReason, SupervisionStatus

pytestmark = pytest.mark.django_db

# 2026-09-30 is the Wednesday before National Day: 10-01…10-07 are rest days, so 5 working days end on 10-13
# (the weekend of 10-10/10-11 too), not on 10-05 as calendar days would.
ISSUED = date(2026, 9, 30)
DUE = date(2026, 10, 13)


def travel(day: date):
    return time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False)


def issue(world, kind="system", case=None, on=ISSUED):
    case = case or world.held_case()
    with travel(on):
        return services.supervision_issue(
            actor=world.supervisor,
            kind=SupervisionKind.objects.get(code=kind),
            body=world.housing,
            case_numbers=[case.number],
            reason=SupervisionReason.DELAY,
            requirement="请加快办理并书面回复。",
        )


def test_reply_deadline_counts_working_days_across_national_day(world):
    assert period("supervision_reply").working
    sup = issue(world)
    assert sup.reply_due == DUE
    assert sup.reply_due == services.reply_due_for(ISSUED, calendar=WorkCalendar())
    assert Event.objects.filter(action="supervision_issue", object_id=str(sup.pk)).exists()


def test_reply_days_follow_the_setting(world, settings):
    settings.XINFANG_SUPERVISION_REPLY_DAYS = 1
    assert issue(world).reply_due == date(2026, 10, 8)  # the first working day after the holiday


def test_unanswered_past_deadline_proposes_next_rung_then_escalates(world):
    sup = issue(world)
    assert services.supervision_ladder_run(day=DUE).proposed == 0  # the due day itself is still in time
    sup.refresh_from_db()
    assert sup.proposed_kind is None
    stats = services.supervision_ladder_run(day=DUE + timedelta(days=1))
    assert stats.proposed == 1 and sup.number in stats.numbers
    sup.refresh_from_db()
    assert sup.proposed_kind.code == "phone" and sup.proposed_on == DUE + timedelta(days=1)
    assert services.supervision_ladder_run(day=DUE + timedelta(days=2)).proposed == 0  # once only
    with travel(DUE + timedelta(days=1)):
        new = services.supervision_escalate(actor=world.supervisor, supervision=sup)
    sup.refresh_from_db()
    assert sup.status == SupervisionStatus.ESCALATED
    assert new.kind.code == "phone" and new.escalated_from == sup
    assert list(new.cases.all()) == list(sup.cases.all())
    assert new.reply_due > DUE + timedelta(days=1)


def test_a_reply_in_time_stops_the_ladder(world):
    sup = issue(world)
    with travel(DUE):
        services.supervision_reply(
            actor=world.housing_head, supervision=sup, measures="专人负责", result="已答复"
        )
    sup.refresh_from_db()
    assert sup.status == SupervisionStatus.REPLIED and sup.replied_on_time is True
    assert services.supervision_ladder_run(day=DUE + timedelta(days=5)).proposed == 0


def test_a_late_reply_is_counted_late(world):
    sup = issue(world)
    with travel(DUE + timedelta(days=1)):
        services.supervision_reply(
            actor=world.housing_head, supervision=sup, measures="专人负责", result="已答复"
        )
    sup.refresh_from_db()
    assert sup.replied_on_time is False


def test_the_ladder_is_data_an_administrator_edits(world):
    SupervisionKind.objects.filter(code="phone").update(is_active=False)
    sup = issue(world)
    services.supervision_ladder_run(day=DUE + timedelta(days=1))
    sup.refresh_from_db()
    assert sup.proposed_kind.code == "letter"
    top = issue(world, kind="accountability")
    services.supervision_ladder_run(day=DUE + timedelta(days=1))
    top.refresh_from_db()
    assert top.proposed_kind is None  # the last rung proposes nothing


def test_reply_close_and_send_back(world):
    sup = issue(world, kind="letter")
    assert sup.letter_number  # 发函督办 numbers its 督办单
    with pytest.raises(NotFound):  # another body cannot answer for 住建局
        services.supervision_reply(actor=world.county_supervisor, supervision=sup, measures="x", result="y")
    with pytest.raises(TransitionNotAllowed):
        services.supervision_close(actor=world.supervisor, supervision=sup, note="好")
    services.supervision_reply(
        actor=world.housing_head, supervision=sup, measures="约谈承办人", result="已答复"
    )
    services.supervision_reopen(actor=world.supervisor, supervision=sup, note="结果不具体")
    sup.refresh_from_db()
    assert sup.status == SupervisionStatus.OPEN
    services.supervision_reply(
        actor=world.housing_head, supervision=sup, measures="约谈承办人", result="已书面答复信访人"
    )
    services.supervision_close(actor=world.supervisor, supervision=sup, note="整改到位")
    sup.refresh_from_db()
    assert sup.status == SupervisionStatus.CLOSED and sup.closed_by == world.supervisor.user
    actions = list(
        Event.objects.filter(object_id=str(sup.pk), object_type="supervision.supervision").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "supervision_issue",
        "supervision_reply",
        "supervision_return",
        "supervision_reply",
        "supervision_close",
    ]


def test_only_supervisors_and_only_bodies_below(world):
    case = world.held_case()
    kind = SupervisionKind.objects.get(code="system")
    with pytest.raises(PermissionDenied):
        services.supervision_issue(
            actor=world.housing_head,
            kind=kind,
            body=world.housing,
            case_numbers=[case.number],
            reason="delay",
            requirement="x",
        )
    with pytest.raises(PermissionDenied):  # 东城区信访局 does not supervise 西城区
        services.supervision_issue(
            actor=world.county_supervisor,
            kind=kind,
            body=Body.objects.get(code="990102-housing"),
            case_numbers=[case.number],
            reason="delay",
            requirement="x",
        )


def test_never_to_the_accused_body(world):
    from xinfang.cases.models import Case, PetitionType

    case = world.held_case()
    Case.objects.filter(pk=case.pk).update(petition_type=PetitionType.ACCUSATION, subject_body=world.housing)
    with pytest.raises(ConfidentialityViolation):
        services.supervision_issue(
            actor=world.supervisor,
            kind=SupervisionKind.objects.get(code="system"),
            body=world.housing,
            case_numbers=[case.number],
            reason="delay",
            requirement="x",
        )


def test_a_red_light_opens_one_system_supervision(world, settings):
    from xinfang.deadlines.models import Clock

    case = world.held_case()
    clock = Clock.objects.filter(case=case, is_open=True).first()
    assert clock is not None
    day = clock.due_on
    assert services.supervision_ladder_run(day=day - timedelta(days=1)).auto_opened == 0
    assert services.supervision_ladder_run(day=day).auto_opened == 1  # red on its due day
    auto = clock.supervision_set.get()
    assert auto.auto and auto.kind.code == "system" and auto.body == clock.body
    assert auto.issuing_body.code == "990101-xinfang"  # the 信访部门 over the clock's body
    assert services.supervision_ladder_run(day=day + timedelta(days=1)).auto_opened == 0  # once per clock
    settings.XINFANG_SUPERVISION_AUTO_SYSTEM = False
    other = world.held_case(seed=2)
    other_clock = Clock.objects.filter(case=other, is_open=True).first()
    assert services.supervision_ladder_run(day=other_clock.due_on).auto_opened == 0


def test_recommendation_feedback_tracked_until_it_arrives(world):
    rec = services.recommendation_issue(
        actor=world.supervisor, kind="improve", body=world.housing, text="建议建立会商机制"
    )
    assert rec.feedback_due > rec.issued_on and rec.feedback_at is None
    with pytest.raises(NotFound):
        services.recommendation_feedback(
            actor=world.county_supervisor, recommendation=rec, adoption="adopted", feedback="x"
        )
    services.recommendation_feedback(
        actor=world.housing_head, recommendation=rec, adoption="partly", feedback="已建立"
    )
    rec.refresh_from_db()
    assert rec.adoption == "partly" and rec.feedback_at is not None
