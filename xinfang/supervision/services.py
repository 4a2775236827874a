"""Writes for supervision and leadership. Each service takes keyword-only arguments and the `actor`, runs in one
transaction, locks the row it changes, records an event, and raises from the ApplicationError family.

Cases are reached only through `xinfang.cases.selectors` (a supervisor can supervise, a leader take, a campaign
hand down only what the acting body may see)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.models import Case, CasePetitioner, State
from xinfang.cases.selectors import case_get_for_actor, cases_visible_to, confidential_exclusion_q
from xinfang.cases.services.register import repeat_candidates
from xinfang.cases.workflow import OPEN_STATES
from xinfang.core.errors import (
    ConfidentialityViolation,
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from xinfang.core.events import event_record
from xinfang.core.periods import period
from xinfang.deadlines.calendar import WorkCalendar, compute_due
from xinfang.deadlines.lights import Light
from xinfang.deadlines.selectors import counted_clocks, light_q
from xinfang.documents.rendering import document_render
from xinfang.documents.services import document_number_next
from xinfang.orgs.acting import SYSTEM, Actor
from xinfang.orgs.models import LEVEL_ORDER, Body, BodyKind, Membership, RegionLevel, Role, User
from xinfang.supervision.models import (
    FIVE_RENEWALS,
    Adoption,
    Backflow,
    BackflowStatus,
    Batch,
    Campaign,
    CampaignCase,
    CampaignProgress,
    CampaignResult,
    FollowUp,
    LeaderCase,
    LeaderCaseLevel,
    LeaderCaseNote,
    LeaderCaseStatus,
    LeaderCaseStep,
    LeaderReception,
    Meeting,
    MeetingCase,
    ReceivedCase,
    ReceptionKind,
    ReceptionSlot,
    Recommendation,
    RecommendationKind,
    StepKind,
    Supervision,
    SupervisionKind,
    SupervisionReason,
    SupervisionStatus,
)

SUPERVISING_ROLES = (Role.SUPERVISOR,)
# The states after which a new petition on the same matter is a 倒流 (the earlier one was 办结).
DONE_STATES = frozenset(
    {State.ANSWERED, State.REVIEWED, State.REREVIEWED, State.CONCLUDED, State.TERMINATED, State.ARCHIVED}
)
TEXT_MAX = 2000


def _event(actor: Actor, obj, action: str, *, body=None, new=None, old=None, reason: str = "", basis=""):
    return event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=body if body is not None else actor.body,
        obj=obj,
        action=action,
        old=old,
        new=new,
        reason=reason,
        legal_basis=basis,
    )


def _text(value: str, field_name: str, message: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(message, extra={field_name: message})
    if len(value) > TEXT_MAX:
        msg = gettext("内容不能超过%(n)s字。") % {"n": TEXT_MAX}
        raise ValidationFailed(msg, extra={field_name: msg})
    return value


def _under(body: Body, over: Body) -> bool:
    """`body` lies in `over`'s region (a 信访部门 or government supervises its region) or in its own line."""
    if over.kind in (BodyKind.XINFANG, BodyKind.GOVERNMENT):
        return body.region.path.startswith(over.region.path)
    return body.path.startswith(over.path)


def _today() -> date:
    return timezone.localdate()


def reply_due_for(start: date, *, calendar: WorkCalendar | None = None) -> date:
    """The 督办's reply deadline: `supervision_reply` working days after `start` (xinfang/core/periods.py)."""
    p = period("supervision_reply")
    return compute_due(start=start, days=p.current_days(), working=p.working, calendar=calendar).due


def feedback_due_for(start: date, *, calendar: WorkCalendar | None = None) -> date:
    p = period("recommendation_feedback")
    return compute_due(start=start, days=p.current_days(), working=p.working, calendar=calendar).due


