"""Writes of the one-stop centre: refer, take, record sessions and outcomes, remind.

Every function takes keyword-only arguments and the acting `Actor`, runs in one transaction, locks the rows it
changes, writes an event, and notifies only after commit. The case's own lifecycle is never changed here
directly: a referral's effect on the case goes through `case_act` and the transition table (divert / tell for
the legal procedure of Art. 31(一)(二); mediate / mediate_at_intake for an agreement, Art. 33)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from functools import partial

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.models import Case, CasePetitioner, PetitionType, State
from xinfang.cases.selectors import case_get_for_actor
from xinfang.cases.services.actions import case_act, check_allowed
from xinfang.cases.workflow import OPEN_STATES, ClockKind, transition
from xinfang.core.errors import (
    ApplicationError,
    ConfidentialityViolation,
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from xinfang.core.events import event_record
from xinfang.core.i18n import message_date
from xinfang.core.notify import email_send, sms_send_many
from xinfang.core.periods import MEDIATION_LAW, TIAOLI, period
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.clocks import clock_pause, clock_resume
from xinfang.deadlines.lights import yellow_days_setting
from xinfang.deadlines.models import Clock
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Role, User
from xinfang.resolution.confirmation import confirmation_due
from xinfang.resolution.models import (
    OPEN_STATUSES,
    CaseEffect,
    Consent,
    ConsentHow,
    NoticeKind,
    Organisation,
    Party,
    Referral,
    ReferralNotice,
    Session,
    Side,
    Status,
)
from xinfang.resolution.rules import (
    AGREEMENTS,
    KIND_RULES,
    NEEDS_REFERENCE,
    Effect,
    Outcome,
    ReferralKind,
)

REFERRER_ROLES = (Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD)
ORGANISATION_ROLES = (Role.MEDIATOR,)
# The action that ends the case with the agreement, by the state the case is in (the table's rows, Art. 33).
CLOSING_ACTION = {State.REGISTERED: "mediate_at_intake", State.ACCEPTED: "mediate"}
# The action that puts the case on the legal procedure (Art. 22 at registration, Art. 31(一)(二) on receipt).
ROUTE_ACTION = {State.REGISTERED: "tell", State.RECEIVED: "divert"}
# Clocks a mediation referral may pause where local practice says so (XINFANG_REFERRAL_PAUSES_CLOCKS).
PAUSABLE = (ClockKind.REGISTRATION, ClockKind.HANDLING)


@dataclass(frozen=True)
class PartyInput:
    side: str
    name: str
    consent: str = ""  # Consent value, or "" when not (yet) asked
    consent_how: str = ""
    consent_on: date | None = None
    person_id: int | None = None


# ------------------------------------------------------------------------------------------------- checks


def _today() -> date:
    return local_date(timezone.now())


def _invalid(message: str, code: str, **extra) -> ValidationFailed:
    return ValidationFailed(message, code=code, extra=extra or None)


def consent_check(*, kind: str, parties: list[PartyInput]) -> None:
    """条例 Art. 33 (经争议双方当事人同意) and 人民调解法 Art. 17 (一方明确拒绝调解的，不得调解): a mediation
    referral needs at least one party on each side and every party's recorded consent."""
    rule = KIND_RULES[kind]
    if not rule.consent_required:
        return
    sides = {p.side for p in parties}
    if not {Side.APPLICANT, Side.RESPONDENT} <= sides:
        raise _invalid(
            gettext("调解须有争议双方当事人：请填写申请人和被申请人。"),
            "parties_both_sides",
            parties=gettext("须有双方当事人"),
        )
    refused = [p.name for p in parties if p.consent == Consent.REFUSED]
    if refused:
        raise _invalid(
            gettext("%(names)s明确拒绝调解，不得调解（《中华人民共和国人民调解法》第十七条）。")
            % {"names": gettext("、").join(refused)},
            "consent_refused",
        )
    missing = [p.name for p in parties if p.consent != Consent.AGREED]
    if missing:
        raise _invalid(
            gettext("调解须经争议双方当事人同意（《信访工作条例》第三十三条）：尚未记录%(names)s的同意。")
            % {"names": gettext("、").join(missing)},
            "consent_missing",
            parties=gettext("须记录每位当事人的同意"),
        )


