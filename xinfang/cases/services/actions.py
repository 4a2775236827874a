"""Every action on a case after registration, through one path: lock, check the table, apply, clocks,
event, notice — all in one transaction, or nothing."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from copy import deepcopy
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.confidentiality import accusation_hidden_from
from xinfang.cases.models import (
    DIVERTING_ROUTES,
    Case,
    CasePetitioner,
    Outcome,
    PetitionType,
    Route,
    State,
)
from xinfang.cases.services.notices import notice_issue
from xinfang.cases.workflow import (
    BY_ACTION,
    PETITIONER_WINDOWS,
    ActingBody,
    ClockKind,
    Transition,
)
from xinfang.core.audit import events_chained_last
from xinfang.core.db import Prepared, first_of, related, retry_on_deadlock
from xinfang.core.errors import (
    ConfidentialityViolation,
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
    WindowClosed,
)
from xinfang.core.events import event_record
from xinfang.core.i18n import message_date
from xinfang.core.notify import sms_send_many
from xinfang.core.periods import period
from xinfang.deadlines.calendar import MAX_EXTENSION_DAYS, WorkCalendar, local_date
from xinfang.deadlines.clocks import (
    case_due_batch,
    clock_extend,
    clock_move_body,
    clock_pause,
    clock_resume,
    clock_start,
    clock_start_until,
    clock_stop,
    evaluation_window_days,
)
from xinfang.deadlines.models import Clock
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, BodyKind, Role
from xinfang.orgs.selectors import bodies_common_superior, body_superior

# Whether the petitioner has said they are satisfied with the answer, as (case) -> bool: xinfang.evaluation
# registers its check here in EvaluationConfig.ready (a hook — evaluation sits above cases, which does not
# import it). No check registered: nobody has said so, and 办结 waits for the window to run out.
SATISFACTION_CHECKS: list[Any] = []

APPEAL_OUTCOMES = {Outcome.SUPPORT, Outcome.EXPLAIN, Outcome.NOT_SUPPORT, Outcome.PERFORMED}
SUGGESTION_OUTCOMES = {Outcome.ADOPTED, Outcome.PARTLY_ADOPTED, Outcome.NOT_ADOPTED}
DECISION_OUTCOMES = {Outcome.SUPPORT, Outcome.EXPLAIN, Outcome.NOT_SUPPORT}


@dataclass
class Applied:
    """What a handler decided beyond the table: fields to log, the notice's context and next right."""

    changes: dict[str, Any]
    notice_context: dict[str, Any]
    next_right: str = ""
    next_right_clock: ClockKind | None = None
    assignment_due: date | None = None


# ---------------------------------------------------------------------------------------------- checks


ACTING_FIELDS = {
    ActingBody.SENDER: "sender_body",
    ActingBody.REGISTERING: "registering_body",
    ActingBody.COMMON_SUPERIOR: "dispute_body",
}


def acting_field(transition: Transition) -> str:
    """The case's field naming the body that takes this action (the holder unless the table says otherwise)."""
    return ACTING_FIELDS.get(transition.acting_body, "current_body")


def acting_body_for(case: Case, transition: Transition) -> Body | None:
    return getattr(case, acting_field(transition))


def _guard(condition: bool, message: str, code: str) -> None:
    if not condition:
        raise TransitionNotAllowed(message, code=code)


# The named conditions of the table's `guards` column.
GUARDS: dict[str, Callable[[Case], None]] = {
    "several_bodies": lambda case: _guard(
        case.co_bodies.exists(),
        gettext("该事项只涉及一个机关，无需确定牵头机关（第二十四条）。"),
        "single_body",
    ),
    "route_six": lambda case: _guard(
        case.route == Route.HANDLE,
        gettext("只有按第三十一条第（六）项办理的事项可以延期（第三十四条）。"),
        "extension_not_applicable",
    ),
    "not_extended": lambda case: _guard(
        not case.extension_days, gettext("办理期限只能延长一次（第三十四条）。"), "already_extended"
    ),
    "no_hearing_running": lambda case: _guard(
        not case.in_hearing, gettext("听证尚未结束，请先结束听证。"), "hearing_running"
    ),
    "hearing_running": lambda case: _guard(case.in_hearing, gettext("没有进行中的听证。"), "no_hearing"),
    "in_dispute": lambda case: _guard(
        case.dispute_body_id is not None,
        gettext("没有待决定的受理争议（第二十四条）。"),
        "no_dispute",
    ),
    "not_in_dispute": lambda case: _guard(
        case.dispute_body_id is None,
        gettext("受理争议已报共同上级机关，待其决定（第二十四条）。"),
        "dispute_open",
    ),
    # The routes of Art. 31 and the mediation of Art. 33 are for 申诉求决类 matters only.
    "appeal": lambda case: _guard(
        case.petition_type == PetitionType.APPEAL,
        gettext("只有申诉求决类事项适用此程序（《信访工作条例》第三十一条、第三十三条）。"),
        "appeal_only",
    ),
    # 复查 follows a 信访处理意见 on a 申诉求决 matter (Art. 35); a suggestion is studied and replied to
    # (Art. 29), an accusation handled by the discipline rules (Art. 30): neither opens a 复查.
    "reviewable": lambda case: _guard(
        case.petition_type == PetitionType.APPEAL,
        gettext("复查适用于对申诉求决类事项的信访处理意见不服的情形（《信访工作条例》第三十五条）。"),
        "not_reviewable",
    ),
    "hearing_applicable": lambda case: _guard(
        case.state != State.ACCEPTED or case.route == Route.HANDLE,
        gettext("听证适用于按第三十一条第（六）项办理的事项。"),
        "hearing_not_applicable",
    ),
}


