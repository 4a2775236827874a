"""Writes of the documents app: numbering, issuing, service (送达), the head's sign-off, receipts.

Every function takes keyword-only arguments, runs in one transaction, locks what it changes and records
an event. Reads (lists, a case's documents, the files) are in ``selectors.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.models import Case, Notice, NoticeKind, Outcome, PetitionType, Route
from xinfang.cases.services import case_act
from xinfang.cases.workflow import BY_ACTION, ClockKind
from xinfang.core.db import Prepared, counter_bump, first_of, related, row_insert
from xinfang.core.errors import NotFound, TransitionNotAllowed, ValidationFailed
from xinfang.core.events import event_record
from xinfang.core.periods import TIAOLI, period
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.clocks import clock_restart
from xinfang.deadlines.models import Clock
from xinfang.documents.models import (
    Document,
    Draft,
    DraftStatus,
    Letterhead,
    NumberCounter,
    Service,
    ServiceMethod,
)
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, Region, Role

# ------------------------------------------------------------------------------------------ numbering


# Read for every document, compiled once per database (core.db.Prepared).
_LETTERHEAD = Prepared(lambda body: first_of(Letterhead.objects.filter(body=body)))
_REGION = Prepared(lambda pk: Region.objects.filter(pk=pk))


def letterhead(body: Body) -> Letterhead:
    """The body's 机关代字 and seal; a body without one gets a code from its short name (示例: 住建信)."""
    found = _LETTERHEAD.first(body.pk)
    if found is not None:
        return found
    # Default 机关代字: two characters of the region and two of the body (东城住房信); a body sets its own.
    short = (body.short_name or body.name).replace("中共", "")
    region = body.region if Body.region.is_cached(body) else _REGION.first(body.region_id)
    return Letterhead(body=body, mark="", code=f"{region.name[:2]}{short[:2]}信")


def document_number_next(*, body: Body, year: int) -> str:
    """The next 文号 of ``body`` in ``year``: 机关代字〔年份〕序号号. Safe under concurrency: the counter row is
    raised and read in one UPDATE … RETURNING, which holds the row's lock to the end of the transaction, so two
    documents issued at once never share a number; the first of a year creates the row, and a racing creator
    falls back to raising the row the other one made."""
    last = counter_bump(NumberCounter, body_id=body.pk, year=year)
    if last is None:
        try:
            with transaction.atomic():
                last = NumberCounter.objects.create(body=body, year=year, last=1).last
        except IntegrityError:
            last = counter_bump(NumberCounter, body_id=body.pk, year=year)
    return f"{letterhead(body).code}〔{year}〕{last}号"


# ------------------------------------------------------------------------------------------ the kinds


@dataclass(frozen=True)
class KindSpec:
    """What the law says about one kind of notice: the article it rests on (by petition type where the
    law differs), the petitioner's window it opens and whether it awaits the head's sign-off."""

    article: str
    window: str = ""  # a ClockKind the petitioner's next right runs on, counted from receipt
    by_type: tuple[tuple[str, str], ...] = ()

    def citation(self, case: Case) -> str:
        article = dict(self.by_type).get(case.petition_type, self.article)
        return f"{TIAOLI}{article}"