def _parties_clean(kind: str, parties: list[PartyInput], today: date) -> list[PartyInput]:
    cleaned = []
    for p in parties:
        name = (p.name or "").strip()
        if not name:
            continue
        if p.side not in Side.values:
            raise _invalid(gettext("当事人地位无效。"), "invalid_side")
        if p.consent and p.consent not in Consent.values:
            raise _invalid(gettext("当事人意愿无效。"), "invalid_consent")
        if p.consent_how and p.consent_how not in ConsentHow.values:
            raise _invalid(gettext("同意方式无效。"), "invalid_consent_how")
        if p.consent_on and p.consent_on > today:
            raise _invalid(gettext("表示日期不能晚于今天。"), "consent_in_future")
        cleaned.append(
            PartyInput(
                side=p.side,
                name=name[:100],
                consent=p.consent,
                consent_how=p.consent_how or (ConsentHow.SIGNED if p.consent else ""),
                consent_on=p.consent_on or (today if p.consent else None),
                person_id=p.person_id,
            )
        )
    if not cleaned:
        raise _invalid(gettext("请至少填写一位当事人。"), "parties_missing", parties=gettext("必填"))
    consent_check(kind=kind, parties=cleaned)
    return cleaned


def _case_check(*, case: Case, actor: Actor, kind: str) -> str | None:
    """What the referral may do to this case, or a refusal. Returns the case action it will take now."""
    rule = KIND_RULES[kind]
    if case.state not in OPEN_STATES:
        raise TransitionNotAllowed(
            gettext("事项当前状态为“%(state)s”，不能再移送。") % {"state": gettext(State(case.state).label)},
            code="case_closed",
        )
    if case.petition_type == PetitionType.ACCUSATION and not rule.accusation_allowed:
        # Art. 30, 46: an accusation is handled by the discipline rules and its content kept confidential.
        raise ConfidentialityViolation(
            gettext("检举控告类事项不得移送调解、仲裁或诉讼程序（《信访工作条例》第三十条、第四十六条）。"),
            code="accusation_not_referred",
        )
    if rule.effect == Effect.MEDIATION:
        action = CLOSING_ACTION.get(State(case.state))
        if action is None:
            raise TransitionNotAllowed(
                gettext("调解在登记或受理后的办理过程中进行（第三十三条）；事项当前状态为“%(state)s”。")
                % {"state": gettext(State(case.state).label)},
                code="mediation_stage",
            )
        # The body that refers is the one that will end the case with the agreement: the table decides.
        check_allowed(case, actor, transition(action))
        return None
    if rule.effect == Effect.LEGAL_ROUTE:
        action = ROUTE_ACTION.get(State(case.state))
        if action is None:
            raise TransitionNotAllowed(
                gettext("导入仲裁、诉讼程序须在登记或签收后、受理前进行（第二十二条、第三十一条）。"),
                code="route_stage",
            )
        check_allowed(case, actor, transition(action))
        if action == "divert" and case.petition_type != PetitionType.APPEAL:
            raise TransitionNotAllowed(
                gettext("只有申诉求决类事项导入法定程序（第三十一条）。"), code="route_not_applicable"
            )
        return action
    return None


def _organisation(organisation: Organisation | int, kind: str) -> Organisation:
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    org = Organisation.objects.filter(pk=org_id, is_active=True).first()
    if org is None:
        raise _invalid(gettext("请选择接收组织。"), "organisation_missing", organisation=gettext("必填"))
    if org.kind not in KIND_RULES[kind].organisations:
        raise _invalid(
            gettext("%(org)s不办理“%(kind)s”。")
            % {"org": org.name, "kind": gettext(ReferralKind(kind).label)},
            "organisation_kind",
            organisation=gettext("类别不符"),
        )
    return org


