"""Reads of the documents app: a case's documents for a staff actor (through the one visibility path), the
petitioner's own, the pending drafts of a body, and each document's file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from xinfang.cases.models import Case, Channel, Notice
from xinfang.cases.selectors import case_get_for_actor, case_list_visible
from xinfang.core.errors import NotFound
from xinfang.core.periods import PERIODS, period
from xinfang.deadlines.calendar import WorkCalendar, compute_due
from xinfang.documents.models import Document, Draft, DraftStatus, Service
from xinfang.documents.rendering import MEDIA_TYPES, document_render
from xinfang.documents.services import KINDS, document_for_notice, letterhead, notice_documents_complete
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body
from xinfang.orgs.selectors import body_superior


def case_documents(*, actor: Actor, case_id: int, case: Case | None = None) -> tuple[Case, list[Document]]:
    """A case's documents for a staff actor who may see the case (a 检举控告 never reaches the body it
    accuses: ``case_get_for_actor`` raises NotFound). Notices issued before documents existed get theirs.

    case: the same case when the caller has just read it through ``case_get_for_actor`` for this actor (the
    case page's documents card), so it is not read again (it was 6–7 ms of every case page, issue 14)."""
    if case is None or case.pk != case_id:
        case = case_get_for_actor(actor=actor, pk=case_id, log_read=False)
    notice_documents_complete(case=case)
    docs = list(
        Document.objects.filter(case=case).select_related("issued_by", "service").order_by("issued_at", "id")
    )
    return case, docs


def document_for_actor(*, actor: Actor, case_id: int, pk: int) -> Document:
    """One document of a case the actor may see (checked first), or NotFound."""
    case_get_for_actor(actor=actor, pk=case_id, log_read=False)
    document = Document.objects.filter(pk=pk, case_id=case_id).select_related("case", "issued_by").first()
    if document is None:
        raise NotFound()
    return document


def document_for_petitioner(*, case_id: int, notice_id: int) -> Document:
    """The petitioner's own notice (portal session's case), only one shown to the petitioner."""
    notice = Notice.objects.filter(pk=notice_id, case_id=case_id, visible_to_petitioner=True).first()
    if notice is None:
        raise NotFound()
    return Document.objects.select_related("case", "issued_by").get(pk=document_for_notice(notice=notice).pk)


def drafts_pending(*, actor: Actor) -> QuerySet[Draft]:
    """Drafts awaiting this body's head, on cases the actor may see."""
    if actor.body is None:
        return Draft.objects.none()
    visible = case_list_visible(actor=actor).values("pk")
    return (
        Draft.objects.filter(body=actor.body, status=DraftStatus.PENDING, case__in=visible)
        .select_related("case", "drafted_by")
        .order_by("drafted_at", "id")
    )


def case_draft(*, case: Case, pk: int) -> Draft:
    """One draft of a case the caller has read through case_get_for_actor, or NotFound."""
    draft = Draft.objects.filter(pk=pk, case=case).first()
    if draft is None:
        raise NotFound()
    return draft


def case_drafts(*, case: Case) -> list[Draft]:
    return list(
        Draft.objects.filter(case=case).select_related("drafted_by", "decided_by").order_by("-id")[:10]
    )


# ------------------------------------------------------------------------------------------- the file


@dataclass
class Window:
    """The petitioner's next right on a document: what, to whom, how many days, and — once the receipt
    day is known — the last day, counted from that day (条例 Art. 35, 36)."""

    label: str
    to_body: str
    days: int
    citation: str
    received_on: date | None = None
    due: date | None = None


def _window(document: Document, service: Service | None) -> Window | None:
    kind = document.window_kind
    if not kind:
        return None
    p = period(kind)
    ctx = document.context
    base = ctx.get("review_body") if kind == "rereview_request" else ctx.get("handling_body")
    to_body = ""
    if base:
        body = Body.objects.filter(pk=base["pk"]).select_related("parent").first()
        superior = body_superior(body) if body else None
        to_body = superior.name if superior else ""
    if not to_body:
        return None
    received = service.received_on if service else None
    due = None
    if received:
        due = compute_due(
            start=received, days=p.current_days(), working=p.working, calendar=WorkCalendar.from_db()
        ).due
    return Window(
        label="复查" if kind == "review_request" else "复核",
        to_body=to_body,
        days=p.current_days(),
        citation=p.citation,
        received_on=received,
        due=due,
    )


def _addressee(case: Case) -> str:
    names = [link.person.name for link in case.petitioners.select_related("person") if link.person.name]
    if names:
        return "、".join(names)
    return "匿名信访人" if case.anonymous else "信访人"


def document_context(document: Document) -> dict[str, Any]:
    """Everything a document's templates read: the frame, the frozen words, the service and the window."""
    case = document.case
    head = letterhead(document.issued_by)
    service = Service.objects.filter(document=document).first()
    ctx = dict(document.context)
    for key in ("arrived_on", "issued_on", "registered_on", "next_by", "due_date", "new_due", "hearing_date"):
        if isinstance(ctx.get(key), str) and ctx[key]:
            ctx[key] = date.fromisoformat(ctx[key])
    spec = KINDS.get(document.kind)
    cc = []
    # 抄送 the 信访部门 that sent the case (it follows the result, Art. 22(三)), unless it issued this itself.
    copied = ("opinion", "review_opinion", "rereview_opinion", "accept", "extend")
    if document.kind in copied and case.sender_body_id and case.sender_body_id != document.issued_by_id:
        cc.append(case.sender_body.name)
    seal = head.seal.path if head.seal and Path(head.seal.path).exists() else ""
    return {
        **ctx,
        "issuer": head.mark or document.issued_by.name,
        "number": document.number,
        "title": document.title,
        "addressee": _addressee(case),
        "date": document.issued_on,
        "seal_image": seal,
        "cc": cc,
        "citation": ctx.get("citation") or (spec.citation(case) if spec else ""),
        "periods": PERIODS,
        "service": service,
        "window": _window(document, service),
        "body_name": document.issued_by.name,
        **_receipt_context(document),
    }


def _receipt_context(document: Document) -> dict[str, Any]:
    if document.kind != Document.RECEIPT:
        return {}

    channel = document.context.get("channel", "")
    return {
        "channel_label": Channel(channel).label if channel in Channel.values else "",
        "next_period": period(document.context.get("period_key") or "registration"),
    }


def document_file(*, document: Document, fmt: str, extra: dict | None = None) -> tuple[bytes, str, str]:
    """(bytes, file name, media type) of one document in ``fmt``; ``extra`` adds what is never stored
    (the receipt's 查询码, printed once at registration)."""
    context = {**document_context(document), **(extra or {})}
    data = document_render(kind=document.kind, context=context, fmt=fmt)
    name = f"{document.case.number}-{document.title}.{fmt}"
    return data, name, MEDIA_TYPES[fmt]


def draft_for_actor(*, actor: Actor, case_id: int, pk: int) -> Draft:
    """A draft of the actor's own body on a case the actor may see (the head's approve/return)."""
    case_get_for_actor(actor=actor, pk=case_id, log_read=False)
    draft = Draft.objects.filter(pk=pk, case_id=case_id, body=actor.body).first()
    if draft is None:
        raise NotFound()
    return draft


def documents_unserved(*, actor: Actor) -> QuerySet[Document]:
    """Documents the actor's body issued to the petitioner whose receipt is not recorded yet, on cases the
    actor may see — the to-do that starts the petitioner's windows."""
    if actor.body is None:
        return Document.objects.none()
    visible = case_list_visible(actor=actor).values("pk")
    return Document.objects.filter(
        issued_by=actor.body, to_petitioner=True, case__in=visible, service__received_on__isnull=True
    ).exclude(kind=Document.RECEIPT)


def drafts_returned(*, actor: Actor) -> QuerySet[Draft]:
    if actor.body is None or actor.user is None:
        return Draft.objects.none()
    return Draft.objects.filter(body=actor.body, drafted_by=actor.user, status=DraftStatus.RETURNED)
