"""Thin views: staff downloads, service records, the head's sign-off, receipts, the petitioner's copies."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xinfang.cases.portal_session import SESSION_CASE
from xinfang.cases.selectors import case_get_for_actor, cases_unscoped
from xinfang.cases.workflow import BY_ACTION
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.documents import selectors, services
from xinfang.documents.forms import CommentForm, ServiceForm
from xinfang.documents.templatetags.documents_ui import panel_context
from xinfang.orgs.acting import PETITIONER
from xinfang.orgs.decorators import actor_required
from xinfang.orgs.models import Role

# The timeline's names for this app's case events (the workspace merges them into its EVENT_LABELS).
EVENT_LABELS = {
    "draft_submit": gettext_lazy("提交负责人签发"),
    "draft_return": gettext_lazy("负责人退回修改"),
    "draft_approve": gettext_lazy("负责人批准签发"),
    "document_serve": gettext_lazy("文书送达"),
}
SESSION_CODES = "documents_receipt_codes"  # case pk → 查询码, put by the registration view, printed once
# token → {"case": pk, "code": 查询码}: a web submission's 回执, put by the portal's one-time receipt page; the
# code is taken out at the first download, so only that copy prints it.
SESSION_PORTAL_RECEIPTS = "documents_portal_receipts"
PORTAL_RECEIPTS_KEPT = 5


def drafted_message(transition) -> str:
    """What the handler is told after a sign-off action: it waits for the head (the workspace shows it)."""
    return gettext("“%(action)s”已提交本机关负责人审批，批准后出具。") % {"action": gettext(transition.label)}


def receipt_offer(request: HttpRequest, *, case, query_code: str) -> str:
    """Right after registration: keep the 查询码 for the one receipt that prints it, and offer the link."""
    codes = dict(request.session.get(SESSION_CODES) or {})
    codes[str(case.pk)] = query_code
    request.session[SESSION_CODES] = codes
    return format_html(
        '<a href="{}" target="_blank" data-testid="receipt-link">{}</a>',
        reverse("documents:receipt", args=[case.pk, "pdf"]),
        gettext("打印回执（查询码只在第一次打印时印出）"),
    )


def file_response(data: bytes, name: str, media_type: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(data, content_type=media_type)
    disposition = "inline" if inline and media_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


@actor_required
def download(request: HttpRequest, pk: int, doc: int, fmt: str) -> HttpResponse:
    try:
        document = selectors.document_for_actor(actor=request.actor, case_id=pk, pk=doc)
    except NotFound:
        raise Http404 from None
    return file_response(*selectors.document_file(document=document, fmt=fmt))


@actor_required
def case_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's documents card (also what the include renders in place)."""
    try:
        context = panel_context(request, pk)
    except NotFound:
        raise Http404 from None
    return render(request, "documents/_case_documents_panel.html", context)


def _back(pk: int) -> HttpResponse:
    return redirect("case_detail", pk=pk)


