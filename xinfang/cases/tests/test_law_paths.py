"""The regulation to the letter: finality from the 复核 decision, the path of each kind of matter and each
Art. 31 route (checked against the actions the case then offers), the registration table, and dates as the
law counts them. Each test is named after its article (docs/law.md points here)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from xinfang.cases.models import Notice, NoticeKind, Outcome, PetitionType, Route, State
from xinfang.cases.selectors import allowed_actions
from xinfang.cases.services import case_act
from xinfang.cases.services.register import REGISTRATION_CONDITIONS, repeat_candidates
from xinfang.cases.tests.factories import PETITIONER, officer, register, registrar
from xinfang.cases.tests.test_workflow import HOUSING, body, to_state
from xinfang.cases.workflow import OPENING, REGISTRATION_OUTCOMES, ClockKind
from xinfang.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from xinfang.core.models import Event
from xinfang.deadlines.models import Clock

pytestmark = pytest.mark.django_db


def actions_of(case, who) -> set[str]:
    return {t.action for t in allowed_actions(case=case, actor=who)}


def received(**kwargs):
    reg = registrar()
    case = register(by=reg, **kwargs).case
    case = case_act(case=case, actor=reg, action="transfer", target_body=body(HOUSING))
    return case_act(case=case, actor=officer(), action="receive")


# —— the registration table ——


def test_registration_table_names_only_defined_conditions():
    for row in REGISTRATION_OUTCOMES:
        assert row.applies in REGISTRATION_CONDITIONS, row.key
        assert not row.allowed or row.allowed in REGISTRATION_CONDITIONS, row.key
        assert row.legal_basis.startswith("《信访工作条例》"), row.key
    assert REGISTRATION_OUTCOMES[-1].applies == "always"  # every petition has an outcome
    assert {o.clock.kind for o in OPENING.values()} == {ClockKind.REGISTRATION, ClockKind.ACCEPTANCE}


# —— Art. 36 ¶3: final from the 复核意见, no 终结 click ——


def test_art36_same_matter_refused_once_rereview_decided_without_terminate(demo_city):
    decided = to_state(State.REREVIEWED, seed=31)  # the 复核意见 is given; nobody clicked 终结
    again = register(seed=31, request=decided.request)
    assert again.outcome == "not_reaccepted" and again.case.state == State.NOT_REACCEPTED
    assert again.case.repeat_of == decided
    notice = Notice.objects.get(case=again.case, kind=NoticeKind.NOT_REACCEPT)
    assert "第三十六条第三款" in notice.legal_basis and decided.number in notice.text
    assert not Clock.objects.filter(case=again.case, is_open=True).exists()


def test_art36_registrar_chooses_not_reaccept_only_where_final(demo_city):
    open_case = register(seed=32).case
    with pytest.raises(ValidationFailed) as exc:
        register(seed=32, request=open_case.request, repeat_choice="not_reaccept")
    assert exc.value.code == "repeat_choice_not_allowed" and "第三十六条" in exc.value.message


def test_art36_new_facts_after_rereview_registered_as_new_with_reason(demo_city):
    decided = to_state(State.REREVIEWED, seed=33)
    with pytest.raises(ValidationFailed) as exc:
        register(seed=33, request=decided.request, repeat_choice="new", repeat_of=decided)
    assert exc.value.code == "missing_reason"
    result = register(
        seed=33,
        request=decided.request,
        repeat_choice="new",
        repeat_of=decided,
        force_reason="提出了复核后新发生的事实：房屋出现新的裂缝",
    )
    assert result.outcome == "registered" and result.case.state == State.REGISTERED
    assert not result.case.is_repeat
    event = Event.objects.get(object_id=str(result.case.pk), action="register")
    assert event.new_values["repeat_choice"] == "new" and event.new_values["candidate"] == decided.number
    assert "新发生的事实" in event.reason


def test_art36_rereview_decision_tells_the_petitioner_the_finality(demo_city):
    decided = to_state(State.REREVIEWED, seed=34)
    notice = Notice.objects.get(case=decided, kind=NoticeKind.REREVIEW_OPINION)
    assert "不再受理" in notice.next_right


# —— Art. 19 ¶3: the higher level refuses only while the lower body is within its period ——


def test_art19_higher_level_takes_up_matter_once_lower_period_ran_out(demo_city):
    accepted_below = to_state(State.ACCEPTED, seed=35)
    due = Clock.objects.get(case=accepted_below, kind=ClockKind.HANDLING).due_on
    city = registrar("990100-xinfang")
    with time_machine.travel(timezone.now() + (due - timezone.localdate()) + timedelta(days=2)):
        again = register(by=city, seed=35, request=accepted_below.request)
    assert again.outcome != "not_accepted"
    assert again.outcome == "repeat_linked" and again.case.repeat_of == accepted_below


def test_art19_registrar_link_choice_records_reason(demo_city):
    first = register(seed=36).case
    again = register(seed=36, request=first.request, repeat_choice="link", repeat_of=first)
    assert again.outcome == "repeat_linked" and again.case.repeat_of == first
    event = Event.objects.get(object_id=str(again.case.pk), action="register")
    assert event.new_values["repeat_choice"] == "link" and first.number in event.reason


def test_art22_repeat_matching_reads_the_request_not_only_the_person(demo_city):
    first = register(seed=37).case
    other = register(seed=37, request="孩子入学学位分配不公，请求教育局重新安排学位")
    assert other.outcome == "registered" and not other.case.is_repeat
    people = [first.petitioners.get().person]
    found = repeat_candidates(people=people, problem_region=first.problem_region, request=first.request)
    assert [c.case for c in found] == [first]
    assert found[0].score >= 0.45 and not found[0].final
    with pytest.raises(ValidationFailed) as exc:  # a case that is not the same matter cannot be linked
        register(seed=37, request=first.request, repeat_choice="link", repeat_of=other.case)
    assert exc.value.code == "not_a_candidate"


# —— Art. 29: a suggestion is studied and replied to; no 复查 follows ——


def test_art29_suggestion_reply_offers_no_review(demo_city):
    case = received(
        seed=41, petition_type=PetitionType.SUGGESTION, request="建议在滨河路增设公交站点方便居民出行"
    )
    assert "divert" not in actions_of(case, officer())  # Art. 31 routes are for 申诉求决 only
    case = case_act(case=case, actor=officer(), action="accept")
    assert "mediate" not in actions_of(case, officer()) and "extend" not in actions_of(case, head_())
    with pytest.raises(ValidationFailed):
        case_act(case=case, actor=officer(), action="answer", outcome=Outcome.SUPPORT, text="x")
    case = case_act(case=case, actor=head_(), action="answer", outcome=Outcome.ADOPTED, text="采纳，已增设。")
    assert case.state == State.ANSWERED
    assert "request_review" not in actions_of(case, registrar())
    assert not Clock.objects.filter(case=case, kind=ClockKind.REVIEW_REQUEST).exists()
    assert "复查" not in Notice.objects.get(case=case, kind=NoticeKind.OPINION).next_right
    with pytest.raises(TransitionNotAllowed) as exc:
        case_act(case=case, actor=PETITIONER, action="request_review", reason="不服")
    assert exc.value.code == "not_reviewable"
    assert "conclude" in actions_of(case, officer())  # no window to wait for


def head_():
    from xinfang.cases.tests.factories import head

    return head()


# —— Art. 30: an accusation is handled and fed back; no 复查 of Art. 35 ——


def test_art30_accusation_answer_offers_no_review(demo_city):
    case = received(seed=42, petition_type=PetitionType.ACCUSATION, request="举报某小区物业经理侵占维修基金")
    case = case_act(case=case, actor=officer(), action="accept")
    case = case_act(case=case, actor=head_(), action="answer", outcome=Outcome.EXPLAIN, text="已核查。")
    assert "request_review" not in actions_of(case, registrar())
    assert not Clock.objects.filter(case=case, kind=ClockKind.REVIEW_REQUEST).exists()


# —— Art. 31: each route and the actions the case then offers ——


@pytest.mark.parametrize(
    "route", [Route.LITIGATION, Route.ARBITRATION, Route.PARTY_APPEAL, Route.ADMINISTRATIVE]
)
def test_art31_routes_one_to_four_divert_and_close(demo_city, route):
    case = received(seed=43)
    with pytest.raises(ValidationFailed) as exc:
        case_act(case=case, actor=officer(), action="accept", route=route)
    assert exc.value.code == "route_needs_divert"
    case = case_act(case=case, actor=officer(), action="divert", route=route, reason="导入法定程序")
    assert case.state == State.DIVERTED and case.closed_at is not None
    assert actions_of(case, officer()) == {"archive"}
    assert not Clock.objects.filter(case=case, is_open=True).exists()


def test_art31_route_five_performs_then_review(demo_city):
    case = case_act(case=received(seed=44), actor=officer(), action="accept", route=Route.PERFORM)
    assert "extend" not in actions_of(case, head_())  # Art. 34's extension is for route (六)
    assert "hearing_start" not in actions_of(case, officer())
    case = case_act(case=case, actor=head_(), action="answer", outcome=Outcome.PERFORMED, text="已依法履行。")
    assert "request_review" in actions_of(case, registrar())


def test_art31_route_six_offers_extension_hearing_mediation_then_review(demo_city):
    case = case_act(case=received(seed=45), actor=officer(), action="accept", route=Route.HANDLE)
    offered = actions_of(case, officer()) | actions_of(case, head_())
    assert {"answer", "mediate", "hearing_start", "extend"} <= offered
    case = case_act(case=case, actor=head_(), action="answer", outcome=Outcome.NOT_SUPPORT, text="不予支持。")
    assert "request_review" in actions_of(case, registrar())
    assert Clock.objects.filter(case=case, kind=ClockKind.REVIEW_REQUEST, is_open=True).exists()


def test_art33_mediation_only_for_appeals(demo_city):
    case = received(seed=46, petition_type=PetitionType.SUGGESTION, request="建议延长社区图书室开放时间")
    case = case_act(case=case, actor=officer(), action="accept")
    with pytest.raises(TransitionNotAllowed) as exc:
        case_act(case=case, actor=officer(), action="mediate", text="x")
    assert exc.value.code == "appeal_only"


# —— Art. 22/23: the clocks count from the day the petition arrived ——


def test_art22_clock_starts_on_the_day_the_letter_arrived(demo_city):
    arrived = timezone.localdate() - timedelta(days=3)
    case = register(seed=51, arrived_at=arrived).case
    clock = Clock.objects.get(case=case, kind=ClockKind.REGISTRATION)
    assert clock.started_on == arrived
    # the days as the office counts them (Beijing time): between 00:00 and 08:00 there, UTC is still yesterday
    assert timezone.localdate(case.arrived_at) == arrived
    assert timezone.localdate(case.registered_at) == timezone.localdate()
    event = Event.objects.get(object_id=str(case.pk), action="register")
    assert event.new_values["backdated_days"] == 3


def test_art23_agency_acceptance_clock_counts_from_the_visit(demo_city):
    visit = timezone.localdate() - timedelta(days=1)
    case = register(by=registrar(HOUSING), seed=52, arrived_at=visit).case
    assert case.state == State.RECEIVED
    assert Clock.objects.get(case=case, kind=ClockKind.ACCEPTANCE).started_on == visit


def test_art22_backdating_only_within_the_window(demo_city, settings):
    settings.XINFANG_BACKDATE_MAX_DAYS = 5
    with pytest.raises(ValidationFailed) as exc:
        register(seed=53, arrived_at=timezone.localdate() - timedelta(days=6))
    assert exc.value.code == "backdate_too_far"
    with pytest.raises(ValidationFailed) as exc:
        register(seed=53, arrived_at=timezone.localdate() + timedelta(days=1))
    assert exc.value.code == "arrived_in_future"
    assert register(seed=53, arrived_at=timezone.localdate() - timedelta(days=5)).case.pk


def test_art22_petitioner_cannot_backdate(demo_city):
    from xinfang.cases.tests.factories import register as reg

    with pytest.raises(PermissionDenied):
        reg(
            by=PETITIONER,
            body=body("990101-xinfang"),
            seed=54,
            arrived_at=timezone.localdate() - timedelta(days=2),
        )


# —— Art. 24 ¶1: a dispute over who accepts goes to the common superior, who decides; recorded ——


def test_art24_dispute_over_acceptance_decided_by_common_superior(demo_city):
    from xinfang.cases.tests.factories import actor
    from xinfang.orgs.models import Role

    reg = registrar()
    urban = body("990101-urban_management")
    case = register(by=reg, seed=61).case
    case = case_act(case=case, actor=reg, action="transfer", target_body=body(HOUSING), co_bodies=[urban])
    assert "decide_lead" not in actions_of(case, reg)  # nothing to decide until a body disputes it
    case = case_act(
        case=case, actor=officer(), action="dispute_acceptance", reason="主要是占道经营，应由城管受理"
    )
    superior = body("990101-government")  # both are departments of 东城区: its government decides
    assert case.dispute_body == superior
    with pytest.raises(TransitionNotAllowed):  # not twice
        case_act(case=case, actor=officer(), action="dispute_acceptance", reason="x")
    with pytest.raises(PermissionDenied):  # the sender no longer decides it once disputed to the superior
        case_act(case=case, actor=reg, action="decide_lead", target_body=urban, reason="x")
    leader = actor("990101-government", Role.LEADER)
    assert "decide_lead" in actions_of(case, leader)
    case = case_act(
        case=case, actor=leader, action="decide_lead", target_body=urban, reason="占道经营属城管职责"
    )
    assert case.handling_body == urban and case.current_body == urban and case.dispute_body is None
    assert set(case.co_bodies.all()) == {body(HOUSING)}
    event = Event.objects.filter(object_id=str(case.pk), action="decide_lead").get()
    assert event.new_values["decided_by"] == superior.pk and "第二十四条" in event.legal_basis
    assert event.reason == "占道经营属城管职责"


def test_art24_common_superior_of_bodies_in_two_counties_is_the_city_government(demo_city):
    from xinfang.orgs.selectors import bodies_common_superior

    assert bodies_common_superior([body(HOUSING), body("990102-housing")]) == body("990100-government")
    assert bodies_common_superior([body("990100-government"), body("990100-housing")]) is None


# —— Art. 17, 18/26, 25, 32 ——


@pytest.mark.parametrize("channel", ["online", "letter", "visit", "phone", "fax", "leader_mailbox"])
def test_art17_every_channel_registers(demo_city, channel):
    result = register(seed=70, channel=channel)
    assert result.case.channel == channel and result.case.state == State.REGISTERED


def test_art18_no_feature_tracks_or_blacklists_petitioners():
    """No model keeps a list of petitioners to watch, stop or punish (Art. 18 ¶4, Art. 46 (六))."""
    from django.apps import apps

    words = ("blacklist", "watch", "blocked", "banned", "黑名单", "重点人员", "稳控")
    for model in (m for m in apps.get_models() if m.__module__.startswith("xinfang.")):
        for f in model._meta.get_fields():
            text = f"{model._meta.label}.{f.name} {getattr(f, 'verbose_name', '')}".lower()
            assert not any(w in text for w in words), text


def test_art25_group_petition_flagged_at_registration(demo_city, settings):
    settings.XINFANG_GROUP_VISIT_MIN_PEOPLE = 5
    assert register(seed=71, people_count=5).case.is_group
    assert not register(seed=72, people_count=4, request="另一件事：路灯不亮").case.is_group


def test_art32_opinion_gives_one_of_three_outcomes_and_its_text(demo_city):
    case = case_act(case=received(seed=73), actor=officer(), action="accept", route=Route.HANDLE)
    with pytest.raises(ValidationFailed) as exc:
        case_act(case=case, actor=officer(), action="answer", outcome=Outcome.ADOPTED, text="x")
    assert exc.value.code == "invalid_outcome"
    with pytest.raises(ValidationFailed):
        case_act(case=case, actor=officer(), action="answer", outcome=Outcome.EXPLAIN, text="")
    case = case_act(
        case=case, actor=head_(), action="answer", outcome=Outcome.EXPLAIN, text="请求合理但缺乏依据。"
    )
    assert case.outcome == Outcome.EXPLAIN