def _notice(*, referral: Referral, kind: str, body, legal_basis: str, **context) -> ReferralNotice:
    title = NoticeKind(kind).label
    text = render_to_string(
        f"resolution/notices/{kind}.txt",
        {
            "r": referral,
            "title": title,
            "body": body,
            "legal_basis": legal_basis,
            "today": _today(),
            **context,
        },
    ).strip()
    return ReferralNotice.objects.create(
        referral=referral, kind=kind, title=title, text=text, legal_basis=legal_basis, issued_by=body
    )


def _sms_petitioners(case_id: int | None, text: str) -> None:
    if case_id is None:
        return

    links = CasePetitioner.objects.filter(case_id=case_id).order_by("order", "id")
    sms_send_many((phone, text) for phone in links.values_list("person__phone", flat=True))


def _email_organisation(organisation_id: int, subject: str, text: str) -> None:

    org = Organisation.objects.filter(pk=organisation_id).only("body_id").first()
    if org is None or org.body_id is None:
        return
    to = list(
        User.objects.filter(memberships__body_id=org.body_id, memberships__role=Role.MEDIATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    email_send(to=to, subject=subject, text=text)


# ------------------------------------------------------------------------------------------------ referral


@transaction.atomic
def referral_create(
    *,
    actor: Actor,
    kind: str,
    organisation: Organisation | int,
    summary: str,
    parties: list[PartyInput],
    case: Case | int | None = None,
    visit_id: int | None = None,
    claims: str = "",
) -> Referral:
    """Refer a dispute from a case (or a hall visit: pass ``visit_id``) to a receiving organisation.

    Mediation needs both parties' recorded consent (条例 Art. 33, 人民调解法 Art. 17); arbitration and the
    court's fast track are the legal procedure the case is 导入 (Art. 31(一)(二); at registration the 信访部门
    tells the petitioner where to go, Art. 22); advice and counselling leave the case as it is."""
    if not actor.has_role(*REFERRER_ROLES) or actor.body is None:
        raise PermissionDenied(gettext("只有登记员、承办人或负责人可以移送。"), code="role_required")
    if kind not in KIND_RULES:
        raise _invalid(gettext("请选择移送类别。"), "invalid_kind", kind=gettext("无效"))
    rule = KIND_RULES[kind]
    today = _today()
    case_obj = None
    if case is not None:
        case_obj = case_get_for_actor(
            actor=actor, pk=case.pk if isinstance(case, Case) else case, log_read=False
        )
    summary = (summary or "").strip()
    if not summary:
        raise _invalid(gettext("请填写纠纷概要（移送材料）。"), "summary_missing", summary=gettext("必填"))
    org = _organisation(organisation, kind)
    cleaned = _parties_clean(kind, parties, today)
    route_action = None
    if case_obj is not None:
        # Lock the case, then check against what is there now.
        case_obj = Case.objects.select_for_update().get(pk=case_obj.pk)
        route_action = _case_check(case=case_obj, actor=actor, kind=kind)
        if (
            rule.effect == Effect.MEDIATION
            and Referral.objects.filter(
                case=case_obj,
                kind__in=[k for k, r in KIND_RULES.items() if r.effect == Effect.MEDIATION],
                status__in=OPEN_STATUSES,
            ).exists()
        ):
            raise Conflict(gettext("该事项已有进行中的调解，请等待结果。"), code="mediation_open")
    referral = Referral.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:24]}",
        kind=kind,
        organisation=org,
        case=case_obj,
        visit_id=visit_id,
        referring_body=actor.body,
        referred_by=actor.user,
        referred_on=today,
        summary=summary,
        claims=(claims or "").strip(),
    )
    referral.number = f"JF{today.year}-{referral.pk:06d}"
    Party.objects.bulk_create(
        Party(
            referral=referral,
            side=p.side,
            name=p.name,
            person_id=p.person_id,
            consent=p.consent,
            consent_how=p.consent_how,
            consent_on=p.consent_on,
            order=i,
        )
        for i, p in enumerate(cleaned)
    )
    if case_obj is not None and route_action:
        org_line = f"{org.name}（{gettext(ReferralKind(kind).label)}）"
        reason = f"移送{org.name}办理（{ReferralKind(kind).label}，移送编号{referral.number}）"
        if route_action == "divert":
            case_act(case=case_obj, actor=actor, action="divert", reason=reason, route=rule.route)
            referral.case_effect = CaseEffect.DIVERTED
        else:
            case_act(case=case_obj, actor=actor, action="tell", reason=reason, told_where=org_line)
            referral.case_effect = CaseEffect.TOLD
    elif (
        case_obj is not None
        and rule.effect == Effect.MEDIATION
        and getattr(settings, "XINFANG_REFERRAL_PAUSES_CLOCKS", False)
    ):
        open_kinds = list(
            Clock.objects.filter(
                case=case_obj, kind__in=PAUSABLE, is_open=True, paused_since__isnull=True
            ).values_list("kind", flat=True)
        )
        clock_pause(case=case_obj, kinds=open_kinds, on=today)
        referral.paused_clocks = sorted(open_kinds)
    referral.save()
    new = {
        "number": referral.number,
        "kind": kind,
        "organisation": org.pk,
        "case": case_obj.pk if case_obj else None,
        "visit_id": visit_id,
        "parties": [[p.side, p.name, p.consent] for p in cleaned],
        "paused_clocks": referral.paused_clocks,
    }
    event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        obj=referral,
        action="referral_create",
        new=new,
        legal_basis=rule.legal_basis,
    )
    if case_obj is not None:
        # The case's own history shows where it was sent (the divert/tell above wrote its own event too).
        event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=actor.body,
            obj=case_obj,
            action="referral",
            new={"referral": referral.number, "kind": kind, "organisation": org.name},
            legal_basis=rule.legal_basis,
        )
    _notice(
        referral=referral,
        kind=NoticeKind.REFERRED,
        body=actor.body,
        legal_basis=rule.legal_basis,
        parties=cleaned,
        mediation=rule.effect == Effect.MEDIATION,
        returned_to=actor.body,
    )
    case_id = case_obj.pk if case_obj else None
    sms = f"【信访】您反映的纠纷已移送{org.name}（{ReferralKind(kind).label}），移送编号{referral.number}。"
    transaction.on_commit(lambda: _sms_petitioners(case_id, sms))
    transaction.on_commit(
        lambda: _email_organisation(
            org.pk, f"新的移送：{referral.number}", f"{actor.body.name}移送：{summary[:200]}"
        )
    )
    return referral