def check_allowed(case: Case, actor: Actor, transition: Transition) -> None:
    """Refuse, with a reason, whatever the table does not allow this actor now. Changes nothing."""
    if case.state not in transition.source_values:
        raise TransitionNotAllowed(
            gettext("事项当前状态为“%(state)s”，不能“%(action)s”。")
            % {"state": gettext(State(case.state).label), "action": gettext(transition.label)},
            code="transition_not_allowed",
        )
    for name in transition.guards:
        GUARDS[name](case)
    if actor.petitioner:
        if not transition.petitioner_may:
            raise PermissionDenied(
                gettext("信访人不能办理“%(action)s”。") % {"action": gettext(transition.label)},
                code="petitioner_not_allowed",
            )
        return
    field = acting_field(transition)
    expected_id = getattr(case, f"{field}_id")
    if actor.body is None or expected_id is None or actor.body.pk != expected_id:
        expected = getattr(case, field)
        raise PermissionDenied(
            gettext("“%(action)s”应由%(expected)s办理，您当前代表%(current)s。")
            % {
                "action": gettext(transition.label),
                "expected": expected.name if expected else gettext("有关机关"),
                "current": actor.body.name if actor.body else gettext("未选择机关"),
            },
            code="wrong_body",
        )
    actor.require_role(*transition.roles)
    setattr(case, field, actor.body)  # the same row, already loaded: the action reads it without a query


def _require(inputs: dict, name: str, message: str) -> Any:
    value = inputs.get(name)
    if value in (None, "", [], ()):
        raise ValidationFailed(message, code=f"missing_{name}", extra={name: message})
    return value


# The reads of every action, compiled once per database (core.db.Prepared).
_LOCKED = Prepared(lambda pk: first_of(Case.objects.select_for_update().filter(pk=pk)))
_OPEN_CLOCK = Prepared(lambda case, kind: first_of(Clock.objects.filter(case=case, kind=kind, is_open=True)))
_PETITIONERS = Prepared(  # names and phones, in the file's order (CasePetitioner.Meta.ordering)
    lambda case: (
        CasePetitioner.objects.filter(case_id=case)
        .order_by("order", "id")
        .values_list("person__name", "person__phone")
    )
)


def _open_clock(case: Case, kind: ClockKind) -> Clock | None:
    return _OPEN_CLOCK.first(case.pk, fixed=(str(kind),))


def _confidential_target_check(case: Case, target: Body) -> None:
    """检举控告 material never goes to the body complained about, nor to a body inside it (Art. 30, 46)."""
    if accusation_hidden_from(case, target):  # the same rule as the read path's (cases/confidentiality.py)
        subject = case.subject_body
        raise ConfidentialityViolation(
            gettext(
                "该事项为检举控告类，被反映单位为%(subject)s，不得转送、交由其处理（《信访工作条例》第三十条第三款）。"
            )
            % {"subject": subject.name}
        )


# Who may receive a case by 转送 / 交办 / 协办 (Art. 22–23): bodies with authority to handle it — not a 信访部门
# or a government as such — active, at the sender's own level or below, within its area.
TARGET_KINDS = (BodyKind.AGENCY, BodyKind.POLITICS_LAW, BodyKind.DISCIPLINE)