KINDS: dict[str, KindSpec] = {
    NoticeKind.TRANSFER: KindSpec("第二十二条"),
    NoticeKind.ASSIGN: KindSpec("第二十二条第一款第（三）项"),
    NoticeKind.TELL: KindSpec("第二十二条、第二十条"),
    NoticeKind.ACCEPT: KindSpec("第二十三条", by_type=((PetitionType.APPEAL, "第二十三条、第三十一条"),)),
    NoticeKind.NOT_ACCEPT: KindSpec("第二十三条"),
    NoticeKind.NOT_REACCEPT: KindSpec("第三十六条第三款"),
    NoticeKind.DIVERT: KindSpec("第三十一条"),
    NoticeKind.EXTEND: KindSpec("第三十四条"),
    NoticeKind.HEARING: KindSpec("第三十一条第（六）项"),
    NoticeKind.MEDIATION: KindSpec("第三十三条", window=ClockKind.REVIEW_REQUEST),
    # Art. 32 is the 信访处理意见书 of a 申诉求决 matter; a 建议意见 is answered under Art. 29 and a
    # 检举控告 under Art. 30 — the old notices cited Art. 29 on every answer.
    NoticeKind.OPINION: KindSpec(
        "第三十二条",
        window=ClockKind.REVIEW_REQUEST,
        by_type=((PetitionType.SUGGESTION, "第二十九条"), (PetitionType.ACCUSATION, "第三十条")),
    ),
    NoticeKind.REVIEW_OPINION: KindSpec("第三十五条", window=ClockKind.REREVIEW_REQUEST),
    NoticeKind.REREVIEW_OPINION: KindSpec("第三十六条"),
    NoticeKind.TERMINATE: KindSpec("第三十六条第三款"),
}
# The windows that run from the petitioner's receipt of the answer, moved together when it is recorded.
WINDOWS_FROM_RECEIPT = {
    ClockKind.REVIEW_REQUEST: (ClockKind.REVIEW_REQUEST, ClockKind.EVALUATION),
    ClockKind.REREVIEW_REQUEST: (ClockKind.REREVIEW_REQUEST, ClockKind.EVALUATION),
}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return {"pk": value.pk, "name": str(getattr(value, "name", "") or getattr(value, "number", value))}
    if isinstance(value, date):
        return value.isoformat()
    return value


def _case_facts(case: Case) -> dict[str, Any]:
    arrived = case.arrived_at or case.registered_at
    return {
        "case_number": case.number,
        "arrived_on": local_date(arrived).isoformat(),
        "request": case.request,
        "facts": case.facts,
        "petition_type": case.petition_type,
        "petition_type_label": PetitionType(case.petition_type).label,
    }


def _notice_context(notice: Notice, ctx: dict[str, Any]) -> dict[str, Any]:
    """The words of a notice, frozen at issue. What the petitioner may read only: the registrar's reason
    on a 转送/交办 is an internal note and never enters a document."""
    case = notice.case
    out = _case_facts(case)
    out["issued_on"] = local_date(notice.issued_at).isoformat()
    internal_reason = notice.kind in (NoticeKind.TRANSFER, NoticeKind.ASSIGN, NoticeKind.ACCEPT)
    for key in (
        "target_body",
        "due_date",
        "told_where",
        "route_label",
        "days",
        "new_due",
        "hearing_date",
        "outcome_label",
        "text",
        "earlier",
    ):
        if ctx.get(key) not in (None, ""):
            out[key] = _plain(ctx[key])
    if not internal_reason and ctx.get("reason"):
        out["reason"] = ctx["reason"]
    if case.route:
        out["route"] = case.route
        out.setdefault("route_label", Route(case.route).label)
    outcome: str | None = {
        NoticeKind.OPINION: case.outcome,
        NoticeKind.MEDIATION: case.outcome,
        NoticeKind.REVIEW_OPINION: case.review_outcome,
        NoticeKind.REREVIEW_OPINION: case.rereview_outcome,
    }.get(NoticeKind(notice.kind))
    if outcome:
        out["outcome"] = outcome
        out["outcome_label"] = Outcome(outcome).label
    for attr in ("handling_body", "review_body", "rereview_body"):
        body = related(case, attr)  # read compiled once when not cached (every notice)
        if body is not None:
            out[attr] = {"pk": body.pk, "name": body.name}
    return out