# ----------------------------------------------------------------------------------- the organisation's side


def _organisation_side(actor: Actor, referral: Referral) -> bool:
    return (
        actor.body is not None
        and referral.organisation.body_id == actor.body.pk
        and actor.has_role(*ORGANISATION_ROLES)
    )


def _referring_side(actor: Actor, referral: Referral) -> bool:
    return (
        actor.body is not None
        and referral.referring_body_id == actor.body.pk
        and actor.has_role(*REFERRER_ROLES)
    )


def _locked(referral_id: int) -> Referral:
    referral = Referral.objects.select_for_update().filter(pk=referral_id).first()
    if referral is None:
        raise NotFound()
    # the organisation row is read, not changed: a separate query keeps the lock on the referral alone
    referral.organisation = Organisation.objects.get(pk=referral.organisation_id)
    return referral


def _recorder_check(actor: Actor, referral: Referral) -> None:
    """The organisation records its own work; an organisation not on the system has it recorded by the body
    that referred (the outcome it was told). Anyone else: the same answer as a missing referral."""
    if _organisation_side(actor, referral):
        return
    if referral.organisation.body_id is None and _referring_side(actor, referral):
        return
    raise NotFound()


def _open_check(referral: Referral) -> None:
    if not referral.is_open:
        raise TransitionNotAllowed(
            gettext("该移送已%(status)s，不能再记录。") % {"status": gettext(Status(referral.status).label)},
            code="referral_closed",
        )


