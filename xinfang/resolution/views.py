"""The centre's pages. Thin: forms shape input, services decide, selectors read. Permission first (the
role, then the selector's scope: a refused user gets the same 404 as a missing referral), input after."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.cases.selectors import case_get_for_actor
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.core.keyset import keyset_page_for_request, query_without
from xinfang.documents.rendering import MEDIA_TYPES, document_render
from xinfang.orgs.decorators import actor_required
from xinfang.orgs.models import Role
from xinfang.resolution import selectors, services
from xinfang.resolution.confirmation import confirmation_light
from xinfang.resolution.documents import agreement_context
from xinfang.resolution.figures import COLUMNS, DRILL_KEYS, centre_figures, centre_figures_xlsx, drill_down
from xinfang.resolution.forms import (
    ConfirmationForm,
    OutcomeForm,
    PartyFormSet,
    ReferralForm,
    SessionForm,
    WithdrawForm,
)
from xinfang.resolution.models import Side, Status
from xinfang.resolution.rules import KIND_RULES, Outcome, ReferralKind

REFERRERS = (Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD)
READERS = (*REFERRERS, Role.MEDIATOR, Role.LEADER, Role.SUPERVISOR)
FIGURE_ROLES = (Role.REGISTRAR, Role.LEADER, Role.SUPERVISOR, Role.AGENCY_HEAD)


def _require(request, *roles) -> None:
    if not request.actor.has_role(*roles):
        raise Http404()


def _get(actor, pk):
    try:
        return selectors.referral_get_for_actor(actor=actor, pk=pk)
    except NotFound as exc:
        raise Http404() from exc


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@actor_required
def index(request):
    _require(request, *READERS)
    actor = request.actor
    org = selectors.organisation_of(actor)
    filters = {k: request.GET.get(k, "") for k in ("status", "kind", "outcome", "q")}
    if "status" not in request.GET:
        filters["status"] = "open"
    qs = selectors.referral_list(actor=actor, filters=filters)
    page, notice = keyset_page_for_request(qs, selectors.REFERRAL_KEYS, request.GET, size=25)  # issue 14
    today = timezone.localdate()
    for r in page:
        r.light = confirmation_light(r, today=today)
    return render(
        request,
        "resolution/index.html",
        {
            "page": page,
            "notice": notice,
            "query": query_without(request.GET, "after"),
            "organisation": org,
            "filters": filters,
            "kinds": ReferralKind.choices,
            "statuses": Status.choices,
        },
    )


def _party_initial(case) -> list[dict]:
    rows = []
    if case is not None:
        for link in case.petitioners.select_related("person")[:5]:
            rows.append({"side": Side.APPLICANT, "name": link.person.name, "person_id": link.person_id})
    if not rows:
        rows.append({"side": Side.APPLICANT})
    rows.append({"side": Side.RESPONDENT})
    return rows


@actor_required
def referral_new(request):
    _require(request, *REFERRERS)
    actor = request.actor
    case = None
    case_param = request.GET.get("case") or request.POST.get("case")
    if case_param:
        if not str(case_param).isdigit():
            raise Http404()
        try:
            case = case_get_for_actor(actor=actor, pk=int(case_param))
        except NotFound as exc:
            raise Http404() from exc
    kind = request.POST.get("kind") or request.GET.get("kind") or ReferralKind.PEOPLES_MEDIATION
    kind = kind if kind in KIND_RULES else ReferralKind.PEOPLES_MEDIATION
    organisations = selectors.organisations_for(body=actor.body, kind=kind)
    error = ""
    if request.method == "POST":
        form = ReferralForm(request.POST, organisations=organisations)
        parties = PartyFormSet(request.POST, prefix="party")
        if form.is_valid() and parties.is_valid():
            inputs = [p for p in (f.as_input() for f in parties.forms) if p is not None]
            try:
                referral = services.referral_create(
                    actor=actor,
                    kind=form.cleaned_data["kind"],
                    organisation=form.cleaned_data["organisation"],
                    summary=form.cleaned_data["summary"],
                    claims=form.cleaned_data["claims"],
                    parties=inputs,
                    case=case,
                )
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    gettext("已移送%(org)s，移送编号%(n)s。")
                    % {"org": referral.organisation.name, "n": referral.number},
                )
                return redirect("resolution:detail", referral.pk)
    else:
        initial = {"kind": kind}
        if case is not None:
            initial["summary"] = case.request
        form = ReferralForm(initial=initial, organisations=organisations)
        parties = PartyFormSet(prefix="party", initial=_party_initial(case))
    return render(
        request,
        "resolution/new.html",
        {
            "form": form,
            "parties": parties,
            "case": case,
            "error": error,
            "consent_kinds": [k for k, r in KIND_RULES.items() if r.consent_required],
        },
        status=400 if error else 200,
    )


@require_GET
@actor_required
def organisation_options(request):
    """htmx: the organisations that take the chosen kind (the form's select)."""
    _require(request, *REFERRERS)
    kind = request.GET.get("kind", "")
    orgs = selectors.organisations_for(body=request.actor.body, kind=kind) if kind in KIND_RULES else []
    return render(request, "resolution/_organisation_options.html", {"organisations": orgs})


@actor_required
def referral_detail(request, pk: int):
    _require(request, *READERS)
    actor = request.actor
    referral, side = _get(actor, pk)
    return render(request, "resolution/detail.html", _detail_context(referral, side, actor))


def _detail_context(referral, side, actor, **forms) -> dict:
    may_record = services._organisation_side(actor, referral) or (
        referral.organisation.body_id is None and services._referring_side(actor, referral)
    )
    return {
        "r": referral,
        "side": side,
        "parties": referral.parties.all(),
        "sessions": referral.sessions.select_related("recorded_by"),
        "notices": referral.notices.all(),
        "may_record": may_record and referral.is_open,
        "may_withdraw": services._referring_side(actor, referral) and referral.is_open,
        "may_confirm": referral.confirmation_due_on and not referral.confirmation_applied_on,
        "light": confirmation_light(referral, today=timezone.localdate()),
        "session_form": forms.get("session_form") or SessionForm(),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(kind=referral.kind),
        "confirmation_form": forms.get("confirmation_form") or ConfirmationForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "error": forms.get("error", ""),
        "agreement": referral.outcome in (Outcome.MEDIATION_AGREEMENT, Outcome.SETTLEMENT_AGREEMENT),
        # The referring side may open the case; the organisation sees only the referral.
        "show_case": side == selectors.REFERRER and referral.case_id,
    }


def _post(request, pk: int, form_name: str, form, call):
    actor = request.actor
    referral, side = _get(actor, pk)
    if form.is_valid():
        try:
            call(referral, form.cleaned_data)
        except ApplicationError as exc:
            referral, side = _get(actor, pk)
            ctx = _detail_context(referral, side, actor, **{form_name: form, "error": exc.message})
            return render(request, "resolution/detail.html", ctx, status=400)
        return redirect("resolution:detail", pk)
    ctx = _detail_context(referral, side, actor, **{form_name: form, "error": gettext("请检查填写的内容。")})
    return render(request, "resolution/detail.html", ctx, status=400)


@require_POST
@actor_required
def referral_accept(request, pk: int):
    _require(request, Role.MEDIATOR, *REFERRERS)
    _get(request.actor, pk)
    try:
        services.referral_accept(actor=request.actor, referral_id=pk)
    except NotFound as exc:
        raise Http404() from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("resolution:detail", pk)


@require_POST
@actor_required
def session_new(request, pk: int):
    _require(request, Role.MEDIATOR, *REFERRERS)
    return _post(
        request,
        pk,
        "session_form",
        SessionForm(request.POST),
        lambda r, d: services.session_record(actor=request.actor, referral_id=r.pk, **d),
    )


@require_POST
@actor_required
def outcome_record(request, pk: int):
    _require(request, Role.MEDIATOR, *REFERRERS)
    referral, _side = _get(request.actor, pk)
    return _post(
        request,
        pk,
        "outcome_form",
        OutcomeForm(request.POST, kind=referral.kind),
        lambda r, d: services.referral_outcome_record(actor=request.actor, referral_id=r.pk, **d),
    )


@require_POST
@actor_required
def confirmation_record(request, pk: int):
    _require(request, Role.MEDIATOR, *REFERRERS)
    return _post(
        request,
        pk,
        "confirmation_form",
        ConfirmationForm(request.POST),
        lambda r, d: services.referral_confirmation_record(actor=request.actor, referral_id=r.pk, **d),
    )


@require_POST
@actor_required
def referral_withdraw(request, pk: int):
    _require(request, *REFERRERS)
    return _post(
        request,
        pk,
        "withdraw_form",
        WithdrawForm(request.POST),
        lambda r, d: services.referral_withdraw(actor=request.actor, referral_id=r.pk, **d),
    )


@require_GET
@actor_required
def agreement_document(request, pk: int, fmt: str):
    """The 调解协议书 / 和解协议书 as Word or PDF, rendered by xinfang.documents from the stored outcome."""
    _require(request, *READERS)
    referral, _side = _get(request.actor, pk)
    if referral.outcome not in (Outcome.MEDIATION_AGREEMENT, Outcome.SETTLEMENT_AGREEMENT):
        raise Http404()

    if fmt not in MEDIA_TYPES:
        raise Http404()

    kind, context = agreement_context(referral)
    data = document_render(kind=kind, context=context, fmt=fmt)
    response = HttpResponse(data, content_type=MEDIA_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{referral.number}.{fmt}"'
    return response


# ------------------------------------------------------------------------------------------------ figures


@actor_required
def figures(request):
    _require(request, *FIGURE_ROLES)
    year = _year(request)
    today = timezone.localdate()
    return render(
        request,
        "resolution/figures.html",
        {
            "f": centre_figures(body=request.actor.body, year=year),
            "columns": COLUMNS,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
        },
    )


@actor_required
def figures_xlsx(request):
    _require(request, *FIGURE_ROLES)
    year = _year(request)
    data = centre_figures_xlsx(centre_figures(body=request.actor.body, year=year))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="resolution-{year}.xlsx"'
    return response


@actor_required
def figures_drill(request):
    _require(request, *FIGURE_ROLES)
    year = _year(request)
    column = request.GET.get("column", "")
    month = request.GET.get("month", "")
    month_n = int(month) if month.isdigit() and 1 <= int(month) <= 12 else None
    ids = {k: request.GET.get(k, "") for k in ("organisation", "body")}
    ids = {k: int(v) if v.isdigit() and len(v) < 12 else None for k, v in ids.items()}
    qs = drill_down(
        body=request.actor.body,
        year=year,
        column=column,
        month=month_n,
        organisation=ids["organisation"],
        referring_body=ids["body"],
    )
    page, notice = keyset_page_for_request(qs, DRILL_KEYS, request.GET, size=50)
    labels = dict(COLUMNS)
    return render(
        request,
        "resolution/drill.html",
        {
            "page": page,
            "notice": notice,
            "query": query_without(request.GET, "after"),
            "year": year,
            "month": month_n,
            "column": column,
            "label": labels.get(column, ""),
        },
    )


@actor_required
def organisations(request):
    _require(request, *READERS)
    orgs = selectors.organisations_for(body=request.actor.body)
    return render(request, "resolution/organisations.html", {"organisations": orgs})