def transfer_target_problem(actor: Actor, target: Body) -> tuple[str, str] | None:
    """(code, message) if this body may not receive a case from the actor's body, else None. The one check
    behind the staff form's choices, the API and every other caller of case_act."""
    if not target.is_active:
        return "target_inactive", gettext("%(body)s已停用，不能转送、交办。") % {"body": target.name}
    if target.kind not in TARGET_KINDS:
        return "target_not_authority", gettext(
            "%(body)s不是有权处理的机关，不能转送、交办；不属于有权处理机关职权范围的，应当告知信访人"
            "（《信访工作条例》第二十二条）。"
        ) % {"body": target.name}
    if not target.region.path.startswith(actor.body.region.path):
        return "target_out_of_area", gettext(
            "%(body)s不在本机关所在地区及下级范围内，不能转送、交办；应当告知信访人向有权处理的机关提出"
            "（《信访工作条例》第二十二条）。"
        ) % {"body": target.name}
    return None


def _target_check(actor: Actor, target: Body, field: str = "target_body") -> None:
    if (problem := transfer_target_problem(actor, target)) is not None:
        code, message = problem
        raise ValidationFailed(message, code=code, extra={field: message})


def _route_check(case: Case, actor: Actor, target: Body) -> None:
    """The legally required routes (Art. 22): 涉法涉诉 letters to the same-level 政法部门; 检举控告 to 纪检监察."""
    if target.pk == actor.body.pk:
        raise ValidationFailed(gettext("不能转送给本机关。"), code="target_is_self")
    _target_check(actor, target)
    _confidential_target_check(case, target)
    if case.law_related and target.kind != BodyKind.POLITICS_LAW:
        raise ValidationFailed(
            gettext("涉法涉诉信访事项应当转送同级政法部门依法处理（《信访工作条例》第二十二条第二款）。"),
            code="law_related_route",
        )
    if case.law_related and target.region_id != actor.body.region_id:
        raise ValidationFailed(gettext("涉法涉诉信件应当转送同级政法部门。"), code="law_related_level")


# -------------------------------------------------------------------------------------------- handlers