def document_issue(
    *,
    case: Case,
    kind: str,
    title: str,
    body: Body,
    context: dict[str, Any],
    notice: Notice | None = None,
    to_petitioner: bool = True,
    window_kind: str = "",
    issued_at=None,
    actor: Actor | None = None,
    record_event: bool = True,
) -> Document:
    """Number and store one document of ``case`` (the words in ``context``); rendered on demand."""
    issued_at = issued_at or timezone.now()
    # no savepoint inside the caller's transaction: a document that cannot be issued fails the whole action
    with transaction.atomic(savepoint=False):
        document = Document(
            case=case,
            notice=notice,
            kind=kind,
            title=title,
            number=document_number_next(body=body, year=local_date(issued_at).year),
            issued_by=body,
            issued_on=local_date(issued_at),
            issued_at=issued_at,
            context=context,
            to_petitioner=to_petitioner,
            window_kind=window_kind,
        )
        row_insert(document)  # Document.objects.create, its INSERT compiled once
        if not record_event:
            return document
        event_record(
            actor=actor.user if actor else None,
            actor_label=actor.label if actor else "系统",
            body=body,
            obj=document,  # the notice's own action is the case's event; this one numbers the document
            action="document_issue",
            new={"case": case.pk, "number": document.number, "kind": kind},
        )
    return document


def document_from_notice(*, notice: Notice, context: dict[str, Any]) -> Document:
    """The hook ``cases.services.notices.notice_issue`` calls: every notice becomes a numbered document."""
    spec = KINDS.get(notice.kind)
    return document_issue(
        case=notice.case,
        kind=notice.kind,
        title=notice.title,
        body=notice.issued_by,
        context={**_notice_context(notice, context), "citation": spec.citation(notice.case) if spec else ""},
        notice=notice,
        to_petitioner=notice.visible_to_petitioner,
        window_kind=spec.window if spec else "",
        issued_at=notice.issued_at,
        record_event=False,  # part of the case action that issued the notice, which has its event
    )


def document_for_notice(*, notice: Notice) -> Document:
    """The document of a notice issued before documents existed (or written in bulk by the generator):
    made once, from the notice's stored facts."""
    existing = Document.objects.filter(notice=notice).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        Notice.objects.select_for_update().filter(pk=notice.pk).first()
        existing = Document.objects.filter(notice=notice).first()
        return existing or document_from_notice(notice=notice, context={})


# ------------------------------------------------------------------------------------------- service


def _require_body_member(actor: Actor, body: Body) -> None:
    if actor.petitioner or actor.body is None or actor.body.pk != body.pk:
        raise NotFound()


def service_record(
    *,
    actor: Actor,
    document: Document,
    method: str,
    tracking_number: str = "",
    served_on: date | None = None,
    received_on: date | None = None,
    note: str = "",
) -> Service:
    """Record how a document was served (送达) and, when known, the day the petitioner received it.
    A receipt day moves the start of the window the document opens (复查 Art. 35, 复核 Art. 36, and the
    evaluation window) from the day of issue to that day."""
    _require_body_member(actor, document.issued_by)
    actor.require_role(Role.CASE_OFFICER, Role.AGENCY_HEAD, Role.REGISTRAR)
    errors: dict[str, str] = {}
    if method not in ServiceMethod.values:
        errors["method"] = gettext("请选择送达方式。")
    if method == ServiceMethod.POST and not tracking_number.strip():
        errors["tracking_number"] = gettext("邮寄送达须填写邮件单号。")
    today = timezone.localdate()
    for name, value in (("served_on", served_on), ("received_on", received_on)):
        if value and value > today:
            errors[name] = gettext("日期不能晚于今天。")
        if value and value < document.issued_on:
            errors[name] = gettext("日期不能早于成文日期。")
    if served_on and received_on and received_on < served_on:
        errors["received_on"] = gettext("收到日期不能早于送达（寄出）日期。")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), code="invalid_service", extra=errors)
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()
        service = Service.objects.filter(document=document).first() or Service(document=document)
        old = {"method": service.method, "received_on": service.received_on} if service.pk else {}
        if service.pk and service.received_on and received_on and received_on != service.received_on:
            raise ValidationFailed(
                gettext("收到日期已记录为%(date)s，不能更改。") % {"date": service.received_on.isoformat()},
                code="already_received",
            )
        service.method = method
        service.tracking_number = tracking_number.strip()
        service.served_on = served_on or service.served_on or today
        service.note = note
        service.recorded_by = actor.user
        service.recorded_at = timezone.now()
        if received_on and not service.received_on:
            service.received_on = received_on
            service.received_source = "entered"
        service.save()
        moved = _window_from_receipt(document, service)
        event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=actor.body,
            obj=document.case,
            action="document_serve",
            old=old,
            new={
                "document": document.pk,
                "number": document.number,
                "method": method,
                "tracking_number": service.tracking_number,
                "served_on": service.served_on,
                "received_on": service.received_on,
                "windows_moved": moved,
            },
        )
    return service