@require_POST
@actor_required
def service_record(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    try:
        document = selectors.document_for_actor(actor=request.actor, case_id=pk, pk=doc)
    except NotFound:
        raise Http404 from None
    form = ServiceForm(request.POST, prefix=f"svc{doc}")
    if not form.is_valid():
        messages.error(
            request,
            gettext("送达记录有误：%(errors)s")
            % {"errors": "；".join(str(e) for errs in form.errors.values() for e in errs)},
        )
        return _back(document.case_id)
    try:
        services.service_record(actor=request.actor, document=document, **form.cleaned_data)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已记录%(title)s的送达情况。") % {"title": document.title})
    return _back(document.case_id)


@actor_required
def drafts(request: HttpRequest) -> HttpResponse:
    if not request.actor.has_role(Role.AGENCY_HEAD):
        raise Forbidden
    items = list(selectors.drafts_pending(actor=request.actor))
    for x in items:
        x.action_label = gettext(BY_ACTION[x.action].label) if x.action in BY_ACTION else x.action
    return render(request, "documents/drafts.html", {"drafts": items})


def _draft_decide(request: HttpRequest, pk: int, draft_pk: int, *, approve: bool) -> HttpResponse:
    try:
        draft = selectors.draft_for_actor(actor=request.actor, case_id=pk, pk=draft_pk)
    except NotFound:
        raise Http404 from None
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if approve:
            services.draft_approve(draft=draft, actor=request.actor, comment=comment)
            messages.success(request, gettext("已签发。"))
        else:
            services.draft_return(draft=draft, actor=request.actor, comment=comment)
            messages.success(request, gettext("已退回承办人修改。"))
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(draft.case_id)


@require_POST
@actor_required
def draft_approve(request: HttpRequest, pk: int, draft: int) -> HttpResponse:
    return _draft_decide(request, pk, draft, approve=True)


@require_POST
@actor_required
def draft_return(request: HttpRequest, pk: int, draft: int) -> HttpResponse:
    return _draft_decide(request, pk, draft, approve=False)


@never_cache
@actor_required
def receipt(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """回执 at the registration desk. The 查询码 is printed on the first print right after registration
    (the registration view leaves it in the session for this) and never again."""
    try:
        case = case_get_for_actor(actor=request.actor, pk=pk, log_read=False)
        document = services.receipt_issue(case=case, actor=request.actor)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _back(pk)
    codes = dict(request.session.get(SESSION_CODES) or {})
    code = codes.pop(str(case.pk), "")
    if code:
        request.session[SESSION_CODES] = codes
    return file_response(*selectors.document_file(document=document, fmt=fmt, extra={"query_code": code}))


# ------------------------------------------------------------------------------------------ the portal


def _portal_case_id(request: HttpRequest) -> int | None:
    value = request.session.get(SESSION_CASE)
    return int(value) if isinstance(value, int) else None


@never_cache
def portal_notice(request: HttpRequest, notice_pk: int) -> HttpResponse:
    """The petitioner's own notice as PDF (their session's case only). Opening it is the receipt of a
    notice served on the portal (or not yet served): the 复查/复核 window runs from today."""
    case_id = _portal_case_id(request)
    if case_id is None:
        raise Http404
    try:
        document = selectors.document_for_petitioner(case_id=case_id, notice_id=notice_pk)
    except NotFound:
        raise Http404 from None
    services.document_viewed_by_petitioner(document=document)
    return file_response(*selectors.document_file(document=document, fmt="pdf"))


def portal_receipt_offer(request: HttpRequest, *, case_id: int, query_code: str) -> str:
    """For the portal's page that shows the 编号 and 查询码 once: keep them in the session for the 回执 and
    return its URL. The first download prints the 查询码; later ones say it was given at submission."""
    token = secrets.token_urlsafe(16)
    entries = dict(request.session.get(SESSION_PORTAL_RECEIPTS) or {})
    entries[token] = {"case": case_id, "code": query_code}
    request.session[SESSION_PORTAL_RECEIPTS] = dict(list(entries.items())[-PORTAL_RECEIPTS_KEPT:])
    return reverse("documents:portal_receipt", args=[token])


@never_cache
def portal_receipt(request: HttpRequest, token: str) -> HttpResponse:
    """回执 of a web submission (number, date received, the 查询码 on the first download only, what happens
    next and by when), in the registering body's name. Only the session that submitted holds the token."""
    entries = dict(request.session.get(SESSION_PORTAL_RECEIPTS) or {})
    entry = entries.get(token)
    if not isinstance(entry, dict) or not isinstance(entry.get("case"), int):
        raise Http404
    code = entry.get("code") or ""
    if code:
        entries[token] = {"case": entry["case"]}
        request.session[SESSION_PORTAL_RECEIPTS] = entries
    case = (
        cases_unscoped(reason="the portal session's own web submission (its receipt token)")
        .filter(pk=entry["case"])
        .first()
    )
    if case is None:
        raise Http404
    document = services.receipt_issue(case=case, actor=PETITIONER)
    data, name, media_type = selectors.document_file(document=document, fmt="pdf", extra={"query_code": code})
    # A download, not a page: the copy that carries the 查询码 is the file the petitioner keeps.
    return file_response(data, name, media_type, inline=False)