@transaction.atomic
def referral_accept(*, actor: Actor, referral_id: int) -> Referral:
    referral = _locked(referral_id)
    _recorder_check(actor, referral)
    _open_check(referral)
    if referral.status == Status.IN_PROGRESS:
        return referral
    referral.status = Status.IN_PROGRESS
    referral.accepted_on = _today()
    referral.save(update_fields=["status", "accepted_on", "updated_at"])
    event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        obj=referral,
        action="referral_accept",
        old={"status": Status.REFERRED},
        new={"status": Status.IN_PROGRESS},
    )
    return referral


@transaction.atomic
def session_record(
    *, actor: Actor, referral_id: int, held_on: date, minutes: int = 60, attendees: int = 1, note: str = ""
) -> Session:
    referral = _locked(referral_id)
    _recorder_check(actor, referral)
    _open_check(referral)
    today = _today()
    if held_on is None or held_on > today:
        raise _invalid(gettext("日期不能晚于今天。"), "session_in_future", held_on=gettext("无效"))
    if held_on < referral.referred_on:
        raise _invalid(
            gettext("日期不能早于移送日期%(date)s。") % {"date": message_date(referral.referred_on)},
            "session_before_referral",
            held_on=gettext("无效"),
        )
    if not (1 <= int(minutes or 0) <= 1440) or not (1 <= int(attendees or 0) <= 500):
        raise _invalid(gettext("时长或人数无效。"), "session_invalid")
    if referral.status == Status.REFERRED:
        referral.status = Status.IN_PROGRESS
        referral.accepted_on = held_on
        referral.save(update_fields=["status", "accepted_on", "updated_at"])
    session = Session.objects.create(
        referral=referral,
        held_on=held_on,
        minutes=int(minutes),
        attendees=int(attendees),
        note=(note or "").strip(),
        recorded_by=actor.user,
    )
    event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        obj=referral,
        action="session_record",
        new={"session": session.pk, "held_on": held_on, "minutes": session.minutes},
    )
    return session


def _delegate(actor: Actor, referral: Referral, action: str) -> Actor:
    """The organisation's record of the agreement is what ends the case, on behalf of the body that referred
    it: the case event names the person who recorded it and the body it acted for (ADR 0011)."""
    return Actor(user=actor.user, body=referral.referring_body, roles=frozenset(transition(action).roles))


def _case_return(referral: Referral, today: date) -> None:
    """A failed mediation returns the case to handling: what the referral paused resumes (the days in
    between not counted); what ran kept running, nothing is restarted."""
    if referral.paused_clocks:
        clock_resume(case=referral.case, kinds=referral.paused_clocks, on=today)