def _window_from_receipt(document: Document, service: Service) -> list[str]:
    """Move the document's windows to count from the receipt day; only the latest answer's windows are
    open, so an old document's receipt moves nothing."""
    if not (service.received_on and document.window_kind):
        return []
    kinds = WINDOWS_FROM_RECEIPT.get(ClockKind(document.window_kind), (document.window_kind,))
    clocks = clock_restart(case=document.case, kinds=kinds, start=service.received_on)
    window = next((c for c in clocks if c.kind == document.window_kind), None)
    if window is not None and document.notice_id:
        # The notice's stated deadline is the window's, known only now (its words do not change).
        Notice.objects.filter(pk=document.notice_id).update(next_right_deadline=window.due_on)
    return [f"{c.kind}:{c.due_on.isoformat()}" for c in clocks]


def document_viewed_by_petitioner(*, document: Document) -> None:
    """The first time the petitioner opens a document served on the portal (or not yet served at all),
    that day is its receipt day (网上送达: 信访人首次查看之日)."""
    if not document.to_petitioner:
        return
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()
        service = Service.objects.filter(document=document).first()
        if service is not None and (service.received_on or service.method != ServiceMethod.PORTAL):
            return
        today = timezone.localdate()
        service = service or Service(document=document, method=ServiceMethod.PORTAL, served_on=today)
        service.received_on = today
        service.received_source = "portal"
        service.save()
        moved = _window_from_receipt(document, service)
        event_record(
            actor=None,
            actor_label="信访人",
            body=None,
            obj=document.case,
            action="document_serve",
            new={
                "document": document.pk,
                "method": ServiceMethod.PORTAL,
                "received_on": today,
                "windows_moved": moved,
            },
        )


# ------------------------------------------------------------------------------------------- sign-off


def _jsonable_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in inputs.items():
        if key == "reason":
            continue
        if isinstance(value, models.Model):
            value = {"__model__": value._meta.label_lower, "pk": value.pk}
        elif isinstance(value, date):
            value = {"__date__": value.isoformat()}
        out[key] = value
    return out


def _inputs_back(inputs: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in inputs.items():
        if isinstance(value, dict) and "__model__" in value:
            value = apps.get_model(value["__model__"]).objects.get(pk=value["pk"])
        elif isinstance(value, dict) and "__date__" in value:
            value = date.fromisoformat(value["__date__"])
        out[key] = value
    return out


def draft_create(*, case: Case, actor: Actor, action: str, inputs: dict, reason: str, preview: str) -> Draft:
    """The hook ``case_act`` calls when a handler takes an action the table marks ``sign_off``: the
    decision is kept as a draft (validated already: case_act ran it and rolled it back) for the head."""
    Draft.objects.filter(
        case=case, action=action, status__in=[DraftStatus.PENDING, DraftStatus.RETURNED]
    ).update(status=DraftStatus.WITHDRAWN)
    draft = Draft.objects.create(
        case=case,
        body=actor.body,
        action=action,
        inputs=_jsonable_inputs(inputs),
        reason=reason,
        preview=preview,
        drafted_by=actor.user,
    )
    event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        obj=case,
        action="draft_submit",
        new={"draft": draft.pk, "action": action},
        reason=reason,
        legal_basis=BY_ACTION[action].legal_basis,
    )
    return draft


