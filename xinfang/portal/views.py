"""The petitioner's pages: public, no staff login. Views only parse, call a portal service or selector,
and render; the protections live in services.py, ratelimit.py and humancheck.py."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xinfang.cases.models import PetitionType
from xinfang.cases.portal_session import SESSION_CASE, SESSION_RECEIPTS
from xinfang.core.errors import ApplicationError, RateLimited
from xinfang.documents.views import portal_receipt_offer
from xinfang.portal import humancheck, ratelimit
from xinfang.portal.forms import (
    MAX_ATTACHMENTS,
    PETITION_TYPE_HELP,
    AppealForm,
    ContactForm,
    EvaluateForm,
    SubmitForm,
    TrackForm,
)
from xinfang.portal.selectors import portal_case_for_session, portal_case_view, portal_petitioner_of
from xinfang.portal.services import (
    PetitionInput,
    portal_appeal,
    portal_case_unlock,
    portal_contact_change,
    portal_evaluate,
    portal_submit,
)

# SESSION_CASE, SESSION_RECEIPTS: xinfang/cases/portal_session.py (imported above), shared with documents.


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def _submit_page(
    request: HttpRequest, form: SubmitForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    challenge = humancheck.challenge_new(request.session)
    form.data = form.data.copy() if form.is_bound else form.data
    if form.is_bound:
        form.data["human_answer"] = ""
        form.data["human_token"] = challenge.token
    else:
        form.initial["human_token"] = challenge.token
    type_help = [
        (value, _(label), PETITION_TYPE_HELP[PetitionType(value)]) for value, label in PetitionType.choices
    ]
    return render(
        request,
        "portal/submit.html",
        {
            "form": form,
            "question": challenge.question,
            "error": error,
            "type_help": type_help,
            "max_attachments": MAX_ATTACHMENTS,
        },
        status=status,
    )


@never_cache
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _submit_page(request, SubmitForm())
    form = SubmitForm(request.POST, request.FILES)
    try:
        humancheck.challenge_verify(
            request.session,
            token=request.POST.get("human_token", "")[:400],
            answer=request.POST.get("human_answer", ""),
            honeypot=request.POST.get(humancheck.HONEYPOT_FIELD, ""),
        )
    except humancheck.HumanCheckFailed as exc:
        form.is_valid()  # show field errors as well, so the person fixes everything at once
        return _submit_page(request, form, error=exc.message, status=400)
    if not form.is_valid():
        return _submit_page(request, form, error=_("填写的内容有误，请按提示修改后再提交。"), status=400)
    d = form.cleaned_data
    try:
        result = portal_submit(
            petition=PetitionInput(
                name=d["name"],
                id_number=d["id_number"],
                phone=d["phone"],
                address=d["address"],
                email=d["email"],
                problem_region=d["problem_region"],
                petition_type=d["petition_type"],
                request=d["request_text"],
                facts=d["facts"],
            ),
            attachments=d["attachments"],
            address=ratelimit.client_address(request),
        )
    except ApplicationError as exc:
        return _submit_page(request, form, error=exc.message, status=exc.http_status)
    token = secrets.token_urlsafe(16)
    receipts = dict(request.session.get(SESSION_RECEIPTS) or {})
    receipts[token] = {
        "case_id": result.case.pk,
        "number": result.case.number,
        "code": result.query_code,
        "outcome": result.outcome,
        "message": result.message,
        "body": result.case.registering_body.name,
        "email": bool(d["email"]),
    }
    request.session[SESSION_RECEIPTS] = receipts
    return redirect("portal:submitted", token=token)


@never_cache
def submitted(request: HttpRequest, token: str) -> HttpResponse:
    """The 编号 and 查询码, once: the receipt is taken out of the session as it is shown."""
    receipts = dict(request.session.get(SESSION_RECEIPTS) or {})
    receipt = receipts.pop(token, None)
    request.session[SESSION_RECEIPTS] = receipts
    if receipt and receipt.get("case_id"):
        # The 回执 as PDF (issue 15): its first download prints the 查询码, like this page, once.
        receipt["pdf_url"] = portal_receipt_offer(
            request, case_id=receipt["case_id"], query_code=receipt["code"]
        )
    response = render(request, "portal/submitted.html", {"receipt": receipt}, status=200 if receipt else 410)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    response["Pragma"] = "no-cache"
    return response


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                case = portal_case_unlock(
                    number=form.cleaned_data["number"],
                    code=form.cleaned_data["code"],
                    address=ratelimit.client_address(request),
                )
            except RateLimited as exc:
                error, status = exc.message, 429
            except ApplicationError as exc:
                error, status = exc.message, 403
            else:
                request.session.cycle_key()  # a fresh session id once the case is unlocked
                request.session[SESSION_CASE] = case.pk
                return redirect("portal:case")
        else:
            error, status = _("编号或查询码不正确，请核对后重新输入。"), 400
    return render(
        request,
        "portal/track.html",
        {"form": form, "error": error, "has_case": bool(request.session.get(SESSION_CASE))},
        status=status,
    )


def _session_case_id(request: HttpRequest) -> int | None:
    value = request.session.get(SESSION_CASE)
    return int(value) if isinstance(value, int) else None


@never_cache
def case(request: HttpRequest) -> HttpResponse:
    case_id = _session_case_id(request)
    if case_id is None:
        messages.info(request, _("请先输入编号和查询码。"))
        return redirect("portal:track")
    view = portal_case_view(case_id=case_id)
    return render(
        request,
        "portal/case.html",
        {
            "v": view,
            "today": timezone.localdate(),  # the office's day (Asia/Shanghai), not the server's
            "evaluate_form": EvaluateForm(),
            "appeal_form": AppealForm(),
        },
    )


@require_POST
def evaluate(request: HttpRequest) -> HttpResponse:
    case_id = _session_case_id(request)
    if case_id is None:
        return redirect("portal:track")
    form = EvaluateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("portal:case")
    try:
        evaluation = portal_evaluate(
            case=portal_case_for_session(case_id=case_id),
            result=form.cleaned_data["result"],
            comment=form.cleaned_data["comment"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("评价已提交：%(result)s。感谢您的评价。") % {"result": evaluation.get_result_display()}
        )
    return redirect(reverse("portal:case") + "#evaluate")


@require_POST
def appeal(request: HttpRequest) -> HttpResponse:
    case_id = _session_case_id(request)
    if case_id is None:
        return redirect("portal:track")
    form = AppealForm(request.POST)
    action = request.POST.get("action", "")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(reverse("portal:case") + "#appeal")
    try:
        updated = portal_appeal(
            case=portal_case_for_session(case_id=case_id), action=action, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:  # a closed window's message names its closing date (the services')
        messages.error(request, exc.message)
    else:
        if action == "request_review":
            done = _("您的复查请求已提交，由%(body)s办理。")
        else:
            done = _("您的复核请求已提交，由%(body)s办理。")
        messages.success(request, done % {"body": updated.current_body.name})
    return redirect(reverse("portal:case") + "#appeal")


@never_cache
def contact(request: HttpRequest) -> HttpResponse:
    """Change the petitioner's contact details, for the case unlocked in this session only (issue #9)."""
    case_id = _session_case_id(request)
    if case_id is None:
        messages.info(request, _("请先输入编号和查询码。"))
        return redirect("portal:track")
    case = portal_case_for_session(case_id=case_id)
    form = ContactForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            portal_contact_change(case=case, **form.cleaned_data)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("联系方式已变更，原联系方式将收到变更提醒。"))
            return redirect("portal:case")
    person = portal_petitioner_of(case=case)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "portal/contact.html", {"form": form, "error": error, "person": person}, status=status
    )


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_CASE, None)
    return redirect("portal:track")