@transaction.atomic
def referral_outcome_record(
    *,
    actor: Actor,
    referral_id: int,
    outcome: str,
    outcome_on: date | None = None,
    text: str = "",
    reference_number: str = "",
) -> Referral:
    referral = _locked(referral_id)
    _recorder_check(actor, referral)
    _open_check(referral)
    rule = KIND_RULES[referral.kind]
    today = _today()
    outcome_on = outcome_on or today
    if outcome not in [o.value for o in rule.outcomes]:
        raise _invalid(
            gettext("“%(kind)s”的结果不能是该项。") % {"kind": gettext(ReferralKind(referral.kind).label)},
            "invalid_outcome",
            outcome=gettext("无效"),
        )
    if outcome_on > today or outcome_on < referral.referred_on:
        raise _invalid(
            gettext("结果日期须在移送日期%(start)s至今天之间。")
            % {"start": message_date(referral.referred_on)},
            "outcome_date",
            outcome_on=gettext("无效"),
        )
    text = (text or "").strip()
    reference_number = (reference_number or "").strip()
    if outcome in AGREEMENTS and not text:
        raise _invalid(gettext("请填写协议内容。"), "agreement_text_missing", text=gettext("必填"))
    if outcome in (Outcome.FAILED, Outcome.NOT_TAKEN) and not text:
        raise _invalid(gettext("请写明原因。"), "reason_missing", text=gettext("必填"))
    if outcome in NEEDS_REFERENCE and not reference_number:
        raise _invalid(
            gettext("请填写文书编号（案号）。"), "reference_missing", reference_number=gettext("必填")
        )
    old = {"status": referral.status, "outcome": referral.outcome}
    referral.status = Status.CLOSED
    referral.outcome = outcome
    referral.outcome_on = outcome_on
    referral.outcome_text = text
    referral.reference_number = reference_number[:60]
    referral.closed_by = actor.user
    referral.accepted_on = referral.accepted_on or outcome_on
    if outcome == Outcome.MEDIATION_AGREEMENT and rule.confirmation_window:
        # 人民调解法 Art. 33: from the day the agreement takes effect (signed by the parties, Art. 29).
        due = confirmation_due(effective_on=outcome_on)
        referral.confirmation_due_on = due.due
        referral.confirmation_counted = list(due.counted)
    case = referral.case
    if case is not None and rule.effect == Effect.MEDIATION:
        if outcome in AGREEMENTS:
            _close_case_with_agreement(actor, referral, case)
        else:
            _case_return(referral, today)
            referral.case_effect = CaseEffect.RETURNED
    referral.save()
    event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        obj=referral,
        action="referral_outcome",
        old=old,
        new={
            "status": Status.CLOSED,
            "outcome": outcome,
            "outcome_on": outcome_on,
            "reference_number": referral.reference_number,
            "confirmation_due_on": referral.confirmation_due_on,
            "case_effect": referral.case_effect,
        },
        reason=text[:500],
        legal_basis=rule.legal_basis,
    )
    if rule.effect == Effect.MEDIATION and outcome not in AGREEMENTS:
        _notice(
            referral=referral,
            kind=NoticeKind.FAILED,
            body=referral.referring_body,
            legal_basis=f"{MEDIATION_LAW}第二十六条、{TIAOLI}第三十三条",
            reason=text,
        )
        case_id = referral.case_id
        sms = (
            f"【信访】移送{referral.number}调解未达成协议，您的事项由{referral.referring_body.name}继续办理。"
        )
        transaction.on_commit(lambda: _sms_petitioners(case_id, sms))
    elif outcome in AGREEMENTS and referral.case_effect != CaseEffect.CLOSED_WITH_AGREEMENT:
        # No case to end (a hall visit) or the case could not be ended now: the parties still get it in writing.
        _notice(
            referral=referral,
            kind=NoticeKind.AGREEMENT,
            body=referral.referring_body,
            legal_basis=rule.legal_basis,
            confirmation=period("judicial_confirmation"),
        )
    return referral


def _close_case_with_agreement(actor: Actor, referral: Referral, case: Case) -> None:
    fresh = Case.objects.only("state").get(pk=case.pk)
    action = CLOSING_ACTION.get(State(fresh.state))
    label = Outcome(referral.outcome).label
    text = f"{referral.organisation.name}主持调解，{label}（移送编号{referral.number}）：\n{referral.outcome_text}"
    if referral.confirmation_due_on:
        p = period("judicial_confirmation")
        text += (
            f"\n双方当事人认为有必要的，可以自调解协议生效之日起{p.current_days()}日内"
            f"（至{referral.confirmation_due_on:%Y年%m月%d日}）共同向人民法院申请司法确认（{p.citation}）。"
        )
    if action is None:
        referral.case_effect = CaseEffect.PENDING
        referral.case_effect_note = f"事项当前状态为“{State(fresh.state).label}”，需由移送机关处理"
        return
    try:
        with transaction.atomic():
            if referral.paused_clocks:
                _case_return(referral, _today())
            case_act(
                case=case.pk,
                actor=_delegate(actor, referral, action),
                action=action,
                reason=f"依{referral.organisation.name}调解结果（移送编号{referral.number}）",
                text=text,
            )
    except ApplicationError as exc:
        referral.case_effect = CaseEffect.PENDING
        referral.case_effect_note = str(exc.message)[:300]
        return
    referral.case_effect = CaseEffect.CLOSED_WITH_AGREEMENT
    referral.case_effect_note = ""