def _number_next(issuing_body: Body, year: int) -> str:
    """督办编号: 督〔year〕body-seq. Counted from the issuing body's own rows under its lock."""
    Body.objects.select_for_update().filter(pk=issuing_body.pk).first()
    prefix = f"督〔{year}〕{issuing_body.code}-"
    n = Supervision.objects.filter(number__startswith=prefix).count() + 1
    while Supervision.objects.filter(number=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


# ----------------------------------------------------------------------------------------------- 督办


def _require_supervisor(actor: Actor) -> None:
    actor.require_role(*SUPERVISING_ROLES)


def _cases_for(actor: Actor, numbers: Iterable[str]) -> list[Case]:
    numbers = [n.strip() for n in numbers if n and n.strip()]
    if not numbers:
        msg = gettext("请至少填写一个信访事项编号。")
        raise ValidationFailed(msg, extra={"cases": msg})
    out = []
    for n in dict.fromkeys(numbers):
        try:
            out.append(case_get_for_actor(actor=actor, number=n, log_read=False))
        except NotFound:
            msg = gettext("未找到信访事项“%(n)s”，或您无权查看。") % {"n": n}
            raise ValidationFailed(msg, code="case_not_found", extra={"cases": msg}) from None
    return out


def supervision_issue(
    *,
    actor: Actor,
    kind: SupervisionKind,
    body: Body,
    case_numbers: Iterable[str],
    reason: str,
    requirement: str,
    issued_on: date | None = None,
    escalated_from: Supervision | None = None,
    _auto_clock=None,
    _calendar: WorkCalendar | None = None,
) -> Supervision:
    """Open a 督办 on one or more visible cases, addressed to a body under the acting supervising body. Its
    reply deadline counts `supervision_reply` working days from the day of issue."""
    if not _auto_clock:
        _require_supervisor(actor)
    if reason not in SupervisionReason.values:
        msg = gettext("请选择督办事由。")
        raise ValidationFailed(msg, extra={"reason": msg})
    requirement = _text(requirement, "requirement", gettext("请填写督办要求。"))
    if not kind.is_active:
        raise ValidationFailed(gettext("该督办方式已停用。"), code="kind_inactive")
    if body.pk == actor.body.pk or not _under(body, actor.body):
        msg = gettext("只能督办本级管辖范围内的其他机关。")
        raise PermissionDenied(msg, code="body_not_supervised")
    cases = _cases_for(actor, case_numbers) if not _auto_clock else [_auto_clock.case]
    _never_to_accused(cases, body)
    issued_on = issued_on or _today()
    with transaction.atomic():
        sup = Supervision.objects.create(
            number=_number_next(actor.body, issued_on.year),
            kind=kind,
            issuing_body=actor.body,
            body=body,
            reason=reason,
            requirement=requirement,
            issued_by=actor.user,
            issued_on=issued_on,
            reply_due=reply_due_for(issued_on, calendar=_calendar),
            auto=bool(_auto_clock),
            source_clock=_auto_clock,
            escalated_from=escalated_from,
        )
        sup.cases.set(cases)
        if kind.produces_letter:
            sup.letter_number = _letter_number(actor.body, issued_on.year)
            sup.save(update_fields=["letter_number"])
        _event(
            actor,
            sup,
            "supervision_issue",
            new={
                "number": sup.number,
                "kind": kind.code,
                "rung": kind.rung,
                "body": body.pk,
                "cases": [c.number for c in cases],
                "reason": reason,
                "reply_due": sup.reply_due,
                "auto": sup.auto,
                "letter_number": sup.letter_number,
                "escalated_from": escalated_from.number if escalated_from else None,
            },
            basis=period("supervision_reply").citation,
        )
    return sup


def _never_to_accused(cases: list[Case], body: Body) -> None:
    """A 督办 on 检举控告 material never goes to the body it accuses (Art. 30, 46)."""

    if Case.objects.filter(pk__in=[c.pk for c in cases]).filter(confidential_exclusion_q(body)).exists():
        raise ConfidentialityViolation()


def _letter_number(body: Body, year: int) -> str:
    """The 督办单's 文号, from the documents app's counter."""
    return document_number_next(body=body, year=year)


def _lock(model, pk):
    obj = model.objects.select_for_update().filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def supervision_reply(*, actor: Actor, supervision: Supervision, measures: str, result: str) -> Supervision:
    """The supervised body's written reply (measures taken, result). On time if on or before `reply_due`."""
    if actor.body is None or supervision.body_id != actor.body.pk:
        raise NotFound()
    measures = _text(measures, "measures", gettext("请填写整改措施。"))
    result = _text(result, "result", gettext("请填写办理结果。"))
    with transaction.atomic():
        sup = _lock(Supervision, supervision.pk)
        if sup.status != SupervisionStatus.OPEN:
            raise TransitionNotAllowed(gettext("该督办已回复或已办结。"), code="supervision_not_open")
        now = timezone.now()
        sup.reply_measures, sup.reply_result = measures, result
        sup.replied_at, sup.replied_by = now, actor.user
        sup.replied_on_time = timezone.localdate(now) <= sup.reply_due
        sup.status = SupervisionStatus.REPLIED
        sup.save()
        _event(
            actor,
            sup,
            "supervision_reply",
            old={"status": SupervisionStatus.OPEN},
            new={
                "status": sup.status,
                "on_time": sup.replied_on_time,
                "measures": measures,
                "result": result,
            },
        )
    return sup


def supervision_close(*, actor: Actor, supervision: Supervision, note: str) -> Supervision:
    """The supervising body accepts the reply and closes the 督办."""
    _require_supervisor(actor)
    if supervision.issuing_body_id != actor.body.pk:
        raise NotFound()
    note = _text(note, "note", gettext("请填写办结意见。"))
    with transaction.atomic():
        sup = _lock(Supervision, supervision.pk)
        if sup.status != SupervisionStatus.REPLIED:
            raise TransitionNotAllowed(gettext("被督办单位回复后才能办结。"), code="supervision_not_replied")
        sup.status = SupervisionStatus.CLOSED
        sup.closed_at, sup.closed_by, sup.closing_note = timezone.now(), actor.user, note
        sup.save()
        _event(
            actor,
            sup,
            "supervision_close",
            old={"status": SupervisionStatus.REPLIED},
            new={"status": sup.status},
            reason=note,
        )
    return sup


def supervision_reopen(*, actor: Actor, supervision: Supervision, note: str) -> Supervision:
    """The reply does not do: back to the body, with a new reply deadline."""
    _require_supervisor(actor)
    if supervision.issuing_body_id != actor.body.pk:
        raise NotFound()
    note = _text(note, "note", gettext("请说明退回理由。"))
    with transaction.atomic():
        sup = _lock(Supervision, supervision.pk)
        if sup.status != SupervisionStatus.REPLIED:
            raise TransitionNotAllowed(gettext("只能退回已回复的督办。"), code="supervision_not_replied")
        sup.status = SupervisionStatus.OPEN
        sup.reply_due = reply_due_for(_today())
        sup.replied_at = None
        sup.replied_on_time = None
        sup.save()
        _event(
            actor,
            sup,
            "supervision_return",
            new={"status": sup.status, "reply_due": sup.reply_due},
            reason=note,
        )
    return sup


@dataclass
class LadderStats:
    day: date
    proposed: int = 0
    auto_opened: int = 0
    numbers: list[str] = field(default_factory=list)


def supervision_ladder_run(*, day: date | None = None) -> LadderStats:
    """The daily job: every 督办 still unanswered after its reply deadline (counted in working days when it was
    issued) proposes the next rung of the ladder; and, if configured, each red clock without one opens a
    系统督办 at the 信访部门 over the clock's body. Running it twice on a day changes nothing."""
    day = day or _today()
    stats = LadderStats(day=day)
    late = Supervision.objects.filter(
        status=SupervisionStatus.OPEN, reply_due__lt=day, proposed_kind__isnull=True, proposal_dismissed=False
    ).select_related("kind")
    for sup in late:
        nxt = sup.kind.next_rung()
        if nxt is None:
            continue
        with transaction.atomic():
            locked = _lock(Supervision, sup.pk)
            if locked.proposed_kind_id or locked.status != SupervisionStatus.OPEN:
                continue
            locked.proposed_kind, locked.proposed_on = nxt, day
            locked.save(update_fields=["proposed_kind", "proposed_on"])
            _event(
                SYSTEM,
                locked,
                "supervision_escalation_proposed",
                body=locked.issuing_body,
                new={"from": sup.kind.code, "to": nxt.code, "reply_due": locked.reply_due, "day": day},
            )
        stats.proposed += 1
        stats.numbers.append(sup.number)
    if getattr(settings, "XINFANG_SUPERVISION_AUTO_SYSTEM", True):
        stats.auto_opened = _auto_system_supervisions(day)
    return stats


def _supervising_body_for(body: Body) -> Body | None:
    """The 信访部门 that supervises `body`: the one in its region, or — for a 信访部门 itself — the one above."""
    region = body.region
    if body.kind == BodyKind.XINFANG:
        region = region.parent
    while region is not None:
        found = (
            Body.objects.filter(region=region, kind=BodyKind.XINFANG, is_active=True).order_by("pk").first()
        )
        if found is not None and found.pk != body.pk:
            return found
        region = region.parent
    return None


def _auto_system_supervisions(day: date) -> int:

    kind = SupervisionKind.objects.filter(is_active=True).order_by("rung").first()
    if kind is None:
        return 0
    clocks = (
        counted_clocks()
        .filter(light_q(Light.RED, today=day))
        .exclude(pk__in=Supervision.objects.filter(source_clock__isnull=False).values("source_clock_id"))
        .select_related("case", "body", "body__region")
    )
    opened = 0
    calendar = WorkCalendar.from_db()
    over_cache: dict[int, Body | None] = {}
    for clock in clocks:
        if clock.body_id not in over_cache:
            over_cache[clock.body_id] = _supervising_body_for(clock.body)
        over = over_cache[clock.body_id]
        if over is None:
            continue
        actor = Actor(user=None, body=over, roles=frozenset({Role.SUPERVISOR}))
        try:
            with transaction.atomic():
                supervision_issue(
                    actor=actor,
                    kind=kind,
                    body=clock.body,
                    case_numbers=[],
                    reason=SupervisionReason.OVERDUE,
                    requirement=gettext("该事项期限已亮红灯（%(due)s到期），请立即办理并书面回复。")
                    % {"due": clock.due_on.isoformat()},
                    issued_on=day,
                    _auto_clock=clock,
                    _calendar=calendar,
                )
        except (IntegrityError, PermissionDenied):
            continue
        opened += 1
    return opened


def supervision_escalate(*, actor: Actor, supervision: Supervision, requirement: str = "") -> Supervision:
    """Accept the ladder's proposal: the old 督办 is marked escalated and a new one on the next rung opens."""
    _require_supervisor(actor)
    if supervision.issuing_body_id != actor.body.pk:
        raise NotFound()
    with transaction.atomic():
        sup = _lock(Supervision, supervision.pk)
        nxt = sup.proposed_kind or sup.kind.next_rung()
        if sup.status != SupervisionStatus.OPEN or nxt is None:
            raise TransitionNotAllowed(gettext("该督办不能再升级。"), code="supervision_not_escalable")
        sup.status = SupervisionStatus.ESCALATED
        sup.save(update_fields=["status"])
        _event(
            actor,
            sup,
            "supervision_escalate",
            old={"kind": sup.kind.code},
            new={"status": sup.status, "to": nxt.code},
        )
        new = supervision_issue(
            actor=actor,
            kind=nxt,
            body=sup.body,
            case_numbers=list(sup.cases.values_list("number", flat=True)),
            reason=sup.reason,
            requirement=requirement.strip()
            or gettext("原%(kind)s（%(number)s）逾期未回复，升级为%(next)s。")
            % {"kind": sup.kind.name, "number": sup.number, "next": nxt.name},
            escalated_from=sup,
        )
    return new


def supervision_proposal_dismiss(*, actor: Actor, supervision: Supervision, note: str) -> Supervision:
    _require_supervisor(actor)
    if supervision.issuing_body_id != actor.body.pk:
        raise NotFound()
    note = _text(note, "note", gettext("请说明不予升级的理由。"))
    with transaction.atomic():
        sup = _lock(Supervision, supervision.pk)
        sup.proposal_dismissed = True
        sup.save(update_fields=["proposal_dismissed"])
        _event(
            actor,
            sup,
            "supervision_escalation_dismissed",
            new={"proposed": sup.proposed_kind_id},
            reason=note,
        )
    return sup


def supervision_letter(*, actor: Actor, supervision: Supervision, fmt: str = "pdf") -> bytes:
    """The 督办单 of a 发函督办, rendered by the documents app."""

    if not supervision.kind.produces_letter:
        raise ValidationFailed(gettext("只有发函督办出具督办单。"), code="no_letter")
    p = period("supervision_reply")
    cases = list(cases_visible_to(actor).filter(supervisions=supervision).values_list("number", "title"))
    ctx = {
        "issuer": supervision.issuing_body.name,
        "number": supervision.letter_number,
        "title": "信访事项督办单",
        "addressee": supervision.body.name,
        "date": supervision.issued_on,
        "supervision": supervision,
        "cases": cases,
        "period": p,
        "reply_due": supervision.reply_due,
    }
    data = document_render(kind="supervision_order", context=ctx, fmt=fmt)
    _event(
        actor, supervision, "supervision_letter", new={"fmt": fmt, "letter_number": supervision.letter_number}
    )
    return data


# -------------------------------------------------------------------------------------- 建议 (Art. 40)


def recommendation_issue(
    *,
    actor: Actor,
    kind: str,
    body: Body,
    text: str,
    case_numbers: Iterable[str] = (),
    supervision: Supervision | None = None,
) -> Recommendation:
    _require_supervisor(actor)
    if kind not in RecommendationKind.values:
        msg = gettext("请选择建议类别。")
        raise ValidationFailed(msg, extra={"kind": msg})
    text = _text(text, "text", gettext("请填写建议内容。"))
    if body.pk == actor.body.pk or not (_under(body, actor.body) or kind == RecommendationKind.POLICY):
        raise PermissionDenied(
            gettext("只能向本级管辖范围内的其他机关提出建议。"), code="body_not_supervised"
        )
    numbers = [n for n in case_numbers if n and n.strip()]
    cases = _cases_for(actor, numbers) if numbers else []
    today = _today()
    with transaction.atomic():
        rec = Recommendation.objects.create(
            kind=kind,
            issuing_body=actor.body,
            body=body,
            text=text,
            supervision=supervision,
            issued_by=actor.user,
            issued_on=today,
            feedback_due=feedback_due_for(today),
        )
        rec.cases.set(cases)
        _event(
            actor,
            rec,
            "recommendation_issue",
            new={
                "kind": kind,
                "body": body.pk,
                "feedback_due": rec.feedback_due,
                "cases": [c.number for c in cases],
            },
            basis="《信访工作条例》第四十条",
        )
    return rec


def recommendation_feedback(
    *, actor: Actor, recommendation: Recommendation, adoption: str, feedback: str
) -> Recommendation:
    """The body's written feedback on adoption (Art. 40 ¶4)."""
    if actor.body is None or recommendation.body_id != actor.body.pk:
        raise NotFound()
    if adoption not in Adoption.values:
        msg = gettext("请选择采纳情况。")
        raise ValidationFailed(msg, extra={"adoption": msg})
    feedback = _text(feedback, "feedback", gettext("请填写书面反馈。"))
    with transaction.atomic():
        rec = _lock(Recommendation, recommendation.pk)
        if rec.feedback_at is not None:
            raise Conflict(gettext("已反馈过采纳情况。"), code="feedback_given")
        rec.adoption, rec.feedback = adoption, feedback
        rec.feedback_at, rec.feedback_by = timezone.now(), actor.user
        rec.save()
        _event(
            actor,
            rec,
            "recommendation_feedback",
            new={"adoption": adoption, "on_time": timezone.localdate() <= rec.feedback_due},
            basis="《信访工作条例》第四十条第四款",
        )
    return rec


# ------------------------------------------------------------------------------------------------ 包案


def _step_dates(start: date, span_days: int = 60) -> dict[str, date]:
    """Default dated steps spread over the plan: grasp soon, settle at the end."""
    q = max(span_days // 4, 1)
    return {
        StepKind.GRASP: start + timedelta(days=q // 2 or 1),
        StepKind.EDUCATE: start + timedelta(days=q),
        StepKind.RESOLVE: start + timedelta(days=2 * q),
        StepKind.SETTLE: start + timedelta(days=span_days),
    }


def _leader_membership(leader: User, body: Body | None = None) -> Membership:
    qs = Membership.objects.filter(user=leader, role=Role.LEADER).select_related("body", "body__region")
    if body is not None:
        qs = qs.filter(body=body)
    m = qs.order_by("pk").first()
    if m is None:
        msg = gettext("所选人员不是领导。")
        raise ValidationFailed(msg, code="not_a_leader", extra={"leader": msg})
    return m


def leader_case_open(
    *,
    actor: Actor,
    case: Case,
    leader: User | None = None,
    plan: str,
    step_dates: dict[str, date] | None = None,
    level: str = LeaderCaseLevel.ORDINARY,
    raised_from: LeaderCase | None = None,
    renewals: dict[str, str] | None = None,
) -> LeaderCase:
    """A leader takes a visible case (a leader for themself; a supervisor assigns a leader of their region)."""
    leader = leader or actor.user
    if leader == actor.user:
        actor.require_role(Role.LEADER, Role.SUPERVISOR)
    else:
        _require_supervisor(actor)
    case = case_get_for_actor(actor=actor, pk=case.pk, log_read=False)
    membership = _leader_membership(leader, actor.body if leader == actor.user else None)
    if (
        leader != actor.user
        and not _under(membership.body, actor.body)
        and not _under(actor.body, membership.body)
    ):
        raise PermissionDenied(gettext("只能请本地区的领导包案。"), code="leader_out_of_region")
    plan = _text(plan, "plan", gettext("请填写一案一策化解方案。"))
    today = _today()
    dates = {**_step_dates(today), **(step_dates or {})}
    with transaction.atomic():
        try:
            with transaction.atomic():
                lc = LeaderCase.objects.create(
                    case=case,
                    leader=leader,
                    leader_body=membership.body,
                    level=level,
                    raised_from=raised_from,
                    plan=plan,
                    renewals=renewals or {},
                    opened_by=actor.user,
                )
        except IntegrityError:
            raise Conflict(gettext("该领导已在包案此事项。"), code="leader_case_exists") from None
        LeaderCaseStep.objects.bulk_create(
            [LeaderCaseStep(leader_case=lc, kind=k, planned_on=dates[k]) for k in StepKind.values]
        )
        _event(
            actor,
            lc,
            "leader_case_open",
            new={
                "case": case.number,
                "leader": leader.pk,
                "level": level,
                "steps": {k: dates[k].isoformat() for k in StepKind.values},
            },
        )
    return lc


def _own_leader_case(actor: Actor, leader_case: LeaderCase) -> LeaderCase:
    if actor.user is None or (
        leader_case.leader_id != actor.user.pk
        and not (
            actor.has_role(Role.SUPERVISOR)
            and leader_case.leader_body.region.path.startswith(actor.body.region.path)
        )
    ):
        raise NotFound()
    return leader_case


def leader_case_step_record(
    *, actor: Actor, leader_case: LeaderCase, kind: str, note: str, done_on: date | None = None
) -> LeaderCaseStep:
    _own_leader_case(actor, leader_case)
    note = _text(note, "note", gettext("请填写该环节的工作情况。"))
    with transaction.atomic():
        lc = _lock(LeaderCase, leader_case.pk)
        if lc.status != LeaderCaseStatus.ACTIVE:
            raise TransitionNotAllowed(gettext("包案已结束。"), code="leader_case_closed")
        step = LeaderCaseStep.objects.select_for_update().filter(leader_case=lc, kind=kind).first()
        if step is None:
            raise ValidationFailed(gettext("未知的包案环节。"), code="unknown_step")
        step.done_on = done_on or _today()
        step.note = note
        step.save()
        _event(actor, lc, "leader_case_step", new={"step": kind, "done_on": step.done_on, "note": note})
    return step


def leader_case_note_add(*, actor: Actor, leader_case: LeaderCase, text: str) -> LeaderCaseNote:
    _own_leader_case(actor, leader_case)
    text = _text(text, "text", gettext("请填写进展情况。"))
    with transaction.atomic():
        lc = _lock(LeaderCase, leader_case.pk)
        note = LeaderCaseNote.objects.create(leader_case=lc, text=text, by=actor.user)
        _event(actor, lc, "leader_case_note", new={"text": text})
    return note


def leader_case_close(*, actor: Actor, leader_case: LeaderCase, resolved: bool, outcome: str) -> LeaderCase:
    _own_leader_case(actor, leader_case)
    outcome = _text(outcome, "outcome", gettext("请填写化解结果。"))
    with transaction.atomic():
        lc = _lock(LeaderCase, leader_case.pk)
        if lc.status != LeaderCaseStatus.ACTIVE:
            raise TransitionNotAllowed(gettext("包案已结束。"), code="leader_case_closed")
        lc.status = LeaderCaseStatus.RESOLVED if resolved else LeaderCaseStatus.UNRESOLVED
        lc.outcome_note, lc.closed_at = outcome, timezone.now()
        lc.save()
        _event(
            actor,
            lc,
            "leader_case_close",
            old={"status": LeaderCaseStatus.ACTIVE},
            new={"status": lc.status, "outcome": outcome},
        )
    return lc


# ------------------------------------------------------------------------------------------------ 倒流


def _earlier_done(case: Case) -> tuple[Case, str] | None:
    """The earlier, already 办结 case on the same matter: the registration's repeat link first, else the same
    similarity the registration uses (xinfang.cases.services.register.repeat_candidates)."""
    if case.repeat_of_id:
        earlier = Case.objects.filter(pk=case.repeat_of_id).only("pk", "state", "number").first()
        if earlier is not None and earlier.state in DONE_STATES:
            return earlier, "repeat_link"

    people = [link.person for link in case.petitioners.select_related("person")]
    if not people:
        return None
    for cand in repeat_candidates(
        people=people,
        problem_region=case.problem_region,
        request=case.request,
        facts=case.facts,
        subject_text=case.subject_text,
        exclude_pk=case.pk,
    ):
        if cand.case.registered_at < case.registered_at and cand.case.state in DONE_STATES:
            return cand.case, "similarity"
    return None


def backflow_detect(*, case: Case) -> Backflow | None:
    """Flag `case` as 倒流 if it repeats a matter already 办结 (idempotent: one flag per case)."""
    if Backflow.objects.filter(case=case).exists():
        return None
    found = _earlier_done(case)
    if found is None:
        return None
    earlier, how = found
    with transaction.atomic():
        try:
            with transaction.atomic():
                bf = Backflow.objects.create(case=case, earlier=earlier, found_by=how)
        except IntegrityError:
            return None
        _event(
            SYSTEM,
            bf,
            "backflow_detect",
            body=case.registering_body,
            new={"case": case.number, "earlier": earlier.number, "found_by": how},
        )
    return bf


def backflow_scan(*, since: date | None = None) -> int:
    """The scan job: every case registered since `since` (default: the last 7 days) that repeats a 办结 matter."""
    since = since or (_today() - timedelta(days=7))

    # Only a case sharing a petitioner with a 办结 case (or linked to one) can be a 倒流: one indexed filter
    # instead of the similarity check on every new case.
    done_people = CasePetitioner.objects.filter(case__state__in=list(DONE_STATES)).values("person_id")
    qs = (
        Case.objects.filter(registered_at__date__gte=since)
        .filter(Q(repeat_of__state__in=list(DONE_STATES)) | Q(petitioners__person_id__in=done_people))
        .exclude(pk__in=Backflow.objects.values("case_id"))
        .distinct()
        .select_related("problem_region")
        .order_by("pk")
    )
    return sum(1 for c in qs.iterator(chunk_size=500) if backflow_detect(case=c) is not None)


def backflow_raise(
    *, actor: Actor, backflow: Backflow, leader: User, plan: str, renewals: dict[str, str]
) -> LeaderCase:
    """提级包案: the 倒流 case goes to a higher leader with a new 一案一策 and the 五个重新 recorded."""
    _require_supervisor(actor)
    missing = [gettext(label) for key, label in FIVE_RENEWALS if not (renewals.get(key) or "").strip()]
    if missing:
        msg = gettext("请逐项填写“五个重新”：%(m)s。") % {"m": "、".join(missing)}
        raise ValidationFailed(msg, code="renewals_missing", extra={"renewals": msg})
    previous = (
        LeaderCase.objects.filter(case_id__in=[backflow.earlier_id, backflow.case_id])
        .select_related("leader_body__region")
        .order_by("-opened_at")
        .first()
    )
    membership = _leader_membership(leader)
    if previous is not None:
        higher = LEVEL_ORDER.index(RegionLevel(membership.body.region.level)) < LEVEL_ORDER.index(
            RegionLevel(previous.leader_body.region.level)
        )
        if not higher:
            msg = gettext("提级包案须由更高一级的领导包案。")
            raise ValidationFailed(msg, code="leader_not_higher", extra={"leader": msg})
    with transaction.atomic():
        bf = _lock(Backflow, backflow.pk)
        if bf.status != BackflowStatus.FLAGGED:
            raise TransitionNotAllowed(gettext("该倒流事项已处理。"), code="backflow_handled")
        lc = leader_case_open(
            actor=actor,
            case=bf.case,
            leader=leader,
            plan=plan,
            level=LeaderCaseLevel.RAISED,
            raised_from=previous,
            renewals={k: renewals[k].strip() for k, _ in FIVE_RENEWALS},
        )
        bf.status, bf.leader_case = BackflowStatus.RAISED, lc
        bf.save(update_fields=["status", "leader_case"])
        _event(actor, bf, "backflow_raise", new={"leader_case": lc.pk, "leader": leader.pk})
    return lc


def backflow_dismiss(*, actor: Actor, backflow: Backflow, note: str) -> Backflow:
    _require_supervisor(actor)
    note = _text(note, "note", gettext("请说明不予提级的理由。"))
    with transaction.atomic():
        bf = _lock(Backflow, backflow.pk)
        if bf.status != BackflowStatus.FLAGGED:
            raise TransitionNotAllowed(gettext("该倒流事项已处理。"), code="backflow_handled")
        bf.status, bf.note = BackflowStatus.DISMISSED, note
        bf.save(update_fields=["status", "note"])
        _event(actor, bf, "backflow_dismiss", reason=note)
    return bf


# --------------------------------------------------------------------------------------- 积案 campaigns


def campaign_create(
    *, actor: Actor, name: str, ends_on: date, description: str = "", started_on: date | None = None
) -> Campaign:
    actor.require_role(Role.SUPERVISOR, Role.LEADER)
    name = _text(name, "name", gettext("请填写专项行动名称。"))
    started_on = started_on or _today()
    if ends_on < started_on:
        msg = gettext("清零期限不能早于开始日期。")
        raise ValidationFailed(msg, extra={"ends_on": msg})
    with transaction.atomic():
        c = Campaign.objects.create(
            name=name,
            issuing_body=actor.body,
            description=description.strip(),
            started_on=started_on,
            ends_on=ends_on,
            created_by=actor.user,
        )
        _event(actor, c, "campaign_create", new={"name": name, "ends_on": ends_on})
    return c


def _own_campaign(actor: Actor, campaign: Campaign) -> None:
    if (
        actor.body is None
        or campaign.issuing_body_id != actor.body.pk
        or not actor.has_role(Role.SUPERVISOR, Role.LEADER)
    ):
        raise NotFound()


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass(frozen=True)
class BatchRow:
    case_id: int
    body_id: int
    leader_name: str
    due_on: date


IMPORT_HEADERS = ("事项编号", "责任单位", "包案领导", "化解期限")
CHUNK = 2000
LARGE_BATCH = 5000


def _parse_date(value) -> date | None:

    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def campaign_rows_validate(
    *, actor: Actor, campaign: Campaign, rows: list[tuple]
) -> tuple[list[BatchRow], list[RowError]]:
    """Check every row before anything is written. `rows` are (事项编号, 责任单位, 包案领导, 化解期限) from row 2 on.
    A row's case must be visible to the issuing body and not already in the campaign; the body is named by its
    code or full name and lies under the issuing body; the deadline is a date not before the campaign began."""
    numbers = {str(r[0]).strip() for r in rows if r and r[0]}
    visible: dict[str, int] = {}
    numbers_list = sorted(numbers)
    # Numbers to ids through the unique index, then one visibility check: for a large batch a single pass over
    # the ids the body may see beats asking the (OR-heavy) visibility query once per chunk.
    found: dict[str, int] = {}
    for i in range(0, len(numbers_list), CHUNK):
        found.update(Case.objects.filter(number__in=numbers_list[i : i + CHUNK]).values_list("number", "pk"))
    base = cases_visible_to(actor)
    if len(found) > LARGE_BATCH:
        seen_ids = set(base.values_list("pk", flat=True).iterator(chunk_size=10_000))
    else:
        ids = list(found.values())
        seen_ids = set()
        for i in range(0, len(ids), CHUNK):
            seen_ids.update(base.filter(pk__in=ids[i : i + CHUNK]).values_list("pk", flat=True))
    visible = {n: pk for n, pk in found.items() if pk in seen_ids}
    already = set(CampaignCase.objects.filter(campaign=campaign).values_list("case_id", flat=True))
    names = {str(r[1]).strip() for r in rows if len(r) > 1 and r[1]}
    bodies: dict[str, Body] = {}
    for b in Body.objects.filter(Q(code__in=names) | Q(name__in=names)).select_related("region"):
        bodies[b.code] = b
        bodies[b.name] = b
    good: list[BatchRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(rows, start=2):
        raw = tuple(raw) + (None,) * (4 - len(raw))
        number, body_name, leader_name, due_raw = (raw[0], raw[1], raw[2], raw[3])
        if not any(v not in (None, "") for v in raw[:4]):
            continue
        number = str(number or "").strip()
        problems = []
        if not number:
            problems.append(gettext("缺少事项编号"))
        elif number in seen:
            problems.append(gettext("事项编号与第%(r)s行重复") % {"r": seen[number]})
        elif number not in visible:
            problems.append(gettext("事项编号“%(n)s”不存在或无权查看") % {"n": number})
        elif visible[number] in already:
            problems.append(gettext("事项“%(n)s”已在本专项行动中") % {"n": number})
        if number:
            seen.setdefault(number, n)
        body = bodies.get(str(body_name or "").strip())
        if body is None:
            problems.append(gettext("责任单位“%(b)s”不存在") % {"b": str(body_name or "").strip()})
        elif not _under(body, campaign.issuing_body):
            problems.append(gettext("责任单位“%(b)s”不在交办机关辖区内") % {"b": body.name})
        due = _parse_date(due_raw)
        if due is None:
            problems.append(gettext("化解期限不是日期（应为 YYYY-MM-DD）"))
        elif due < campaign.started_on:
            problems.append(gettext("化解期限早于专项行动开始日期"))
        leader_name = str(leader_name or "").strip()
        if len(leader_name) > 50:
            problems.append(gettext("包案领导姓名过长"))
        if problems:
            errors.append(RowError(row=n, message="；".join(problems)))
        else:
            good.append(
                BatchRow(case_id=visible[number], body_id=body.pk, leader_name=leader_name, due_on=due)
            )
    if not good and not errors:
        errors.append(RowError(row=0, message=gettext("表格中没有事项。")))
    return good, errors


def campaign_import_excel(
    *, actor: Actor, campaign: Campaign, file, handed_down_on: date | None = None
) -> Batch:
    """A batch from an Excel ledger (columns: 事项编号, 责任单位, 包案领导, 化解期限; a header row first). Every row
    is checked first; with any bad row nothing is written and the error names each bad row."""
    # openpyxl takes ~0.4 s to import: loaded only when a workbook is read or written
    from openpyxl import load_workbook

    _own_campaign(actor, campaign)
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        msg = gettext("无法读取该文件，请上传 .xlsx 格式的台账。")
        raise ValidationFailed(msg, code="not_a_workbook", extra={"file": msg}) from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = [str(v or "").strip() for v in next(it, ())]
    if tuple(header[:4]) != IMPORT_HEADERS:
        msg = gettext("表头应为：%(h)s。") % {"h": "、".join(IMPORT_HEADERS)}
        raise ValidationFailed(msg, code="bad_header", extra={"file": msg})
    rows = [tuple(r[:4]) for r in it]
    wb.close()
    return campaign_batch_add(
        actor=actor, campaign=campaign, rows=rows, source="excel", handed_down_on=handed_down_on
    )


def campaign_batch_add(
    *,
    actor: Actor,
    campaign: Campaign,
    rows: list[tuple],
    source: str,
    handed_down_on: date | None = None,
    rule: dict | None = None,
) -> Batch:
    _own_campaign(actor, campaign)
    good, errors = campaign_rows_validate(actor=actor, campaign=campaign, rows=rows)
    if errors:
        lines = [
            (gettext("第%(r)s行：%(m)s") % {"r": e.row, "m": e.message}) if e.row else e.message
            for e in errors
        ]
        raise ValidationFailed(
            gettext("导入未完成，共%(n)s行有误，未导入任何事项：") % {"n": len(errors)}
            + "\n".join(lines[:50]),
            code="import_rows_invalid",
            extra={"rows": [{"row": e.row, "message": e.message} for e in errors]},
        )
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        number = (campaign.batches.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        batch = Batch.objects.create(
            campaign=campaign,
            number=number,
            handed_down_on=handed_down_on or _today(),
            source=source,
            rule=rule or {},
        )
        CampaignCase.objects.bulk_create(
            [
                CampaignCase(
                    campaign=campaign,
                    batch=batch,
                    case_id=r.case_id,
                    responsible_body_id=r.body_id,
                    leader_name=r.leader_name,
                    due_on=r.due_on,
                )
                for r in good
            ],
            batch_size=2000,
        )
        ids = [r.case_id for r in good]
        for i in range(0, len(ids), CHUNK):
            Case.objects.filter(pk__in=ids[i : i + CHUNK], is_backlog=False).update(is_backlog=True)
        _event(
            actor,
            batch,
            "campaign_batch_add",
            new={
                "campaign": campaign.pk,
                "number": number,
                "cases": len(good),
                "source": source,
                "rule": rule or {},
            },
        )
    return batch


def campaign_rule_candidates(
    *, actor: Actor, open_days_over: int, repeated_at_least: int = 0, today: date | None = None
):
    """积案 by rule: the visible open cases registered more than N days ago (and repeated at least k times)."""

    today = today or _today()
    if open_days_over < 0 or repeated_at_least < 0:
        raise ValidationFailed(gettext("天数和次数不能为负数。"), code="bad_rule")
    qs = cases_visible_to(actor).filter(
        state__in=[s.value for s in OPEN_STATES],
        registered_at__date__lt=today - timedelta(days=open_days_over),
    )
    if repeated_at_least:
        qs = qs.annotate(times=Count("repeats", distinct=True)).filter(times__gte=repeated_at_least)
    return qs


def campaign_batch_by_rule(
    *,
    actor: Actor,
    campaign: Campaign,
    open_days_over: int,
    repeated_at_least: int = 0,
    due_on: date,
    limit: int = 5000,
) -> Batch:
    _own_campaign(actor, campaign)
    qs = campaign_rule_candidates(
        actor=actor, open_days_over=open_days_over, repeated_at_least=repeated_at_least
    )
    qs = qs.exclude(pk__in=CampaignCase.objects.filter(campaign=campaign).values("case_id"))
    picked = list(qs.order_by("registered_at", "pk").values_list("number", "current_body__code")[:limit])
    if not picked:
        raise ValidationFailed(gettext("没有符合条件的事项。"), code="rule_empty")
    rows = [(number, body, "", due_on) for number, body in picked]
    return campaign_batch_add(
        actor=actor,
        campaign=campaign,
        rows=rows,
        source="rule",
        rule={"open_days_over": open_days_over, "repeated_at_least": repeated_at_least},
    )


def _own_item(actor: Actor, item: CampaignCase) -> None:
    if actor.body is None or item.responsible_body_id != actor.body.pk:
        raise NotFound()


def campaign_progress_add(*, actor: Actor, item: CampaignCase, text: str) -> CampaignProgress:
    _own_item(actor, item)
    text = _text(text, "text", gettext("请填写化解进展。"))
    with transaction.atomic():
        locked = _lock(CampaignCase, item.pk)
        p = CampaignProgress.objects.create(item=locked, text=text, by=actor.user)
        _event(actor, locked, "campaign_progress", new={"text": text})
    return p


def campaign_result_report(
    *, actor: Actor, item: CampaignCase, result: str, text: str, evidence: str
) -> CampaignCase:
    """The responsible body reports the 化解 result with its evidence; the higher level then signs it off."""
    _own_item(actor, item)
    if result not in CampaignResult.values:
        msg = gettext("请选择化解结果。")
        raise ValidationFailed(msg, extra={"result": msg})
    text = _text(text, "text", gettext("请填写化解情况。"))
    evidence = _text(evidence, "evidence", gettext("请列明佐证材料。"))
    with transaction.atomic():
        locked = _lock(CampaignCase, item.pk)
        if locked.signed_off_at is not None:
            raise TransitionNotAllowed(gettext("已审核销号，不能再修改。"), code="item_signed_off")
        locked.result, locked.result_text, locked.evidence = result, text, evidence
        locked.result_at = timezone.now()
        locked.save()
        _event(actor, locked, "campaign_result", new={"result": result, "evidence": evidence})
    return locked


def campaign_sign_off(*, actor: Actor, item: CampaignCase, approve: bool, note: str = "") -> CampaignCase:
    """The higher level's sign-off (审核销号). A refusal sends the result back to the body."""
    campaign = item.campaign
    _own_campaign(actor, campaign)
    with transaction.atomic():
        locked = _lock(CampaignCase, item.pk)
        if not locked.result:
            raise TransitionNotAllowed(gettext("责任单位尚未报送化解结果。"), code="no_result")
        if locked.signed_off_at is not None:
            raise Conflict(gettext("已审核销号。"), code="item_signed_off")
        if approve:
            locked.signed_off_at, locked.signed_off_by = timezone.now(), actor.user
            action = "campaign_sign_off"
        else:
            note = _text(note, "note", gettext("请说明退回理由。"))
            locked.result, locked.result_at = "", None
            action = "campaign_sign_off_refused"
        locked.save()
        _event(actor, locked, action, new={"approve": approve}, reason=note)
    return locked


def campaign_clear(*, actor: Actor, campaign: Campaign) -> Campaign:
    """清零: only when every case of every batch has a signed-off result."""
    _own_campaign(actor, campaign)
    with transaction.atomic():
        c = _lock(Campaign, campaign.pk)
        if c.cleared_at is not None:
            raise Conflict(gettext("该专项行动已清零。"), code="campaign_cleared")
        total = CampaignCase.objects.filter(campaign=c).count()
        left = CampaignCase.objects.filter(campaign=c, signed_off_at__isnull=True).count()
        if total == 0 or left:
            raise TransitionNotAllowed(
                gettext("尚有%(n)s件事项未审核销号，不能清零。") % {"n": left if total else 0},
                code="campaign_not_clear",
                extra={"left": left, "total": total},
            )
        c.cleared_at = timezone.now()
        c.save(update_fields=["cleared_at"])
        _event(actor, c, "campaign_clear", new={"cases": total})
    return c


# ----------------------------------------------------------------------------------- 领导接访日, 下访


def _months_between(year: int, every: int) -> list[int]:
    return list(range(1, 13, every))


def reception_schedule_generate(
    *, actor: Actor, leader: User, year: int, place: str, slots: int = 6, first_slot: time = time(9, 0)
) -> list[LeaderReception]:
    """A year's 领导接访日 for a leader: every N months by the leader's level (settings
    XINFANG_LEADER_RECEPTION_EVERY_MONTHS: city quarterly, county monthly), on the first working Wednesday of the
    month (or the first working day after it), each with bookable half-hour slots."""
    actor.require_role(Role.SUPERVISOR, Role.LEADER)
    membership = _leader_membership(leader)
    if not (_under(membership.body, actor.body) or membership.body == actor.body or leader == actor.user):
        raise PermissionDenied(gettext("只能为本地区的领导安排接访日。"), code="leader_out_of_region")
    place = _text(place, "place", gettext("请填写接访地点。"))
    every = settings.XINFANG_LEADER_RECEPTION_EVERY_MONTHS.get(membership.body.region.level, 1)
    cal = WorkCalendar.from_db()
    out = []
    with transaction.atomic():
        for month in _months_between(year, every):
            d = date(year, month, 1)
            while d.weekday() != 2:
                d += timedelta(days=1)
            while not cal.is_workday(d):
                d += timedelta(days=1)
            if LeaderReception.objects.filter(
                leader=leader, date=d, kind=ReceptionKind.RECEPTION_DAY
            ).exists():
                continue
            r = LeaderReception.objects.create(
                leader=leader,
                leader_body=membership.body,
                kind=ReceptionKind.RECEPTION_DAY,
                date=d,
                place=place,
            )
            ReceptionSlot.objects.bulk_create(
                [
                    ReceptionSlot(
                        reception=r,
                        starts_at=(datetime.combine(d, first_slot) + timedelta(minutes=30 * i)).time(),
                    )
                    for i in range(slots)
                ]
            )
            out.append(r)
        _event(
            actor,
            leader,
            "reception_schedule",
            new={"year": year, "every_months": every, "days": [r.date.isoformat() for r in out]},
        )
    return out


def reception_record(
    *,
    actor: Actor,
    kind: str,
    on: date,
    place: str,
    topic: str = "",
    joint_bodies: str = "",
    notes: str = "",
    leader: User | None = None,
) -> LeaderReception:
    """A 下访 or 联合接访 (or a one-off reception day), recorded by the leader or a supervisor."""
    actor.require_role(Role.LEADER, Role.SUPERVISOR)
    if kind not in ReceptionKind.values:
        raise ValidationFailed(gettext("未知的接访类别。"), extra={"kind": gettext("未知的接访类别。")})
    leader = leader or actor.user
    membership = _leader_membership(leader)
    place = _text(place, "place", gettext("请填写接访地点。"))
    if kind == ReceptionKind.JOINT and not joint_bodies.strip():
        msg = gettext("联合接访须填写参加单位。")
        raise ValidationFailed(msg, extra={"joint_bodies": msg})
    with transaction.atomic():
        r = LeaderReception.objects.create(
            leader=leader,
            leader_body=membership.body,
            kind=kind,
            date=on,
            place=place,
            topic=topic.strip(),
            joint_bodies=joint_bodies.strip(),
            notes=notes.strip(),
        )
        _event(actor, r, "reception_record", new={"kind": kind, "date": on, "leader": leader.pk})
    return r


def _own_reception(actor: Actor, reception: LeaderReception) -> None:
    if actor.body is None or not (
        reception.leader_id == getattr(actor.user, "pk", None)
        or (actor.has_role(Role.SUPERVISOR) and _under(reception.leader_body, actor.body))
    ):
        raise NotFound()


def reception_publish(*, actor: Actor, reception: LeaderReception, published: bool = True) -> LeaderReception:
    _own_reception(actor, reception)
    with transaction.atomic():
        r = _lock(LeaderReception, reception.pk)
        r.published = published
        r.save(update_fields=["published"])
        _event(actor, r, "reception_publish", new={"published": published})
    return r


def reception_case_tag(*, actor: Actor, reception: LeaderReception, case_number: str) -> ReceivedCase:
    """Tag a case as received at this reception (its outcome then counts for the reception)."""
    _own_reception(actor, reception)
    case = _cases_for(actor, [case_number])[0]
    with transaction.atomic():
        rc, created = ReceivedCase.objects.get_or_create(reception=reception, case=case)
        if created:
            _event(actor, reception, "reception_case_tag", new={"case": case.number})
    return rc


def reception_book(*, slot_id: int, name: str, phone: str, matter: str) -> ReceptionSlot:
    """A petitioner books a published slot on the portal; returns the slot with its 预约码."""

    name = (name or "").strip()
    phone = re.sub(r"\s", "", phone or "")
    matter = (matter or "").strip()
    errors = {}
    if not name or len(name) > 50:
        errors["name"] = gettext("请填写姓名。")
    if not re.fullmatch(r"1\d{10}|0\d{9,11}", phone):
        errors["phone"] = gettext("请填写正确的联系电话。")
    if not matter or len(matter) > 300:
        errors["matter"] = gettext("请简要说明反映的事项（300字以内）。")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), extra=errors)
    with transaction.atomic():
        slot = (
            ReceptionSlot.objects.select_for_update()
            .filter(pk=slot_id, reception__published=True, reception__date__gte=_today())
            .first()
        )
        if slot is None:
            raise NotFound()
        if slot.booked_at is not None:
            raise Conflict(gettext("该时段已被预约，请选择其他时段。"), code="slot_taken")
        slot.booked_name, slot.booked_phone, slot.booked_matter = name, phone, matter
        slot.booked_at = timezone.now()
        slot.booking_code = secrets.token_hex(4).upper()
        slot.save()
        event_record(
            actor=None,
            actor_label="信访人",
            body=slot.reception.leader_body,
            obj=slot,
            action="reception_book",
            new={"reception": slot.reception_id, "starts_at": slot.starts_at.isoformat()},
        )
    return slot


# ------------------------------------------------------------------------------------------------ 调度会


@dataclass(frozen=True)
class FollowUpInput:
    task: str
    owner_body: Body
    due_on: date
    case_number: str = ""
    owner: User | None = None


def meeting_record(
    *,
    actor: Actor,
    held_on: date,
    title: str,
    participants: str,
    decisions: str,
    cases: dict[str, str],
    followups: list[FollowUpInput],
) -> Meeting:
    """A 调度会: the cases analysed (number → analysis), the decisions, and follow-ups with owners and deadlines
    that appear in the owners' to-dos."""
    actor.require_role(Role.SUPERVISOR, Role.LEADER)
    title = _text(title, "title", gettext("请填写会议名称。"))
    participants = _text(participants, "participants", gettext("请填写参会人员。"))
    decisions = _text(decisions, "decisions", gettext("请填写会议决定。"))
    found = {c.number: c for c in _cases_for(actor, list(cases))} if cases else {}
    for f in followups:
        if not f.task.strip():
            raise ValidationFailed(
                gettext("落实事项须写明工作任务。"), extra={"followups": gettext("落实事项须写明工作任务。")}
            )
        if not (_under(f.owner_body, actor.body) or f.owner_body == actor.body):
            raise PermissionDenied(gettext("落实事项的责任单位须在本级辖区内。"), code="body_not_supervised")
        if f.case_number and f.case_number not in found:
            found.update({c.number: c for c in _cases_for(actor, [f.case_number])})
    with transaction.atomic():
        m = Meeting.objects.create(
            body=actor.body,
            held_on=held_on,
            title=title,
            participants=participants,
            decisions=decisions,
            recorded_by=actor.user,
        )
        MeetingCase.objects.bulk_create(
            [MeetingCase(meeting=m, case=found[n], analysis=(a or "").strip()) for n, a in cases.items()]
        )
        FollowUp.objects.bulk_create(
            [
                FollowUp(
                    meeting=m,
                    case=found.get(f.case_number) if f.case_number else None,
                    task=f.task.strip(),
                    owner_body=f.owner_body,
                    owner=f.owner,
                    due_on=f.due_on,
                )
                for f in followups
            ]
        )
        _event(
            actor,
            m,
            "meeting_record",
            new={"held_on": held_on, "cases": list(cases), "followups": len(followups)},
        )
    return m


def followup_done(*, actor: Actor, followup: FollowUp, note: str) -> FollowUp:
    if actor.body is None or followup.owner_body_id != actor.body.pk:
        raise NotFound()
    note = _text(note, "note", gettext("请填写完成情况。"))
    with transaction.atomic():
        f = _lock(FollowUp, followup.pk)
        if f.done_at is not None:
            raise Conflict(gettext("该事项已完成。"), code="followup_done")
        f.done_at, f.done_note = timezone.now(), note
        f.save(update_fields=["done_at", "done_note"])
        _event(actor, f, "followup_done", new={"note": note})
    return f