def _transfer(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    target: Body = _require(inputs, "target_body", gettext("请选择转送的有权处理机关。"))
    _route_check(case, actor, target)
    co_bodies = list(inputs.get("co_bodies") or [])
    for b in co_bodies:
        _target_check(actor, b, "co_bodies")
        _confidential_target_check(case, b)
    case.sender_body = actor.body
    case.handling_body = target
    case.current_body = target
    case.sent_at = timezone.now()
    if co_bodies:
        case.save()
        case.co_bodies.set(co_bodies)
    return Applied(
        changes={
            "current_body": target.pk,
            "handling_body": target.pk,
            "co_bodies": [b.pk for b in co_bodies],
        },
        notice_context={"target_body": target},
        next_right="如对转送有异议，可向本机关询问",
    )


def _assign(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    target: Body = _require(inputs, "target_body", gettext("请选择交办的有权处理机关。"))
    _route_check(case, actor, target)
    due: date = _require(inputs, "due_date", gettext("交办须指定反馈办理结果的期限。"))
    if due <= today:
        raise ValidationFailed(
            gettext("交办反馈期限应晚于今天。"),
            code="due_in_past",
            extra={"due_date": gettext("应晚于今天")},
        )
    case.sender_body = actor.body
    case.handling_body = target
    case.current_body = target
    case.assignment_due = due
    case.sent_at = timezone.now()
    return Applied(
        changes={"current_body": target.pk, "handling_body": target.pk, "assignment_due": due},
        notice_context={"target_body": target, "due_date": due},
        assignment_due=due,
    )


def _tell(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    where = _require(inputs, "told_where", gettext("请写明应向哪个机关或者通过什么途径提出。"))
    case.sent_at = timezone.now()
    case.closed_at = timezone.now()
    return Applied(changes={"told_where": where}, notice_context={"told_where": where})


def _designate_lead(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    """Art. 24: a matter for several bodies is accepted by the one agreed, or named by their common superior
    (here the sender). The former lead becomes a co-handler; open clocks owed by it move to the new lead."""
    lead: Body = _require(inputs, "target_body", gettext("请选择牵头受理的机关。"))
    co = set(case.co_bodies.values_list("pk", flat=True))
    if lead.pk not in co:
        raise ValidationFailed(
            gettext("牵头机关应当是本事项涉及的机关之一（转送时列明的协办机关）。"),
            code="lead_not_involved",
            extra={"target_body": gettext("不是本事项涉及的机关")},
        )
    previous = case.handling_body
    case.co_bodies.remove(lead)
    if previous is not None:
        case.co_bodies.add(previous)
    case.handling_body = lead
    if case.current_body_id == (previous.pk if previous else None):
        case.current_body = lead
    clock_move_body(case=case, kinds=[k.value for k in ClockKind], body=case.current_body)
    return Applied(
        changes={"handling_body": lead.pk, "previous_lead": previous.pk if previous else None},
        notice_context={},
    )


def _dispute_acceptance(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    """Art. 24 ¶1: the bodies involved cannot agree who accepts; it goes to their common superior."""
    involved = [case.handling_body, *case.co_bodies.select_related("region")]
    superior = bodies_common_superior(involved)
    if superior is None:
        raise TransitionNotAllowed(
            gettext("涉及的机关没有共同的上一级机关，应由共同的信访工作联席会议协调处理（第二十四条）。"),
            code="no_common_superior",
        )
    case.dispute_body = superior
    return Applied(
        changes={"dispute_body": superior.pk, "involved": [b.pk for b in involved if b]},
        notice_context={},
    )


def _decide_lead(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    """The common superior names the accepting body among those involved (Art. 24 ¶1); recorded."""
    lead: Body = _require(inputs, "target_body", gettext("请选择受理机关。"))
    involved = {case.handling_body_id, *case.co_bodies.values_list("pk", flat=True)}
    if lead.pk not in involved:
        raise ValidationFailed(
            gettext("受理机关应当是本事项涉及的机关之一。"),
            code="lead_not_involved",
            extra={"target_body": gettext("不是本事项涉及的机关")},
        )
    previous = case.handling_body
    if previous is not None and previous.pk != lead.pk:
        case.co_bodies.remove(lead)
        case.co_bodies.add(previous)
        if case.current_body_id == previous.pk:
            case.current_body = lead
        case.handling_body = lead
        clock_move_body(case=case, kinds=[k.value for k in ClockKind], body=case.current_body)
    decided_by = case.dispute_body_id
    case.dispute_body = None
    return Applied(
        changes={
            "handling_body": lead.pk,
            "previous_lead": previous.pk if previous else None,
            "decided_by": decided_by,
        },
        notice_context={},
    )


def _receive(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    case.received_at = timezone.now()
    if case.officer_id is None and actor.user is not None:
        case.officer = actor.user
    return Applied(changes={"received_at": case.received_at}, notice_context={})


def _object(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    window = _open_clock(case, ClockKind.OBJECTION)
    if window is None or today > window.due_on:
        closed = window.due_on if window else None
        days = period("objection").current_days()
        raise WindowClosed(
            gettext("异议应当自收到之日起%(days)s个工作日内提出（已于%(date)s届满），现已不能提出异议。")
            % {"days": days, "date": message_date(closed)}
            if closed
            else gettext("异议应当自收到之日起%(days)s个工作日内提出，现已不能提出异议。") % {"days": days},
            extra={"closed_on": closed.isoformat() if closed else None},
        )
    case.current_body = case.sender_body
    return Applied(changes={"current_body": case.sender_body_id}, notice_context={})


def _objection_agree(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    previous = case.handling_body_id
    case.current_body = case.sender_body
    case.handling_body = None
    case.sender_body = None
    case.received_at = None
    case.assignment_due = None
    Clock.objects.filter(case=case, kind=ClockKind.ASSIGNMENT, is_open=True).update(
        is_open=False, stopped_on=today, stopped_by="objection_agree"
    )
    return Applied(
        changes={"returned_from": previous, "current_body": case.current_body_id}, notice_context={}
    )


def _objection_refuse(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    case.current_body = case.handling_body
    return Applied(changes={"current_body": case.handling_body_id}, notice_context={})


def _route_from(inputs: dict) -> str:
    route = inputs.get("route") or ""
    if route and route not in Route.values:
        raise ValidationFailed(
            gettext("处理途径无效。"), code="invalid_route", extra={"route": gettext("无效")}
        )
    return route


def _accept(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    route = _route_from(inputs)
    if case.petition_type == PetitionType.APPEAL:
        if not route:
            raise ValidationFailed(
                gettext("申诉求决类事项受理时须确定处理途径（《信访工作条例》第三十一条）。"),
                code="missing_route",
                extra={"route": gettext("请选择处理途径")},
            )
        if route in DIVERTING_ROUTES:
            raise ValidationFailed(
                gettext("第三十一条第（一）至（四）项应“导入法定程序”，不按信访程序受理办理。"),
                code="route_needs_divert",
            )
    elif route:
        raise ValidationFailed(gettext("处理途径只适用于申诉求决类事项。"), code="route_not_applicable")
    case.route = route
    case.accepted_at = timezone.now()
    return Applied(
        changes={"route": route},
        notice_context={"route_label": Route(route).label if route else ""},
        next_right="本机关将在办理期限内书面答复",
        next_right_clock=ClockKind.HANDLING,
    )


def _divert(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    route = _route_from(inputs)
    if case.petition_type != PetitionType.APPEAL:
        raise ValidationFailed(
            gettext("只有申诉求决类事项导入法定程序（第三十一条）。"), code="route_not_applicable"
        )
    if route not in DIVERTING_ROUTES:
        raise ValidationFailed(
            gettext("导入法定程序须选择第三十一条第（一）至（四）项之一。"),
            code="missing_route",
            extra={"route": gettext("请选择")},
        )
    case.route = route
    case.accepted_at = timezone.now()
    case.closed_at = timezone.now()
    return Applied(changes={"route": route}, notice_context={"route_label": Route(route).label})


def _refuse(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    case.closed_at = timezone.now()
    return Applied(changes={}, notice_context={"earlier": inputs.get("earlier")})


def _extend(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    try:
        days = int(_require(inputs, "days", gettext("请填写延长的天数。")))
    except (TypeError, ValueError):
        raise ValidationFailed(
            gettext("延长天数应为整数。"), code="invalid_days", extra={"days": gettext("应为整数")}
        ) from None
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed(
            gettext("延长期限不得超过%(days)s日（第三十四条）。") % {"days": MAX_EXTENSION_DAYS},
            code="extension_too_long",
            extra={"days": gettext("1至%(days)s日") % {"days": MAX_EXTENSION_DAYS}},
        )
    clock = clock_extend(case=case, kind=ClockKind.HANDLING, days=days)
    case.extension_days = days
    return Applied(
        changes={"extension_days": days, "handling_due": clock.due_on if clock else None},
        notice_context={"days": days, "new_due": clock.due_on if clock else None},
        next_right="本机关将在延长后的期限内书面答复",
        next_right_clock=ClockKind.HANDLING,
    )


def _hearing_start(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    case.in_hearing = True
    return Applied(changes={"in_hearing": True}, notice_context={"hearing_date": inputs.get("hearing_date")})


def _hearing_end(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    case.in_hearing = False
    return Applied(changes={"in_hearing": False}, notice_context={})


def _answer_like(case: Case, inputs: dict, *, allowed: AbstractSet[str], field: str) -> str:
    outcome = _require(inputs, "outcome", gettext("请选择处理意见。"))
    if outcome not in allowed:
        # Translators: the separator between the items of a list (处理意见应为：予以支持、解释说明…).
        labels = gettext("、").join(gettext(Outcome(o).label) for o in sorted(allowed))
        raise ValidationFailed(
            gettext("处理意见应为：%(labels)s。") % {"labels": labels},
            code="invalid_outcome",
            extra={"outcome": labels},
        )
    _require(inputs, "text", gettext("请填写意见书正文（事实、理由和依据）。"))
    setattr(case, field, outcome)
    return outcome


def _superior_or_fail(body: Body, what: str) -> Body:
    superior = body_superior(body)
    if superior is None:
        raise TransitionNotAllowed(
            gettext("%(body)s没有上一级机关，无法%(what)s。") % {"body": body.name, "what": what},
            code="no_superior",
        )
    return superior


def _answer(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    if case.petition_type == PetitionType.SUGGESTION:
        allowed = SUGGESTION_OUTCOMES
    elif case.route == Route.PERFORM:
        allowed = {Outcome.PERFORMED, Outcome.EXPLAIN, Outcome.NOT_SUPPORT}
    else:
        allowed = DECISION_OUTCOMES
    outcome = _answer_like(case, inputs, allowed=allowed, field="outcome")
    case.answered_at = timezone.now()
    # Only a 信访处理意见 on a 申诉求决 matter opens 复查 (Art. 35); a reply to a suggestion does not (Art. 29).
    superior = (
        body_superior(related(case, "handling_body")) if case.petition_type == PetitionType.APPEAL else None
    )
    right = (
        f"如对处理意见不服，可以自收到本意见书之日起{period('review_request').current_days()}日内"
        f"向{superior.name}请求复查（第三十五条）"
        if superior
        else ""
    )
    return Applied(
        changes={"outcome": outcome},
        notice_context={"outcome_label": Outcome(outcome).label, "text": inputs.get("text", "")},
        next_right=right,
        next_right_clock=ClockKind.REVIEW_REQUEST if superior else None,
    )


def _mediate(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    text = _require(inputs, "text", gettext("请填写调解（和解）协议的内容。"))
    case.outcome = Outcome.MEDIATED
    case.answered_at = timezone.now()
    superior = body_superior(related(case, "handling_body"))
    return Applied(
        changes={"outcome": Outcome.MEDIATED},
        notice_context={"text": text},
        next_right=f"如对处理不服，可以自收到之日起{period('review_request').current_days()}日内"
        f"向{superior.name}请求复查"
        if superior
        else "",
        next_right_clock=ClockKind.REVIEW_REQUEST if superior else None,
    )


def _mediate_at_intake(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    """Art. 33 at registration (the one-stop centre): the agreement ends the matter, nothing to review."""
    text = _require(inputs, "text", gettext("请填写调解（和解）协议的内容。"))
    case.outcome = Outcome.MEDIATED
    case.answered_at = case.closed_at = timezone.now()
    return Applied(changes={"outcome": Outcome.MEDIATED}, notice_context={"text": text})


def _window_check(case: Case, kind: ClockKind, what: str, today: date) -> None:
    window = _open_clock(case, kind)
    if window is None or today > window.due_on:
        closed = window.due_on if window else None
        raise WindowClosed(
            gettext("%(what)s应当自收到书面答复之日起%(days)s日内提出，期限已于%(date)s届满。")
            % {"what": what, "days": period(kind.value).current_days(), "date": message_date(closed)}
            if closed
            else gettext("已不能%(what)s。") % {"what": what},
            extra={"closed_on": closed.isoformat() if closed else None},
        )


def _request_review(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    _window_check(case, ClockKind.REVIEW_REQUEST, gettext("请求复查"), today)
    reviewer = _superior_or_fail(case.handling_body, gettext("复查"))
    case.review_body = reviewer
    case.current_body = reviewer
    case.review_requested_at = timezone.now()
    return Applied(changes={"review_body": reviewer.pk, "current_body": reviewer.pk}, notice_context={})


def _decide_review(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    outcome = _answer_like(case, inputs, allowed=DECISION_OUTCOMES, field="review_outcome")
    case.reviewed_at = timezone.now()
    superior = body_superior(case.review_body)
    return Applied(
        changes={"review_outcome": outcome},
        notice_context={"outcome_label": Outcome(outcome).label, "text": inputs.get("text", "")},
        next_right=(
            f"如对复查意见不服，可以自收到本意见书之日起{period('rereview_request').current_days()}日内"
            f"向{superior.name}请求复核（第三十六条）"
            if superior
            else ""
        ),
        next_right_clock=ClockKind.REREVIEW_REQUEST if superior else None,
    )


def _request_rereview(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    _window_check(case, ClockKind.REREVIEW_REQUEST, gettext("请求复核"), today)
    reviewer = _superior_or_fail(case.review_body, gettext("复核"))
    case.rereview_body = reviewer
    case.current_body = reviewer
    case.rereview_requested_at = timezone.now()
    return Applied(changes={"rereview_body": reviewer.pk, "current_body": reviewer.pk}, notice_context={})


def _decide_rereview(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    outcome = _answer_like(case, inputs, allowed=DECISION_OUTCOMES, field="rereview_outcome")
    case.rereviewed_at = timezone.now()
    return Applied(
        changes={"rereview_outcome": outcome},
        notice_context={"outcome_label": Outcome(outcome).label, "text": inputs.get("text", "")},
        next_right="对复核意见不服，仍然以同一事实和理由提出投诉请求的，不再受理（第三十六条第三款）",
    )


def _conclude(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    window_kind = ClockKind.REVIEW_REQUEST if case.state == State.ANSWERED else ClockKind.REREVIEW_REQUEST
    window = _open_clock(case, window_kind)
    satisfied = SATISFACTION_CHECKS
    if window is not None and today <= window.due_on and not any(check(case) for check in satisfied):
        raise TransitionNotAllowed(
            gettext("信访人请求%(what)s的期限至%(date)s，期满或信访人表示满意后方可办结。")
            % {
                "what": gettext("复查") if window_kind == ClockKind.REVIEW_REQUEST else gettext("复核"),
                "date": message_date(window.due_on),
            },
            code="window_still_open",
        )
    case.closed_at = timezone.now()
    return Applied(changes={}, notice_context={})


def _terminate(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    case.closed_at = timezone.now()
    return Applied(changes={}, notice_context={"reason": inputs.get("reason", "")})


def _archive(case: Case, actor: Actor, inputs: dict, today: date) -> Applied:
    case.archived_at = timezone.now()
    return Applied(changes={}, notice_context={})


HANDLERS: dict[str, Callable[[Case, Actor, dict, date], Applied]] = {
    "transfer": _transfer,
    "designate_lead": _designate_lead,
    "dispute_acceptance": _dispute_acceptance,
    "decide_lead": _decide_lead,
    "assign": _assign,
    "tell": _tell,
    "receive": _receive,
    "object": _object,
    "objection_agree": _objection_agree,
    "objection_refuse": _objection_refuse,
    "accept": _accept,
    "divert": _divert,
    "refuse": _refuse,
    "refuse_again": _refuse,
    "extend": _extend,
    "hearing_start": _hearing_start,
    "hearing_end": _hearing_end,
    "mediate": _mediate,
    "mediate_at_intake": _mediate_at_intake,
    "answer": _answer,
    "request_review": _request_review,
    "decide_review": _decide_review,
    "request_rereview": _request_rereview,
    "decide_rereview": _decide_rereview,
    "conclude": _conclude,
    "terminate": _terminate,
    "archive": _archive,
}

SNAPSHOT_FIELDS = ("state", "current_body_id", "handling_body_id", "route", "outcome", "extension_days")


def _snapshot(case: Case) -> dict[str, Any]:
    return {f.removesuffix("_id"): getattr(case, f) for f in SNAPSHOT_FIELDS}


def _row(case: Case) -> dict[str, Any]:
    """The case's column values as loaded (JSON values copied: a handler may change them in place)."""
    return {
        f.attname: deepcopy(v) if isinstance(v := getattr(case, f.attname), dict | list) else v
        for f in Case._meta.concrete_fields
    }


def _changed_fields(case: Case, before: dict[str, Any]) -> list[str]:
    """The columns an action changed, for an UPDATE of those alone (and updated_at): the whole row is not
    rewritten, and the search index is not touched when no indexed text changed (search.index.case_saved)."""
    changed = [f.name for f in Case._meta.concrete_fields if getattr(case, f.attname) != before[f.attname]]
    return [*changed, "updated_at"] if "updated_at" not in changed else changed


def _clock_days(spec) -> int:
    if spec.kind == ClockKind.EVALUATION:
        return evaluation_window_days()
    return spec.days


@retry_on_deadlock
def case_act(
    *,
    case: Case | int,
    actor: Actor,
    action: str,
    expected_version: int | None = None,
    reason: str = "",
    _drafting: bool = False,
    **inputs: Any,
) -> Case:
    """Apply one action of the transition table to a case, or refuse and change nothing.

    An action the table marks ``sign_off`` taken by anyone but the body's 负责人 is not applied: it is run
    and rolled back (so every check and the notice's wording are those of the real thing), then kept as a
    draft for the head (``SIGN_OFF_DRAFTERS``, filled by xinfang.documents). The returned case is unchanged
    and carries the draft as ``case.draft``. The head's approval runs the action again, as the head."""
    transition = BY_ACTION.get(action)
    if transition is None:
        raise ValidationFailed(gettext("未知的操作：%(action)s") % {"action": action}, code="unknown_action")
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise ValidationFailed(
            gettext("请填写理由。"), code="missing_reason", extra={"reason": gettext("必填")}
        )
    case_id = case.pk if isinstance(case, Case) else case
    with transaction.atomic(), events_chained_last():
        # No joins under FOR UPDATE: after waiting for the lock PostgreSQL re-checks only the locked row,
        # so a join on a column the winner changed (current_body) would make the case vanish.
        locked: Case | None = _LOCKED.first(case_id)
        if locked is None:
            raise NotFound()
        if expected_version is not None and locked.version != expected_version:
            raise Conflict(
                gettext("该事项已被他人处理（当前状态：%(state)s），请刷新后查看最新情况。")
                % {"state": gettext(State(locked.state).label)},
                extra={"version": locked.version, "state": locked.state},
            )
        check_allowed(
            locked, actor, as_drafted(transition, actor) if _drafting else transition_for(transition, actor)
        )
        if not _drafting and _needs_sign_off(transition, actor):
            draft = _sign_off_draft(locked, actor, transition, expected_version, reason, inputs)
            locked.draft = draft  # type: ignore[attr-defined]  # the caller reads it
            return locked
        now = timezone.now()
        today = local_date(now)
        old = _snapshot(locked)
        # The handler and the clocks change the case in memory; its due columns (Case.due_on/due_kind) follow
        # from the clocks, and then ONE UPDATE writes the columns that changed (the clocks' statements read
        # nothing of the case row).
        before = _row(locked)
        with case_due_batch(locked, write=False):
            applied = HANDLERS[action](locked, actor, {**inputs, "reason": reason}, today)
            if transition.target is not None:
                locked.state = transition.target
            locked.version += 1
            _apply_clocks(locked, transition, applied, today)
        locked.save(update_fields=_changed_fields(locked, before))
        event = event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=actor.body,
            obj=locked,
            action=action,
            old=old,
            new={**_snapshot(locked), **applied.changes},
            reason=reason,
            legal_basis=transition.legal_basis,
        )
        phones: list[str] = []
        if transition.notice is not None:
            clock = _open_clock(locked, applied.next_right_clock) if applied.next_right_clock else None
            deadline = clock.due_on if clock else None
            # One read of the petitioners for the notice's names and, after the commit, its SMS.
            petitioners = _PETITIONERS.rows(locked.pk)
            phones = [phone for _, phone in petitioners]
            notice_issue(
                case=locked,
                kind=transition.notice,
                body=actor.body or locked.current_body,
                legal_basis=transition.legal_basis,
                context={"reason": reason, **applied.notice_context},
                next_right=applied.next_right,
                next_right_deadline=deadline,
                event_id=event.pk,
                names=[name for name, _ in petitioners],
            )
        transaction.on_commit(lambda: _notify_petitioners(locked.number, transition, phones))
    return locked


# Called with (case=, actor=, action=, inputs=, reason=, preview=) -> a draft; registered by a higher app
# (xinfang.documents) at start-up, so cases does not import it. Empty: sign-off actions are refused to handlers.
SIGN_OFF_DRAFTERS: list[Callable[..., Any]] = []


class _DryRun(Exception):
    def __init__(self, preview: str):
        self.preview = preview


def _needs_sign_off(transition: Transition, actor: Actor) -> bool:
    return transition.sign_off and not actor.petitioner and not actor.has_role(Role.AGENCY_HEAD)


def as_drafted(transition: Transition, actor: Actor) -> Transition:
    """A sign-off action as a handler may take it: as a draft, which a case officer may write even where
    only the head may issue (延期: the officer proposes, the head approves — Art. 34)."""
    return replace(transition, roles=transition.roles | {Role.CASE_OFFICER})


def transition_for(transition: Transition, actor: Actor) -> Transition:
    """The row as it applies to this actor: its drafting form when the action awaits the head's sign-off."""
    return as_drafted(transition, actor) if _needs_sign_off(transition, actor) else transition


def _sign_off_draft(
    case: Case, actor: Actor, transition: Transition, expected_version: int | None, reason: str, inputs: dict
) -> Any:
    if not SIGN_OFF_DRAFTERS:
        raise PermissionDenied(
            gettext("“%(action)s”须经本机关负责人批准后出具。") % {"action": gettext(transition.label)},
            code="sign_off_required",
        )
    try:
        with transaction.atomic():
            case_act(
                case=case.pk,
                actor=actor,
                action=transition.action,
                expected_version=expected_version,
                reason=reason,
                _drafting=True,
                **inputs,
            )
            notice = case.notices.order_by("-id").first() if transition.notice else None
            raise _DryRun(notice.text if notice else "")
    except _DryRun as dry:
        preview = dry.preview
    return SIGN_OFF_DRAFTERS[0](
        case=case, actor=actor, action=transition.action, inputs=inputs, reason=reason, preview=preview
    )


def _apply_clocks(case: Case, transition: Transition, applied: Applied, today: date) -> None:
    if transition.stops:
        clock_stop(case=case, kinds=transition.stops, on=today, action=transition.action)
    if transition.pauses:
        clock_pause(case=case, kinds=transition.pauses, on=today)
    if transition.resumes:
        clock_resume(case=case, kinds=transition.resumes, on=today)
    calendar = WorkCalendar.cached() if transition.starts else None
    for spec in transition.starts:
        if spec.petition_types is not None and case.petition_type not in spec.petition_types:
            continue
        if spec.kind == ClockKind.ASSIGNMENT:
            clock_start_until(
                case=case,
                kind=spec.kind,
                body=case.current_body,
                start=today,
                due=applied.assignment_due,
                legal_basis=spec.legal_basis,
            )
            continue
        clock_start(
            case=case,
            kind=spec.kind,
            body=case.current_body,
            start=today,
            days=_clock_days(spec),
            working=spec.working,
            is_window=spec.kind in PETITIONER_WINDOWS,
            legal_basis=spec.legal_basis,
            calendar=calendar,
        )
    # Clocks owed by whoever holds the case follow it (a review moves the case up a level).
    if transition.target is not None:
        clock_move_body(case=case, kinds=[ClockKind.EVALUATION], body=case.current_body)


def _notify_petitioners(number: str, transition: Transition, phones: list[str]) -> None:
    """After the commit: the petitioners' SMS for the notice, all in one queued task."""
    if transition.notice is None:
        return
    text = f"【信访】您的信访事项{number}有新的{transition.notice.label}，请凭查询码在网上信访查看。"
    sms_send_many((phone, text) for phone in phones)
