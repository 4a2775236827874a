"""Referrals: consent, the case effects through the transition table, the 司法确认 window, isolation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from xinfang.cases.models import Notice, NoticeKind, PetitionType, Route, State
from xinfang.cases.models import Outcome as CaseOutcome
from xinfang.cases.selectors import case_get_for_actor
from xinfang.cases.tests.factories import officer, registrar
from xinfang.core.errors import (
    ConfidentialityViolation,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from xinfang.core.models import Event
from xinfang.deadlines.models import Clock
from xinfang.resolution import selectors, services
from xinfang.resolution.confirmation import confirmation_due
from xinfang.resolution.models import CaseEffect, Consent, Referral, Side, Status
from xinfang.resolution.models import NoticeKind as RNotice
from xinfang.resolution.rules import Outcome, ReferralKind
from xinfang.resolution.services import PartyInput
from xinfang.resolution.tests.conftest import (
    HOUSING,
    accepted_case,
    both_agree,
    mediator,
    received_case,
    registered_case,
)

pytestmark = pytest.mark.django_db


def refer(centre, case=None, by=None, kind=ReferralKind.PEOPLES_MEDIATION, org="rmtj", parties=None):
    return services.referral_create(
        actor=by or registrar(),
        kind=kind,
        organisation=centre[org],
        summary="楼上漏水，双方争执",
        case=case,
        parties=both_agree() if parties is None else parties,
    )


# ------------------------------------------------------------------------------------------------ consent


@pytest.mark.parametrize(
    ("parties", "code"),
    [
        ([PartyInput(side=Side.APPLICANT, name="甲", consent=Consent.AGREED)], "parties_both_sides"),
        (
            [
                PartyInput(side=Side.APPLICANT, name="甲", consent=Consent.AGREED),
                PartyInput(side=Side.RESPONDENT, name="乙"),
            ],
            "consent_missing",
        ),
        (
            [
                PartyInput(side=Side.APPLICANT, name="甲", consent=Consent.AGREED),
                PartyInput(side=Side.RESPONDENT, name="乙", consent=Consent.REFUSED),
            ],
            "consent_refused",
        ),
    ],
    ids=["one_side_only", "respondent_not_asked", "respondent_refuses"],
)
@pytest.mark.parametrize(
    "kind", [ReferralKind.PEOPLES_MEDIATION, ReferralKind.ADMIN_MEDIATION, ReferralKind.JUDICIAL_MEDIATION]
)
def test_no_mediation_without_both_parties_consent(centre, parties, code, kind):
    org = {"peoples_mediation": "rmtj", "admin_mediation": "rstj", "judicial_mediation": "fy"}[kind]
    case = registered_case()
    with pytest.raises(ValidationFailed) as exc:
        refer(centre, case=case, kind=kind, org=org, parties=parties)
    assert exc.value.code == code
    assert not Referral.objects.exists()
    assert not Event.objects.filter(action="referral_create").exists()
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_counselling_needs_no_consent_of_another_party(centre):
    r = refer(
        centre,
        kind=ReferralKind.COUNSELLING,
        org="xl",
        parties=[PartyInput(side=Side.APPLICANT, name="甲")],
    )
    assert r.status == Status.REFERRED and r.parties.get().consent == ""


def test_accusations_are_never_referred_to_mediation(centre):
    case = registered_case(petition_type=PetitionType.ACCUSATION)
    with pytest.raises(ConfidentialityViolation) as exc:
        refer(centre, case=case)
    assert exc.value.code == "accusation_not_referred"
    # advice stays possible, with only what the officer writes down
    r = refer(centre, case=case, kind=ReferralKind.LEGAL_CONSULTATION, org="flyz", parties=[both_agree()[0]])
    assert r.case_effect == ""


def test_organisation_must_take_the_kind(centre):
    with pytest.raises(ValidationFailed) as exc:
        refer(centre, org="xl")
    assert exc.value.code == "organisation_kind"


def test_mediators_cannot_refer(centre):
    with pytest.raises(PermissionDenied):
        refer(centre, by=mediator(centre["rmtj"]))


# ----------------------------------------------------------------------------------- effect on the case


def test_agreement_at_registration_closes_the_case_with_the_agreement(centre):
    case = registered_case()
    r = refer(centre, case=case)
    assert r.number.startswith("JF") and r.notices.get().kind == RNotice.REFERRED
    m = mediator(centre["rmtj"])
    services.session_record(actor=m, referral_id=r.pk, held_on=timezone.localdate(), note="第一次调解")
    services.referral_outcome_record(
        actor=m, referral_id=r.pk, outcome=Outcome.MEDIATION_AGREEMENT, text="物业公司于十日内维修管道。"
    )
    case.refresh_from_db()
    r.refresh_from_db()
    assert case.state == State.CONCLUDED and case.outcome == CaseOutcome.MEDIATED
    assert r.case_effect == CaseEffect.CLOSED_WITH_AGREEMENT and r.status == Status.CLOSED
    notice = Notice.objects.get(case=case, kind=NoticeKind.MEDIATION)
    assert "物业公司于十日内维修管道" in notice.text and "司法确认" in notice.text
    assert not Clock.objects.filter(case=case, kind="registration", is_open=True).exists()
    closing = Event.objects.get(object_type="cases.case", object_id=str(case.pk), action="mediate_at_intake")
    assert closing.actor == m.user and closing.body == r.referring_body


def test_agreement_in_handling_answers_the_case_through_the_table(centre):
    case = accepted_case()
    r = refer(centre, case=case, by=officer(HOUSING))
    services.referral_outcome_record(
        actor=mediator(centre["rmtj"]),
        referral_id=r.pk,
        outcome=Outcome.SETTLEMENT_AGREEMENT,
        text="双方和解。",
    )
    case.refresh_from_db()
    assert case.state == State.ANSWERED and case.outcome == CaseOutcome.MEDIATED
    assert not Clock.objects.get(case=case, kind="handling").is_open


def test_a_referral_needs_the_stage_the_table_allows(centre):
    case = received_case()  # at the agency before acceptance: mediation belongs to handling (Art. 33)
    with pytest.raises(TransitionNotAllowed) as exc:
        refer(centre, case=case, by=officer(HOUSING))
    assert exc.value.code == "mediation_stage"
    with pytest.raises(PermissionDenied):  # a registrar elsewhere may not mediate the agency's case
        refer(centre, case=accepted_case(seed=2), by=registrar())


def test_arbitration_is_the_legal_route_the_case_is_diverted_to(centre):
    case = received_case()
    r = refer(
        centre,
        case=case,
        by=officer(HOUSING),
        kind=ReferralKind.LABOUR_ARBITRATION,
        org="ldzc",
        parties=[both_agree()[0]],
    )
    case.refresh_from_db()
    assert case.state == State.DIVERTED and case.route == Route.ARBITRATION
    assert r.case_effect == CaseEffect.DIVERTED
    # the award comes later, with its number; the case stays where the law put it
    with pytest.raises(ValidationFailed) as exc:
        services.referral_outcome_record(
            actor=mediator(centre["ldzc"]), referral_id=r.pk, outcome=Outcome.AWARD
        )
    assert exc.value.code == "reference_missing"
    services.referral_outcome_record(
        actor=mediator(centre["ldzc"]),
        referral_id=r.pk,
        outcome=Outcome.AWARD,
        reference_number="示劳人仲案字〔2026〕1号",
    )


def test_fast_track_at_registration_tells_the_petitioner_where_to_go(centre):
    case = registered_case()
    refer(centre, case=case, kind=ReferralKind.FAST_TRACK, org="fy", parties=[both_agree()[0]])
    case.refresh_from_db()
    assert case.state == State.TOLD


def test_failed_mediation_returns_the_case_with_its_clock_running(centre):
    """The law excludes no mediation time (only hearings, Art. 36): the handling clock ran throughout."""
    with time_machine.travel(date(2026, 3, 2), tick=False):
        case = accepted_case()
        before = Clock.objects.get(case=case, kind="handling", is_open=True)
        r = refer(centre, case=case, by=officer(HOUSING))
    with time_machine.travel(date(2026, 3, 12), tick=False):
        services.referral_outcome_record(
            actor=mediator(centre["rmtj"]),
            referral_id=r.pk,
            outcome=Outcome.FAILED,
            text="被申请人不同意方案",
        )
    case.refresh_from_db()
    r.refresh_from_db()
    clock = Clock.objects.get(case=case, kind="handling", is_open=True)
    assert case.state == State.ACCEPTED and r.case_effect == CaseEffect.RETURNED
    assert clock.paused_since is None and clock.pauses == [] and clock.due_on == before.due_on
    failed = r.notices.get(kind=RNotice.FAILED)
    assert "继续依法办理" in failed.text and "第二十六条" in failed.legal_basis
    # the case may be mediated again later, or answered
    assert refer(centre, case=case, by=officer(HOUSING)).status == Status.REFERRED


@override_settings(XINFANG_REFERRAL_PAUSES_CLOCKS=True)
def test_failed_mediation_resumes_what_the_referral_paused(centre):
    """Where local practice pauses the clock during mediation, the days away are not counted."""
    with time_machine.travel(date(2026, 3, 2), tick=False):
        case = accepted_case()
        before = Clock.objects.get(case=case, kind="handling", is_open=True).due_on
        r = refer(centre, case=case, by=officer(HOUSING))
        assert r.paused_clocks == ["handling"]
        assert Clock.objects.get(case=case, kind="handling").paused_since == date(2026, 3, 2)
    with time_machine.travel(date(2026, 3, 12), tick=False):
        services.referral_outcome_record(
            actor=mediator(centre["rmtj"]), referral_id=r.pk, outcome=Outcome.FAILED, text="调解不成"
        )
    clock = Clock.objects.get(case=case, kind="handling", is_open=True)
    assert clock.paused_since is None
    assert clock.pauses == [["2026-03-02", "2026-03-11"]]
    assert clock.due_on > before


# -------------------------------------------------------------------------------- the 司法确认 window


@pytest.mark.parametrize(
    ("effective", "due"),
    [
        (date(2026, 3, 2), date(2026, 4, 1)),  # 30 calendar days, the start day not counted (Art. 201)
        (
            date(2025, 9, 1),
            date(2025, 10, 9),
        ),  # last day 10-01 in the National Day holiday → 10-09 (Art. 203)
        (date(2026, 1, 1), date(2026, 2, 2)),  # 01-31 is a Saturday → Monday 02-02
    ],
)
def test_judicial_confirmation_window(db, effective, due):
    assert confirmation_due(effective_on=effective).due == due


def test_agreement_opens_the_window_and_the_reminder_runs_once_a_day(centre):
    with time_machine.travel(date(2025, 9, 1), tick=False):
        r = refer(centre)
        services.referral_outcome_record(
            actor=mediator(centre["rmtj"]), referral_id=r.pk, outcome=Outcome.MEDIATION_AGREEMENT, text="协议"
        )
    r.refresh_from_db()
    assert r.confirmation_due_on == date(2025, 10, 9)
    assert any("第二百零三条" in line for line in r.confirmation_counted)
    assert r.notices.get(kind=RNotice.AGREEMENT)  # no case: the parties get it in writing all the same
    assert services.confirmation_reminders_send(today=date(2025, 9, 20)) == 0  # still green
    assert services.confirmation_reminders_send(today=date(2025, 10, 7)) == 1
    assert services.confirmation_reminders_send(today=date(2025, 10, 7)) == 0
    services.referral_confirmation_record(
        actor=mediator(centre["rmtj"]), referral_id=r.pk, applied_on=date(2025, 9, 20)
    )
    assert services.confirmation_reminders_send(today=date(2025, 10, 8)) == 0


def test_only_peoples_mediation_has_the_window(centre):
    r = refer(centre, kind=ReferralKind.ADMIN_MEDIATION, org="rstj")
    services.referral_outcome_record(
        actor=mediator(centre["rstj"]), referral_id=r.pk, outcome=Outcome.MEDIATION_AGREEMENT, text="协议"
    )
    r.refresh_from_db()
    assert r.confirmation_due_on is None


# ------------------------------------------------------------------------------------------- isolation


def test_an_organisation_sees_only_its_own_referrals(centre):
    case = registered_case()
    mine = refer(centre, case=case)
    other = refer(centre, kind=ReferralKind.PEOPLES_MEDIATION, org="dhtj")
    m = mediator(centre["rmtj"])
    assert list(selectors.referral_list(actor=m)) == [mine]
    with pytest.raises(NotFound):
        selectors.referral_get_for_actor(actor=m, pk=other.pk)
    with pytest.raises(NotFound):
        services.referral_outcome_record(actor=m, referral_id=other.pk, outcome=Outcome.FAILED, text="x")
    # the organisation is not one of the case's bodies: the case itself stays out of reach
    with pytest.raises(NotFound):
        case_get_for_actor(actor=m, pk=case.pk)
    # another county's registrar sees neither
    far = registrar("990102-xinfang")
    assert not selectors.referral_list(actor=far).exists()
    with pytest.raises(NotFound):
        selectors.referral_get_for_actor(actor=far, pk=mine.pk)


def test_closed_referrals_take_no_more_records(centre):
    r = refer(centre)
    m = mediator(centre["rmtj"])
    services.referral_outcome_record(actor=m, referral_id=r.pk, outcome=Outcome.FAILED, text="不成")
    with pytest.raises(TransitionNotAllowed):
        services.session_record(actor=m, referral_id=r.pk, held_on=timezone.localdate())
    with pytest.raises(ValidationFailed):
        services.referral_outcome_record(
            actor=m,
            referral_id=refer(centre).pk,
            outcome=Outcome.MEDIATION_AGREEMENT,
            outcome_on=timezone.localdate() + timedelta(days=1),
            text="协议",
        )


def test_the_reminder_job_runs_from_the_command_line(centre):
    from io import StringIO

    from django.core.management import call_command

    with time_machine.travel(date(2026, 3, 2), tick=False):
        r = refer(centre)
        services.referral_outcome_record(
            actor=mediator(centre["rmtj"]), referral_id=r.pk, outcome=Outcome.MEDIATION_AGREEMENT, text="协议"
        )
    out = StringIO()
    with time_machine.travel(date(2026, 3, 30), tick=False):
        call_command("resolution_remind", stdout=out)
    assert "1" in out.getvalue()
    r.refresh_from_db()
    assert r.confirmation_reminded_on == date(2026, 3, 30)
    assert Event.objects.filter(action="confirmation_reminder", object_id=str(r.pk)).count() == 1


def test_a_mediator_of_no_organisation_sees_no_referrals(centre):
    from xinfang.cases.tests.factories import actor
    from xinfang.orgs.models import Role

    refer(centre)
    justice = actor("990100-justice", Role.MEDIATOR)  # the demo's 郑调解 at the 司法局
    assert selectors.organisation_of(justice) is None
    assert not selectors.referral_list(actor=justice).exists()
