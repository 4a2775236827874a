"""Every row of the transition table, allowed and refused; confidentiality; repeats; Art. 19 and 36."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from xinfang.cases.models import Case, Notice, NoticeKind, Outcome, PetitionType, Route, State
from xinfang.cases.selectors import allowed_actions, case_get_for_actor, case_list_visible
from xinfang.cases.services import PetitionerInput, case_act
from xinfang.cases.tests.factories import actor, head, officer, register, registrar
from xinfang.cases.workflow import BY_ACTION, TRANSITIONS, ClockKind
from xinfang.core.errors import (
    ConfidentialityViolation,
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
    WindowClosed,
)
from xinfang.core.models import Event
from xinfang.core.outbox import events_outbox_flush
from xinfang.deadlines.models import Clock
from xinfang.orgs.models import Body, Role

pytestmark = pytest.mark.django_db

HOUSING = "990101-housing"


def body(code):
    return Body.objects.get(code=code)


def to_state(target: str, **register_kwargs) -> Case:
    """Walk a fresh case through the services to a given state."""
    reg = registrar()
    case = register(by=reg, **register_kwargs).case
    path = {
        State.REGISTERED: [],
        State.TRANSFERRED: [("transfer", reg, {"target_body": body(HOUSING)})],
        State.ASSIGNED: [
            ("assign", reg, {"target_body": body(HOUSING), "due_date": timezone.localdate() + timedelta(20)})
        ],
    }
    steps = path.get(target)
    if steps is None:
        steps = [("transfer", reg, {"target_body": body(HOUSING)}), ("receive", officer(), {})]
        more = {
            State.RECEIVED: [],
            State.OBJECTED: [("object", officer(), {"reason": "不属于本机关职权"})],
            State.ACCEPTED: [("accept", officer(), {"route": Route.HANDLE})],
            State.ANSWERED: [
                ("accept", officer(), {"route": Route.HANDLE}),
                ("answer", head(), {"outcome": Outcome.SUPPORT, "text": "予以维修。"}),
            ],
        }
        if target in more:
            steps += more[target]
        else:
            steps += more[State.ANSWERED] + [("request_review", reg, {"reason": "不服"})]
            if target != State.REVIEWING:
                steps += [
                    ("decide_review", head("990100-housing"), {"outcome": Outcome.EXPLAIN, "text": "说明"})
                ]
            if target in (State.REREVIEWING, State.REREVIEWED, State.TERMINATED):
                steps += [("request_rereview", reg, {"reason": "仍不服"})]
            if target in (State.REREVIEWED, State.TERMINATED):
                steps += [
                    (
                        "decide_rereview",
                        head("990100-government"),
                        {"outcome": Outcome.NOT_SUPPORT, "text": "维持"},
                    )
                ]
            if target == State.TERMINATED:
                steps += [("terminate", officer("990100-government"), {})]
    for action, who, inputs in steps:
        case = case_act(case=case, actor=who, action=action, **inputs)
    assert case.state == target
    return case


def test_table_covers_every_state_and_names_its_law():
    reachable = {s for t in TRANSITIONS for s in t.source_values} | {
        t.target for t in TRANSITIONS if t.target
    }
    assert reachable >= {s.value for s in State} - {State.REPEAT_LINKED}  # repeats are linked at registration
    for t in TRANSITIONS:
        assert t.legal_basis.startswith("《信访工作条例》"), t.action
        assert t.roles, t.action


ALLOWED = [
    # (state to reach, action, who acts, inputs, expected state after)
    (State.REGISTERED, "transfer", "registrar", {"target_body": HOUSING}, State.TRANSFERRED),
    (State.REGISTERED, "assign", "registrar", {"target_body": HOUSING, "due_date": 20}, State.ASSIGNED),
    (
        State.REGISTERED,
        "tell",
        "registrar",
        {"told_where": "当地人民法院", "reason": "属于诉讼事项"},
        State.TOLD,
    ),
    (State.REGISTERED, "refuse", "registry_head", {"reason": "上级机关不予受理"}, State.NOT_ACCEPTED),
    (State.TRANSFERRED, "receive", "officer", {}, State.RECEIVED),
    (State.ASSIGNED, "receive", "officer", {}, State.RECEIVED),
    (State.RECEIVED, "object", "officer", {"reason": "不属于本机关"}, State.OBJECTED),
    (State.OBJECTED, "objection_agree", "registrar", {"reason": "异议成立"}, State.REGISTERED),
    (State.OBJECTED, "objection_refuse", "registrar", {"reason": "属于其职权"}, State.RECEIVED),
    (State.RECEIVED, "accept", "officer", {"route": Route.HANDLE}, State.ACCEPTED),
    (State.RECEIVED, "divert", "officer", {"route": Route.ARBITRATION, "reason": "劳动争议"}, State.DIVERTED),
    (State.RECEIVED, "refuse", "head", {"reason": "不符合受理条件"}, State.NOT_ACCEPTED),
    (State.RECEIVED, "refuse_again", "head", {"reason": "已复核终结"}, State.NOT_REACCEPTED),
    (State.ACCEPTED, "extend", "head", {"days": 30, "reason": "情况复杂"}, State.ACCEPTED),
    (State.ACCEPTED, "hearing_start", "officer", {}, State.ACCEPTED),
    (State.ACCEPTED, "mediate", "officer", {"text": "双方同意维修"}, State.ANSWERED),
    (State.REGISTERED, "mediate_at_intake", "registrar", {"text": "双方同意维修"}, State.CONCLUDED),
    (State.ACCEPTED, "answer", "head", {"outcome": Outcome.EXPLAIN, "text": "解释"}, State.ANSWERED),
    (State.ANSWERED, "request_review", "registrar", {"reason": "不服"}, State.REVIEWING),
    (
        State.REVIEWING,
        "decide_review",
        "city_head",
        {"outcome": Outcome.SUPPORT, "text": "支持"},
        State.REVIEWED,
    ),
    (State.REVIEWED, "request_rereview", "registrar", {"reason": "不服"}, State.REREVIEWING),
    (State.REREVIEWING, "hearing_start", "gov_officer", {}, State.REREVIEWING),
    (
        State.REREVIEWING,
        "decide_rereview",
        "gov_head",
        {"outcome": Outcome.SUPPORT, "text": "支持"},
        State.REREVIEWED,
    ),
    (State.REREVIEWED, "terminate", "gov_officer", {}, State.TERMINATED),
    (State.TERMINATED, "archive", "gov_officer", {}, State.ARCHIVED),
]


def who(name):
    return {
        "registrar": registrar,
        "officer": officer,
        "head": head,
        "city_officer": lambda: officer("990100-housing"),
        "gov_officer": lambda: officer("990100-government"),
        "evaluator": lambda: actor(HOUSING, Role.EVALUATOR),
        # Sign-off actions (答复, 复查/复核意见, 不予受理 …) are issued by the body's 负责人 (Art. 32-34).
        "registry_head": lambda: head("990101-xinfang"),
        "city_head": lambda: head("990100-housing"),
        "gov_head": lambda: head("990100-government"),
    }[name]()


@pytest.mark.parametrize(
    ("state", "action", "by", "inputs", "after"), ALLOWED, ids=[f"{r[0]}-{r[1]}" for r in ALLOWED]
)
def test_allowed_transition(demo_city, state, action, by, inputs, after):
    case = to_state(state)
    inputs = dict(inputs)
    if "target_body" in inputs:
        inputs["target_body"] = body(inputs["target_body"])
    if "due_date" in inputs:
        inputs["due_date"] = timezone.localdate() + timedelta(inputs["due_date"])
    acting = who(by)
    assert action in {t.action for t in allowed_actions(case=case, actor=acting)}
    own_events = Event.objects.filter(object_type="cases.case", object_id=str(case.pk)).exclude(action="read")
    events_before = own_events.count()
    case = case_act(case=case, actor=acting, action=action, **inputs)
    assert case.state == after
    assert own_events.count() == events_before + 1  # the case's own history (a 回访 planned is the visit's)
    notice = BY_ACTION[action].notice
    if notice:
        assert Notice.objects.filter(case=case, kind=notice).exists()


def _frozen(case: Case):
    case.refresh_from_db()
    return (
        case.state,
        case.version,
        case.current_body_id,
        Clock.objects.filter(case=case, is_open=True).count(),
        Event.objects.filter(object_id=str(case.pk)).count(),
        Notice.objects.filter(case=case).count(),
    )


REFUSED = [
    (State.REGISTERED, "accept", "officer", TransitionNotAllowed),  # wrong state
    (State.TRANSFERRED, "accept", "officer", TransitionNotAllowed),
    (State.REGISTERED, "transfer", "officer", PermissionDenied),  # wrong body
    (State.RECEIVED, "accept", "registrar", PermissionDenied),  # wrong body (the 信访局 is not the handler)
    # wrong role: the officer drafts a 延期, the head issues it (Art. 34); an evaluator does neither
    (State.ACCEPTED, "extend", "evaluator", PermissionDenied),
    (State.ANSWERED, "decide_review", "officer", TransitionNotAllowed),
    (State.REVIEWING, "decide_review", "officer", PermissionDenied),  # the agency cannot review itself
    (State.TERMINATED, "request_review", "registrar", TransitionNotAllowed),
]


@pytest.mark.parametrize(
    ("state", "action", "by", "error"), REFUSED, ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in REFUSED]
)
def test_refused_transition_changes_nothing(demo_city, state, action, by, error):
    case = to_state(state)
    before = _frozen(case)
    with pytest.raises(error):
        case_act(
            case=case,
            actor=who(by),
            action=action,
            reason="试图",
            outcome=Outcome.SUPPORT,
            text="x",
            route=Route.HANDLE,
            days=10,
            target_body=body(HOUSING),
        )
    assert _frozen(case) == before


def test_wrong_role_same_body_is_refused(demo_city):
    case = to_state(State.TRANSFERRED)
    clerk = actor(HOUSING, Role.EVALUATOR)
    with pytest.raises(PermissionDenied) as exc:
        case_act(case=case, actor=clerk, action="receive")
    assert exc.value.code == "role_required"


def test_review_request_outside_window_refused_with_closing_date(demo_city):
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        case = to_state(State.ANSWERED)
    window = Clock.objects.get(case=case, kind=ClockKind.REVIEW_REQUEST)
    assert window.due_on == date(2026, 4, 1)
    with time_machine.travel("2026-04-02 10:00 +0800", tick=False):
        before = _frozen(case)
        with pytest.raises(WindowClosed) as exc:
            case_act(case=case, actor=registrar(), action="request_review", reason="不服")
        assert exc.value.extra["closed_on"] == "2026-04-01"
        assert "2026年04月01日" in exc.value.message
        assert _frozen(case) == before
    with time_machine.travel("2026-04-01 23:00 +0800", tick=False):
        assert (
            case_act(case=case, actor=registrar(), action="request_review", reason="不服").state
            == State.REVIEWING
        )


def test_rereview_outside_window_refused(demo_city):
    with time_machine.travel("2026-06-01 10:00 +0800", tick=False):
        case = to_state(State.REVIEWED)
    with time_machine.travel("2026-07-15 10:00 +0800", tick=False), pytest.raises(WindowClosed):
        case_act(case=case, actor=registrar(), action="request_rereview", reason="不服")


def test_objection_only_within_five_working_days(demo_city):
    with time_machine.travel("2026-09-28 10:00 +0800", tick=False):  # Monday before National Day
        case = to_state(State.RECEIVED)
    objection = Clock.objects.get(case=case, kind=ClockKind.OBJECTION)
    assert objection.working and objection.due_on == date(
        2026, 10, 10
    )  # 9-29, 9-30, 10-8, 10-9, 10-10 (调休)
    with time_machine.travel("2026-10-12 09:00 +0800", tick=False), pytest.raises(WindowClosed):
        case_act(case=case, actor=officer(), action="object", reason="不属于本机关")


def test_extension_once_and_at_most_30_days(demo_city):
    case = to_state(State.ACCEPTED)
    with pytest.raises(ValidationFailed):
        case_act(case=case, actor=head(), action="extend", days=31, reason="复杂")
    due_before = Clock.objects.get(case=case, kind=ClockKind.HANDLING).due_on
    case = case_act(case=case, actor=head(), action="extend", days=30, reason="复杂")
    assert Clock.objects.get(case=case, kind=ClockKind.HANDLING).due_on >= due_before + timedelta(days=28)
    with pytest.raises(TransitionNotAllowed):
        case_act(case=case, actor=head(), action="extend", days=5, reason="再延")


def test_hearing_pauses_the_rereview_clock(demo_city):
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        case = to_state(State.REREVIEWING)
    gov = officer("990100-government")
    clock = Clock.objects.get(case=case, kind=ClockKind.REREVIEW_DECISION)
    assert clock.due_on == date(2026, 4, 1)
    with time_machine.travel("2026-03-10 09:00 +0800", tick=False):
        case = case_act(case=case, actor=gov, action="hearing_start", hearing_date=date(2026, 3, 12))
    with pytest.raises(TransitionNotAllowed):
        case_act(case=case, actor=gov, action="decide_rereview", outcome=Outcome.SUPPORT, text="x")
    with time_machine.travel("2026-03-20 09:00 +0800", tick=False):
        case = case_act(case=case, actor=gov, action="hearing_end")
    clock.refresh_from_db()
    assert clock.pauses == [["2026-03-10", "2026-03-19"]]
    # ten paused days are not counted: 4-1 + 10 = 4-11, a Saturday → the next working day (民法典 Art. 203)
    assert clock.due_on == date(2026, 4, 13)
    assert Notice.objects.filter(case=case, kind=NoticeKind.HEARING).exists()


def test_divert_needs_a_legal_procedure_route(demo_city):
    case = to_state(State.RECEIVED)
    with pytest.raises(ValidationFailed):
        case_act(case=case, actor=officer(), action="divert", route=Route.HANDLE, reason="x")
    with pytest.raises(ValidationFailed):
        case_act(case=case, actor=officer(), action="accept", route=Route.LITIGATION)
    case = case_act(case=case, actor=officer(), action="divert", route=Route.LITIGATION, reason="已进入诉讼")
    notice = Notice.objects.get(case=case, kind=NoticeKind.DIVERT)
    assert "诉讼" in notice.text


def test_suggestion_path_uses_adoption_outcomes(demo_city):
    case = to_state(State.RECEIVED, petition_type=PetitionType.SUGGESTION)
    case = case_act(case=case, actor=officer(), action="accept")
    with pytest.raises(ValidationFailed):
        case_act(case=case, actor=officer(), action="answer", outcome=Outcome.SUPPORT, text="x")
    case = case_act(case=case, actor=head(), action="answer", outcome=Outcome.ADOPTED, text="采纳建议。")
    assert case.outcome == Outcome.ADOPTED


def test_concurrent_actions_exactly_one_wins(demo_city):
    case = to_state(State.TRANSFERRED)
    version = case.version
    case_act(case=case, actor=officer(), action="receive", expected_version=version)
    with pytest.raises(Conflict):
        case_act(case=case, actor=officer(), action="receive", expected_version=version)


# —— 检举控告 confidentiality (Art. 30, 46) ——


def test_accusation_never_routed_to_the_body_complained_about(demo_city):
    reg = registrar()
    subject = body(HOUSING)
    case = register(
        by=reg,
        petition_type=PetitionType.ACCUSATION,
        subject_body=subject,
        subject_text="东城区住建局某科长",
        request="举报某科长收受开发商财物",
    ).case
    before = _frozen(case)
    with pytest.raises(ConfidentialityViolation):
        case_act(case=case, actor=reg, action="transfer", target_body=subject)
    assert _frozen(case) == before
    case = case_act(case=case, actor=reg, action="transfer", target_body=body("990101-discipline"))
    # The body complained about sees nothing of it, by list or by id.
    housing_officer = officer()
    assert not case_list_visible(actor=housing_officer).filter(pk=case.pk).exists()
    with pytest.raises(NotFound):
        case_get_for_actor(actor=housing_officer, pk=case.pk)
    # nor does its superior line below it… but the city 住建局 is not the subject and may see it if involved
    discipline = officer("990101-discipline")
    assert case_get_for_actor(actor=discipline, pk=case.pk) == case
    events_outbox_flush()  # the read enters the log through the outbox (ADR 0015)
    assert Event.objects.filter(object_id=str(case.pk), action="read", body=discipline.body).exists()


def test_law_related_letter_goes_to_same_level_politics_law_body(demo_city):
    reg = registrar()
    case = register(by=reg, flags={"law_related": True}, request="对法院判决不服，请求重新审理").case
    with pytest.raises(ValidationFailed) as exc:
        case_act(case=case, actor=reg, action="transfer", target_body=body(HOUSING))
    assert exc.value.code == "law_related_route"
    with pytest.raises(ValidationFailed):
        case_act(case=case, actor=reg, action="transfer", target_body=body("990100-politics_law"))
    case = case_act(case=case, actor=reg, action="transfer", target_body=body("990101-politics_law"))
    assert case.state == State.TRANSFERRED


def test_other_body_cannot_see_or_act(demo_city):
    case = to_state(State.TRANSFERRED)
    stranger = officer("990102-housing")
    with pytest.raises(NotFound):
        case_get_for_actor(actor=stranger, pk=case.pk)
    with pytest.raises(PermissionDenied):
        case_act(case=case, actor=stranger, action="receive")
    # the city 信访局 oversees everything under it
    assert case_get_for_actor(actor=registrar("990100-xinfang"), pk=case.pk) == case


# —— repeats, Art. 19 and Art. 36 ——


def test_repeat_of_open_matter_is_linked_not_a_second_case(demo_city):
    first = register(seed=7).case
    again = register(seed=7, channel="visit", request=first.request + "，至今没有解决")
    assert again.outcome == "repeat_linked" and again.case.state == State.REPEAT_LINKED
    assert again.case.repeat_of == first and again.case.is_repeat
    assert not Clock.objects.filter(case=again.case, is_open=True).exists()
    other_matter = register(seed=7, request="孩子入学学位分配不公，请求重新安排")
    assert other_matter.outcome == "registered" and not other_matter.case.is_repeat


def test_same_person_found_by_name_and_phone(demo_city):
    p = PetitionerInput(name="李四", phone="13912345678")
    first = register(petitioners=[p]).case
    again = register(petitioners=[PetitionerInput(name="李四", phone="139 1234 5678")], request=first.request)
    assert again.case.repeat_of == first


def test_after_termination_same_matter_not_reaccepted(demo_city):
    done = to_state(State.TERMINATED, seed=11)
    again = register(seed=11, request=done.request)
    assert again.outcome == "not_reaccepted" and again.case.state == State.NOT_REACCEPTED
    notice = Notice.objects.get(case=again.case, kind=NoticeKind.NOT_REACCEPT)
    assert "第三十六条" in notice.legal_basis and done.number in notice.text


def test_higher_level_refuses_matter_accepted_below(demo_city):
    accepted_below = to_state(State.ACCEPTED, seed=13)
    city = registrar("990100-xinfang")
    again = register(by=city, seed=13, request=accepted_below.request)
    assert again.outcome == "not_accepted" and again.case.state == State.NOT_ACCEPTED
    assert Notice.objects.get(case=again.case, kind=NoticeKind.NOT_ACCEPT).legal_basis.endswith(
        "第十九条第三款"
    )


def test_group_petition_at_most_five_representatives(demo_city):
    people = [
        PetitionerInput(name=f"代表{i}", phone=f"1370000{i:04d}", is_representative=True) for i in range(6)
    ]
    with pytest.raises(ValidationFailed) as exc:
        register(petitioners=people, people_count=40)
    assert "第二十条" in exc.value.message
    result = register(petitioners=people[:5], people_count=40)
    assert result.case.is_group


def test_case_numbers_are_per_body_and_year(demo_city):
    a = register(seed=21).case
    b = register(seed=22, request="道路破损严重，请求尽快修复").case
    c = register(by=registrar("990100-xinfang"), seed=23, request="公交线路调整不合理").case
    assert a.number.startswith("990101-xinfang-")
    assert int(b.number[-6:]) == int(a.number[-6:]) + 1
    assert c.number.endswith("-000001")


def test_several_agencies_the_sender_names_the_lead(demo_city):
    """Art. 24: transferred to 住建局 with 城管局 involved; the sender names 城管局 to lead."""
    reg = registrar()
    case = register(by=reg).case
    urban = body("990101-urban_management")
    case = case_act(case=case, actor=reg, action="transfer", target_body=body(HOUSING), co_bodies=[urban])
    with pytest.raises(ValidationFailed):
        case_act(case=case, actor=reg, action="designate_lead", target_body=body("990101-labour"), reason="x")
    with pytest.raises(PermissionDenied):  # the agencies themselves do not decide it
        case_act(case=case, actor=head(), action="designate_lead", target_body=urban, reason="x")
    case = case_act(
        case=case, actor=reg, action="designate_lead", target_body=urban, reason="主要涉及占道经营"
    )
    assert case.handling_body == urban and case.current_body == urban
    assert set(case.co_bodies.all()) == {body(HOUSING)}
    case = case_act(case=case, actor=officer("990101-urban_management"), action="receive")
    assert case.state == State.RECEIVED
    assert Clock.objects.get(case=case, kind=ClockKind.ACCEPTANCE).body == urban


def test_every_guard_is_defined():
    from xinfang.cases.services.actions import GUARDS

    assert {g for t in TRANSITIONS for g in t.guards} <= set(GUARDS)


def test_buttons_offered_are_exactly_what_the_service_accepts(demo_city):
    """No button for an action the law does not allow now: no lead to name for a single body, no second
    extension, no answer while a hearing runs."""
    reg = registrar()
    case = to_state(State.TRANSFERRED)
    assert "designate_lead" not in {t.action for t in allowed_actions(case=case, actor=reg)}
    with pytest.raises(TransitionNotAllowed):
        case_act(case=case, actor=reg, action="designate_lead", target_body=body(HOUSING), reason="x")
    case = to_state(State.ACCEPTED, seed=31)
    case = case_act(case=case, actor=head(), action="extend", days=10, reason="复杂")
    assert "extend" not in {t.action for t in allowed_actions(case=case, actor=head())}
    case = case_act(case=case, actor=officer(), action="hearing_start")
    offered = {t.action for t in allowed_actions(case=case, actor=officer())}
    assert "answer" not in offered and "mediate" not in offered and "hearing_end" in offered
    with pytest.raises(TransitionNotAllowed):
        case_act(case=case, actor=officer(), action="mediate", text="协议")
