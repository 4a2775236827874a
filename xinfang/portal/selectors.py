"""What the petitioner sees of their own case: dates, notices, the answer, and the clocks in plain words.

Only what the online rules allow (docs/domain.md §12): no officer names, no internal events, no hidden notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.utils import dateformat, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Case, Notice, NoticeKind, State
from xinfang.cases.workflow import ClockKind
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.models import Clock
from xinfang.evaluation.models import Evaluation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# What each open clock means to the petitioner; %(body)s is the body that owes it, %(due)s its last day.
CLOCK_SENTENCES: dict[str, StrOrPromise] = {
    ClockKind.REGISTRATION: _(
        "%(body)s应当在%(due)s前将您的信访事项转送有权处理的机关，或者告知您向哪里提出"
    ),
    ClockKind.ACCEPTANCE: _("%(body)s应当在%(due)s前书面告知您是否受理"),
    ClockKind.ASSIGNMENT: _("%(body)s应当在%(due)s前反馈办理结果"),
    ClockKind.HANDLING: _("承办机关（%(body)s）应当在%(due)s前答复您"),
    ClockKind.REVIEW_REQUEST: _("如对处理意见不服，您可以在%(due)s前（含当日）请求复查"),
    ClockKind.REVIEW_DECISION: _("复查机关（%(body)s）应当在%(due)s前提出复查意见"),
    ClockKind.REREVIEW_REQUEST: _("如对复查意见不服，您可以在%(due)s前（含当日）请求复核"),
    ClockKind.REREVIEW_DECISION: _("复核机关（%(body)s）应当在%(due)s前提出复核意见"),
    ClockKind.EVALUATION: _("请在%(due)s前（含当日）对答复作出评价"),
}
ANSWER_KINDS = {
    NoticeKind.OPINION,
    NoticeKind.MEDIATION,
    NoticeKind.REVIEW_OPINION,
    NoticeKind.REREVIEW_OPINION,
}
APPEAL_FOR_STATE = {
    State.ANSWERED: ("request_review", _("请求复查"), ClockKind.REVIEW_REQUEST),
    State.REVIEWED: ("request_rereview", _("请求复核"), ClockKind.REREVIEW_REQUEST),
}


def chinese_date(d: date) -> str:
    """The date as the petitioner reads it: 2026年3月5日, or March 5, 2026 in English."""
    return dateformat.format(d, gettext("Y年n月j日"))


@dataclass
class PlainClock:
    kind: str
    sentence: str
    due_on: date
    paused: bool = False


@dataclass
class Appeal:
    action: str
    label: StrOrPromise
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
            sentence=CLOCK_SENTENCES[c.kind] % {"body": c.body.name, "due": chinese_date(c.due_on)},
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
    timeline = [
        (local_date(case.registered_at), gettext("%(body)s登记") % {"body": case.registering_body.name})
    ]
    if sent_on and case.handling_body_id and case.handling_body_id != case.registering_body_id:
        timeline.append((sent_on, gettext("转送（交办）至%(body)s") % {"body": case.handling_body.name}))
    timeline += [
        (
            local_date(n.issued_at),
            gettext("%(body)s出具《%(title)s》") % {"body": n.issued_by.name, "title": n.title},
        )
        for n in notices
    ]
    timeline += [
        (local_date(e.created_at), gettext("您评价：%(result)s") % {"result": e.get_result_display()})
        for e in evaluations
    ]
    timeline.sort(key=lambda t: t[0])
    return PortalCaseView(
        case=case,
        state_label=case.get_state_display(),
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


def portal_case_for_session(*, case_id: int) -> Case:
    """The case unlocked in this portal session (its pk is put there only by portal_case_unlock)."""
    return Case.objects.select_related("registering_body").get(pk=case_id)


@dataclass(frozen=True)
class PortalPetitioner:
    name: str
    phone_masked: str
    email_masked: str
    has_address: bool


def portal_petitioner_of(*, case: Case) -> PortalPetitioner | None:
    """What the portal shows of the contact details on file: masked, even to the one who holds the code."""
    link = case.petitioners.select_related("person").order_by("-is_representative", "order", "id").first()
    if link is None:
        return None
    p = link.person
    return PortalPetitioner(
        name=p.name, phone_masked=p.phone_masked, email_masked=p.email_masked, has_address=bool(p.address)
    )
