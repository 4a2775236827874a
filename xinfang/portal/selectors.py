"""What the petitioner sees of their own case: dates, notices, the answer, and the clocks in plain words.

Only what the online rules allow (DOMAIN §12): no officer names, no internal events, no hidden notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from xinfang.cases.models import Case, Notice, NoticeKind, State
from xinfang.cases.workflow import ClockKind
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.models import Clock
from xinfang.evaluation.models import Evaluation

# What each open clock means to the petitioner; {body} is the body that owes it, {due} its last day.
CLOCK_SENTENCES: dict[str, str] = {
    ClockKind.REGISTRATION: "{body}应当在{due}前将您的信访事项转送有权处理的机关，或者告知您向哪里提出",
    ClockKind.ACCEPTANCE: "{body}应当在{due}前书面告知您是否受理",
    ClockKind.ASSIGNMENT: "{body}应当在{due}前反馈办理结果",
    ClockKind.HANDLING: "承办机关（{body}）应当在{due}前答复您",
    ClockKind.REVIEW_REQUEST: "如对处理意见不服，您可以在{due}前（含当日）请求复查",
    ClockKind.REVIEW_DECISION: "复查机关（{body}）应当在{due}前提出复查意见",
    ClockKind.REREVIEW_REQUEST: "如对复查意见不服，您可以在{due}前（含当日）请求复核",
    ClockKind.REREVIEW_DECISION: "复核机关（{body}）应当在{due}前提出复核意见",
    ClockKind.EVALUATION: "请在{due}前（含当日）对答复作出评价",
}
ANSWER_KINDS = {
    NoticeKind.OPINION,
    NoticeKind.MEDIATION,
    NoticeKind.REVIEW_OPINION,
    NoticeKind.REREVIEW_OPINION,
}
APPEAL_FOR_STATE = {
    State.ANSWERED: ("request_review", "请求复查", ClockKind.REVIEW_REQUEST),
    State.REVIEWED: ("request_rereview", "请求复核", ClockKind.REREVIEW_REQUEST),
}


def chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class PlainClock:
    kind: str
    sentence: str
    due_on: date
    paused: bool = False


@dataclass
class Appeal:
    action: str
    label: str
    due_on: date | None
    open: bool


@dataclass
class PortalCaseView:
    case: Case
    state_label: str
    registered_on: date
    registering_body: str
    sent_on: date | None
    sent_to: str
    notices: list[Notice]
    answers: list[Notice]
    clocks: list[PlainClock]
    evaluations: list[Evaluation]
    evaluation_due: date | None
    appeal: Appeal | None
    last_evaluation_unsatisfied: bool = False
    timeline: list[tuple[date, str]] = field(default_factory=list)


def portal_case_view(*, case_id: int) -> PortalCaseView:
    case = Case.objects.select_related("registering_body", "handling_body", "current_body").get(pk=case_id)
    today = local_date(timezone.now())
    notices = list(case.notices.filter(visible_to_petitioner=True).select_related("issued_by"))
    clocks = list(case.clocks.filter(is_open=True).select_related("body").order_by("due_on", "id"))
    plain = [
        PlainClock(
            kind=c.kind,
            sentence=CLOCK_SENTENCES[c.kind].format(body=c.body.name, due=chinese_date(c.due_on)),
            due_on=c.due_on,
            paused=c.paused_since is not None,
        )
        for c in clocks
        if c.kind in CLOCK_SENTENCES and not (c.is_window and c.due_on < today)
    ]
    evaluation_clock = next((c for c in clocks if c.kind == ClockKind.EVALUATION and c.due_on >= today), None)
    evaluations = list(Evaluation.objects.filter(case=case).order_by("created_at", "id"))
    appeal = None
    if case.state in APPEAL_FOR_STATE:
        action, label, kind = APPEAL_FOR_STATE[State(case.state)]
        window = Clock.objects.filter(case=case, kind=kind).order_by("-id").first()
        appeal = Appeal(
            action=action,
            label=label,
            due_on=window.due_on if window else None,
            open=bool(window and window.is_open and window.due_on >= today),
        )
    sent_on = local_date(case.sent_at) if case.sent_at else None
    timeline = [(local_date(case.registered_at), f"{case.registering_body.name}登记")]
    if sent_on and case.handling_body_id and case.handling_body_id != case.registering_body_id:
        timeline.append((sent_on, f"转送（交办）至{case.handling_body.name}"))
    timeline += [(local_date(n.issued_at), f"{n.issued_by.name}出具《{n.title}》") for n in notices]
    timeline += [(local_date(e.created_at), f"您评价：{e.get_result_display()}") for e in evaluations]
    timeline.sort(key=lambda t: t[0])
    return PortalCaseView(
        case=case,
        state_label=State(case.state).label,
        registered_on=local_date(case.registered_at),
        registering_body=case.registering_body.name,
        sent_on=sent_on,
        sent_to=case.handling_body.name if case.handling_body_id and sent_on else "",
        notices=notices,
        answers=[n for n in notices if n.kind in ANSWER_KINDS],
        clocks=plain,
        evaluations=evaluations,
        evaluation_due=evaluation_clock.due_on if evaluation_clock else None,
        appeal=appeal,
        last_evaluation_unsatisfied=bool(evaluations and evaluations[-1].result == "unsatisfied"),
        timeline=timeline,
    )