def _draft_for_head(draft: Draft | int, actor: Actor) -> Draft:
    pk = draft.pk if isinstance(draft, Draft) else draft
    locked = Draft.objects.select_for_update().filter(pk=pk).first()
    if locked is None or actor.petitioner or actor.body is None or actor.body.pk != locked.body_id:
        raise NotFound()
    actor.require_role(Role.AGENCY_HEAD)
    if locked.status != DraftStatus.PENDING:
        raise TransitionNotAllowed(
            gettext("该草稿当前状态为“%(status)s”，不能再审批。")
            % {"status": gettext(DraftStatus(locked.status).label)},
            code="draft_not_pending",
        )
    return locked


def draft_approve(*, draft: Draft | int, actor: Actor, comment: str = "") -> Case:
    """The head signs (签发): the drafted action runs now, as the head — its state change, clocks and
    notice happen here, so no clock stops before the document is issued."""
    with transaction.atomic():
        locked = _draft_for_head(draft, actor)
        case = case_act(
            case=locked.case_id,
            actor=actor,
            action=locked.action,
            reason=locked.reason,
            **_inputs_back(locked.inputs),
        )
        locked.status = DraftStatus.APPROVED
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        locked.comment = comment.strip()
        locked.save()
        event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=actor.body,
            obj=case,
            action="draft_approve",
            new={"draft": locked.pk, "action": locked.action},
            reason=locked.comment,
        )
    return case


def draft_return(*, draft: Draft | int, actor: Actor, comment: str) -> Draft:
    """The head sends the draft back with a comment; the handler drafts again (nothing else changes)."""
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = _draft_for_head(draft, actor)
        if not comment:
            raise ValidationFailed(
                gettext("退回须写明意见。"), code="missing_comment", extra={"comment": gettext("必填")}
            )
        locked.status = DraftStatus.RETURNED
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        locked.comment = comment
        locked.save()
        event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=actor.body,
            obj=locked.case,
            action="draft_return",
            new={"draft": locked.pk, "action": locked.action},
            reason=comment,
        )
    return locked


# -------------------------------------------------------------------------------------------- receipt


def receipt_issue(*, case: Case, actor: Actor) -> Document:
    """回执 for a letter, visit or web submission: numbered once, then the same receipt is printed again."""
    # Issued in the registering body's name whoever prints it (the caller has read the case through the
    # visibility path, or is the petitioner whose own submission it is).
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        existing = Document.objects.filter(case=case, kind=Document.RECEIPT).first()
        if existing is not None:
            return existing

        first_clock = (
            Clock.objects.filter(case=case, kind__in=[ClockKind.REGISTRATION, ClockKind.ACCEPTANCE])
            .order_by("started_on", "id")
            .first()
        )
        step = period(
            "registration"
            if (first_clock is None or first_clock.kind == ClockKind.REGISTRATION)
            else "acceptance"
        )
        context = {
            **_case_facts(case),
            "channel": case.channel,
            "registered_on": local_date(case.registered_at).isoformat(),
            "next_by": first_clock.due_on.isoformat() if first_clock else "",
            "period_key": step.key,
            "citation": step.citation,
        }
        return document_issue(
            case=case,
            kind=Document.RECEIPT,
            title="信访事项登记回执",
            body=case.registering_body,
            context=context,
            actor=actor,
        )


def notice_documents_complete(*, case: Case) -> int:
    """Give each notice of `case` that has no document its document (`document_for_notice`): notices issued
    before documents existed, or written in bulk by the generator. How many were made (0 on every case the
    services wrote)."""
    made = 0
    for notice in Notice.objects.filter(case=case, document__isnull=True):
        document_for_notice(notice=notice)
        made += 1
    return made