@transaction.atomic
def referral_confirmation_record(*, actor: Actor, referral_id: int, applied_on: date) -> Referral:
    """The parties applied jointly to the court for 司法确认 (人民调解法 Art. 33): the window's light goes out."""
    referral = _locked(referral_id)
    if not (_organisation_side(actor, referral) or _referring_side(actor, referral)):
        raise NotFound()
    if referral.confirmation_due_on is None:
        raise TransitionNotAllowed(gettext("该移送没有司法确认申请期限。"), code="no_confirmation_window")
    if applied_on is None or applied_on > _today() or applied_on < referral.outcome_on:
        raise _invalid(gettext("申请日期无效。"), "confirmation_date", applied_on=gettext("无效"))
    referral.confirmation_applied_on = applied_on
    referral.save(update_fields=["confirmation_applied_on", "updated_at"])
    event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        obj=referral,
        action="confirmation_applied",
        new={"applied_on": applied_on, "late": applied_on > referral.confirmation_due_on},
        legal_basis=f"{MEDIATION_LAW}第三十三条",
    )
    return referral


@transaction.atomic
def referral_withdraw(*, actor: Actor, referral_id: int, reason: str) -> Referral:
    referral = _locked(referral_id)
    if not _referring_side(actor, referral):
        raise NotFound()
    _open_check(referral)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid(gettext("请填写理由。"), "missing_reason", reason=gettext("必填"))
    referral.status = Status.WITHDRAWN
    if referral.case_id and referral.paused_clocks:
        _case_return(referral, _today())
    if referral.case_id and KIND_RULES[referral.kind].effect == Effect.MEDIATION:
        referral.case_effect = CaseEffect.RETURNED
    referral.save()
    event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        obj=referral,
        action="referral_withdraw",
        new={"status": Status.WITHDRAWN},
        reason=reason,
    )
    return referral


# -------------------------------------------------------------------------------------------- the reminder


def confirmation_reminders_send(*, today: date | None = None) -> int:
    """The daily job (`manage.py resolution_remind`): each open 司法确认 window that turns yellow or red is
    reminded once a day to the organisation (its mediators help the parties apply) and the parties' phones."""
    today = today or _today()
    horizon = today.toordinal() + yellow_days_setting()
    sent = 0
    due = Referral.objects.filter(
        confirmation_due_on__gte=today,
        confirmation_applied_on__isnull=True,
    ).exclude(confirmation_reminded_on=today)
    for ref_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            referral = Referral.objects.select_for_update().get(pk=ref_id)
            if (
                referral.confirmation_due_on.toordinal() > horizon
                or referral.confirmation_reminded_on == today
            ):
                continue
            referral.confirmation_reminded_on = today
            referral.save(update_fields=["confirmation_reminded_on", "updated_at"])
            event_record(
                actor=None,
                actor_label="系统",
                body=referral.referring_body,
                obj=referral,
                action="confirmation_reminder",
                new={"due_on": referral.confirmation_due_on},
                legal_basis=f"{MEDIATION_LAW}第三十三条",
            )
            text = (
                f"【调解】调解协议（{referral.number}）申请司法确认的期限至"
                f"{referral.confirmation_due_on:%Y年%m月%d日}，如需申请，请双方共同向人民法院提出。"
            )
            org_id, case_id = referral.organisation_id, referral.case_id
            transaction.on_commit(partial(_email_organisation, org_id, "司法确认申请期限提醒", text))
            transaction.on_commit(partial(_sms_petitioners, case_id, text))
            sent += 1
    return sent
