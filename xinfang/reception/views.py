"""The hall's pages. Thin: forms shape the input, services decide, selectors read; an ApplicationError's
message is shown where the input was. Permission is checked (the actor's role, the selectors' scope) before
any input is looked at."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.cases.selectors import case_get_for_actor
from xinfang.cases.services import PetitionerInput
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.core.events import event_record
from xinfang.core.keyset import keyset_page_for_request, query_without
from xinfang.core.periods import GROUP_VISIT_MAX_REPRESENTATIVES
from xinfang.core.web import call_or_404 as _get
from xinfang.core.web import require_role as _require
from xinfang.documents.views import receipt_offer
from xinfang.orgs.decorators import actor_required
from xinfang.orgs.models import Region, Role
from xinfang.reception import selectors, services
from xinfang.reception.figures import duty_counts, hall_figures, last_days
from xinfang.reception.forms import (
    ArchiveForm,
    ArchiveSearchForm,
    CancelForm,
    CheckinForm,
    ConcludeForm,
    HearingForm,
    OpenDayForm,
    PersonFormSet,
    PublishForm,
    ShiftForm,
    TransferForm,
    VisitForm,
    agencies_near,
)
from xinfang.reception.models import DutyShift, HearingStatus, ServiceKind, VisitOutcome

HALL = (Role.REGISTRAR,)
HEARING_ROLES = (Role.CASE_OFFICER, Role.AGENCY_HEAD, Role.REGISTRAR)
FIGURE_ROLES = (Role.REGISTRAR, Role.LEADER, Role.SUPERVISOR, Role.AGENCY_HEAD)
RECEIPT_SESSION = "hall_receipt_codes"


# -------------------------------------------------------------------------------- desk, kiosk, tickets


@actor_required
def desk(request):
    _require(request, *HALL)
    actor = request.actor
    today = selectors.hall_today(body=actor.body)
    form = CheckinForm(services=selectors.service_list(actor=actor))
    return render(
        request,
        "reception/desk.html",
        {
            "today": today,
            "form": form,
            "open_agency": _rendered(OpenDayForm(agencies=agencies_near(actor.body)), "agency"),
            "shifts": selectors.shifts_on(actor=actor, on=today.date),
        },
    )


@require_POST
@actor_required
def checkin(request):
    _require(request, *HALL)
    form = CheckinForm(request.POST, services=selectors.service_list(actor=request.actor))
    if not form.is_valid():
        messages.error(request, gettext("请选择窗口并填写来访人数。"))
        return redirect("reception:desk")
    try:
        ticket = services.ticket_issue(
            actor=request.actor,
            service=form.cleaned_data["service"],
            party_size=form.cleaned_data["party_size"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reception:desk")
    return redirect("reception:ticket", pk=ticket.pk)


@actor_required
def kiosk(request):
    """A visitor takes a number on the hall's tablet (logged in as the hall): one big button per service."""
    _require(request, *HALL)
    actor = request.actor
    error = ""
    if request.method == "POST":
        try:
            service = selectors.service_get(actor=actor, pk=int(request.POST.get("service", "0") or 0))
            ticket = services.ticket_issue(actor=actor, service=service, from_kiosk=True)
        except (ValueError, NotFound):
            error = gettext("请选择要办理的事项。")
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect(f"{_url('reception:ticket', pk=ticket.pk)}?kiosk=1")
    today = selectors.hall_today(body=actor.body)
    return render(request, "reception/kiosk.html", {"today": today, "error": error})


def _rendered(form, *names):

    return mark_safe(" ".join(str(form[n]) for n in names))


def _url(name, **kwargs):

    return reverse(name, kwargs=kwargs)


@actor_required
def ticket(request, pk):
    _require(request, *HALL)
    t = _get(selectors.ticket_get, actor=request.actor, pk=pk)
    ahead = selectors.window_queue(actor=request.actor, day=t.service_day).filter(number__lt=t.number).count()
    return render(
        request, "reception/ticket.html", {"t": t, "ahead": ahead, "kiosk": request.GET.get("kiosk") == "1"}
    )


# ---------------------------------------------------------------------------------------- the board


@require_GET
def board(request, code):
    body = _get(selectors.board_body, code=code)
    return render(
        request,
        "reception/board.html",
        {"today": selectors.hall_today(body=body), "code": code, "max_reps": GROUP_VISIT_MAX_REPRESENTATIVES},
    )


@require_GET
def board_panel(request, code):
    body = _get(selectors.board_body, code=code)
    return render(request, "reception/_board_panel.html", {"today": selectors.hall_today(body=body)})


# ------------------------------------------------------------------------------------------ windows


@require_POST
@actor_required
def service_open(request, pk):
    _require(request, *HALL)
    service = _get(selectors.service_get, actor=request.actor, pk=pk)
    form = OpenDayForm(request.POST, agencies=agencies_near(request.actor.body))
    agency = form.cleaned_data.get("agency") if form.is_valid() else None
    try:
        day = services.service_day_open(actor=request.actor, service=service, agency=agency)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reception:desk")
    return redirect("reception:window", pk=day.pk)


@actor_required
def window(request, pk):
    _require(request, *HALL)
    actor = request.actor
    day = _get(selectors.service_day_get, actor=actor, pk=pk)
    queue = list(selectors.window_queue(actor=actor, day=day))
    return render(
        request,
        "reception/window.html",
        {
            "day": day,
            "queue": queue,
            # Rendered once: a bound select per row would query its choices again for every ticket.
            "transfer_fields": _rendered(
                TransferForm(
                    services=selectors.service_list(actor=actor).exclude(pk=day.service_id),
                    agencies=agencies_near(actor.body),
                ),
                "to_service",
                "agency",
            ),
        },
    )


@require_POST
@actor_required
def call_next(request, pk):
    _require(request, *HALL)
    day = _get(selectors.service_day_get, actor=request.actor, pk=pk)
    called = services.ticket_call_next(actor=request.actor, service_day=day)
    if called is None:
        messages.info(request, gettext("当前没有等候的号码。"))
    return redirect("reception:window", pk=day.pk)


TICKET_ACTIONS = {
    "start": services.ticket_start,
    "recall": services.ticket_recall,
    "no_show": services.ticket_no_show,
}


@require_POST
@actor_required
def ticket_act(request, pk, action):
    _require(request, *HALL)
    t = _get(selectors.ticket_get, actor=request.actor, pk=pk)
    fn = TICKET_ACTIONS.get(action)
    if fn is None:
        raise Http404()
    try:
        fn(actor=request.actor, ticket=t)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if action == "start":
        return redirect("reception:visit_for_ticket", pk=t.pk)
    return redirect("reception:window", pk=t.service_day_id)


@require_POST
@actor_required
def ticket_transfer(request, pk):
    _require(request, *HALL)
    actor = request.actor
    t = _get(selectors.ticket_get, actor=actor, pk=pk)
    form = TransferForm(
        request.POST, services=selectors.service_list(actor=actor), agencies=agencies_near(actor.body)
    )
    if not form.is_valid():
        messages.error(request, gettext("请选择分流的窗口。"))
        return redirect("reception:window", pk=t.service_day_id)
    try:
        new = services.ticket_transfer(
            actor=actor,
            ticket=t,
            to_service=form.cleaned_data["to_service"],
            agency=form.cleaned_data["agency"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reception:window", pk=t.service_day_id)
    messages.success(request, gettext("已分流，新号码 %(code)s。") % {"code": new.code})
    return redirect("reception:ticket", pk=new.pk)


# ------------------------------------------------------------------------------------------- visits


def _people(formset) -> list[PetitionerInput]:
    out = []
    for f in formset.forms:
        if f.is_blank():
            continue
        d = f.cleaned_data
        out.append(
            PetitionerInput(
                name=d.get("name", ""),
                id_number=d.get("id_number", ""),
                phone=d.get("phone", ""),
                address=d.get("address", ""),
                is_representative=bool(d.get("is_representative")),
            )
        )
    return out


def _visit_form(request, ticket=None):
    actor = request.actor
    shifts = selectors.shifts_on(actor=actor, on=timezone.localdate())
    regions = Region.objects.filter(path__startswith=actor.body.region.path).order_by("code")
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES, shifts=shifts, regions=regions)
        formset = PersonFormSet(request.POST, prefix="p")
        if form.is_valid() and formset.is_valid():
            d = form.cleaned_data
            new_case = None
            if d["outcome"] == VisitOutcome.NEW_CASE:
                new_case = services.NewCaseInput(
                    petition_type=d["petition_type"],
                    problem_region=d["problem_region"],
                    request=d["statement"],
                    category=d["category"],
                )
            try:
                result = services.visit_record(
                    actor=actor,
                    ticket=ticket,
                    people=_people(formset),
                    is_group=d["is_group"],
                    people_count=d["people_count"],
                    statement=d["statement"],
                    reply=d["reply"],
                    outcome=d["outcome"],
                    consultation_kind=d["consultation_kind"],
                    case_number=d["case_number"],
                    new_case=new_case,
                    leader_shift=d["leader_shift"],
                    lawyer_shift=d["lawyer_shift"],
                    recording_ref=d["recording_ref"],
                    recording_device=d["recording_device"],
                    recording_start=d["recording_start"],
                    recording_end=d["recording_end"],
                    recording_file=d["recording_file"],
                )
            except ApplicationError as exc:
                for key, message in exc.extra.items():
                    if key in form.fields:
                        form.add_error(key, message)
                form.add_error(None, exc.message)
            else:
                if result.registration is not None:
                    # The 查询码 exists only now (a hash is kept): the visit receipt prints it once, and so
                    # does the documents app's 登记回执 (receipt_offer keeps it for that one print).
                    codes = request.session.get(RECEIPT_SESSION, {})
                    codes[str(result.visit.pk)] = result.registration.query_code
                    request.session[RECEIPT_SESSION] = codes

                    receipt_offer(
                        request, case=result.registration.case, query_code=result.registration.query_code
                    )
                    messages.success(request, result.registration.message or gettext("已登记为信访事项。"))
                for w in result.warnings:
                    messages.warning(request, w)
                return redirect("reception:visit", pk=result.visit.pk)
    else:
        form = VisitForm(
            shifts=shifts,
            regions=regions,
            initial={
                "people_count": ticket.party_size if ticket else 1,
                "is_group": bool(ticket and ticket.party_size >= 5),
            },
        )
        formset = PersonFormSet(prefix="p")
    return render(
        request,
        "reception/visit_form.html",
        {"form": form, "formset": formset, "ticket": ticket, "max_reps": GROUP_VISIT_MAX_REPRESENTATIVES},
    )


@actor_required
def visit_for_ticket(request, pk):
    _require(request, *HALL)
    t = _get(selectors.ticket_get, actor=request.actor, pk=pk)
    return _visit_form(request, ticket=t)


@actor_required
def visit_new(request):
    _require(request, *HALL)
    return _visit_form(request)


@actor_required
def visits(request):
    _require(request, *HALL)
    filters = {"q": request.GET.get("q", ""), "outcome": request.GET.get("outcome", "")}
    if request.GET.get("date"):
        with contextlib.suppress(ValueError):
            filters["date"] = date.fromisoformat(request.GET["date"])
    qs = selectors.visit_list(actor=request.actor, filters=filters)
    page, notice = keyset_page_for_request(qs, selectors.VISIT_KEYS, request.GET, size=50)  # issue 14
    return render(
        request,
        "reception/visits.html",
        {
            "page": page,
            "notice": notice,
            "query": query_without(request.GET, "after"),
            "filters": filters,
            "outcomes": VisitOutcome.choices,
        },
    )


@actor_required
def visit(request, pk):
    _require(request, *HALL)
    v = _get(selectors.visit_get, actor=request.actor, pk=pk)
    return render(request, "reception/visit.html", {"v": v})


@actor_required
def receipt(request, pk):
    """The printed receipt (回执) of a visit: what was recorded and, for a new case, its number and 查询码."""
    _require(request, *HALL)
    v = _get(selectors.visit_get, actor=request.actor, pk=pk)
    codes = dict(request.session.get(RECEIPT_SESSION) or {})
    code = codes.pop(str(v.pk), "")  # printed once, like the documents app's 回执
    if code:
        request.session[RECEIPT_SESSION] = codes
    return render(request, "reception/receipt.html", {"v": v, "query_code": code})


@actor_required
def recording(request, pk):
    _require(request, *HALL)
    v = _get(selectors.visit_get, actor=request.actor, pk=pk)
    if not v.recording_file:
        raise Http404()

    event_record(
        actor=request.actor.user,
        actor_label=request.actor.label,
        body=request.actor.body,
        obj=v,
        action="hall_recording_read",
    )
    return FileResponse(
        v.recording_file.open("rb"), as_attachment=True, filename=v.recording_file.name.rsplit("/", 1)[-1]
    )


# ------------------------------------------------------------------------------------------ rosters


@actor_required
def duty(request):
    _require(request, *HALL)
    actor = request.actor
    today = timezone.localdate()
    form = ShiftForm(
        request.POST or None, services=selectors.service_list(actor=actor), initial={"date": today}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.duty_shift_add(
                actor=actor,
                on=d["date"],
                kind=d["kind"],
                name=d["name"],
                affiliation=d["affiliation"],
                service=d["service"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("reception:duty")
    start, end = today - timedelta(days=7), today + timedelta(days=14)
    return render(
        request,
        "reception/duty.html",
        {
            "form": form,
            "shifts": selectors.shift_list(actor=actor, start=start, end=end),
            "counts": duty_counts(body=actor.body, start=today - timedelta(days=364), end=today),
        },
    )


@require_POST
@actor_required
def duty_remove(request, pk):
    _require(request, *HALL)

    shift = DutyShift.objects.filter(pk=pk, body=request.actor.body).first()
    if shift is None:
        raise Http404()
    try:
        services.duty_shift_remove(actor=request.actor, shift=shift)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("reception:duty")


# ----------------------------------------------------------------------------------------- hearings


@actor_required
def hearings(request):
    _require(request, *HEARING_ROLES)
    status = request.GET.get("status", "")
    rows = selectors.hearing_list(
        actor=request.actor, status=status if status in HearingStatus.values else ""
    )
    page, notice = keyset_page_for_request(rows, selectors.HEARING_KEYS, request.GET, size=50)
    return render(
        request,
        "reception/hearings.html",
        {"page": page, "notice": notice, "query": query_without(request.GET, "after"), "status": status},
    )


@actor_required
def hearing_new(request):
    _require(request, *HEARING_ROLES)
    actor = request.actor
    try:
        if request.GET.get("number"):
            case = case_get_for_actor(actor=actor, number=request.GET["number"].strip(), log_read=False)
        else:
            case = case_get_for_actor(actor=actor, pk=int(request.GET.get("case", "0") or 0), log_read=False)
    except (ValueError, NotFound) as exc:
        raise Http404() from exc
    form = HearingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            h = services.hearing_schedule(
                actor=actor,
                case=case,
                basis=d["basis"],
                scheduled_at=d["scheduled_at"],
                place=d["place"],
                participants=d["participants"],
                reason=d["reason"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("reception:hearing", pk=h.pk)
    return render(request, "reception/hearing_new.html", {"form": form, "case": case})


@actor_required
def hearing(request, pk):
    _require(request, *HEARING_ROLES)
    h = _get(selectors.hearing_get, actor=request.actor, pk=pk)
    from xinfang.documents.models import Document  # the 听证通知 as a numbered document (documents app)

    return render(
        request,
        "reception/hearing.html",
        {
            "h": h,
            "notice_document": Document.objects.filter(notice_id=h.notice_id).first()
            if h.notice_id
            else None,
            "participants": list(h.participants.all()),
            "conclude_form": ConcludeForm(),
            "cancel_form": CancelForm(),
            "publish_form": PublishForm(initial={"summary": h.public_summary}),
        },
    )


HEARING_ACTIONS = {
    "conclude": (ConcludeForm, lambda a, h, d: services.hearing_conclude(actor=a, hearing=h, **d)),
    "cancel": (CancelForm, lambda a, h, d: services.hearing_cancel(actor=a, hearing=h, **d)),
    "publish": (PublishForm, lambda a, h, d: services.hearing_publish(actor=a, hearing=h, **d)),
}


@require_POST
@actor_required
def hearing_act(request, pk, action):
    _require(request, *HEARING_ROLES)
    h = _get(selectors.hearing_get, actor=request.actor, pk=pk)
    if action not in HEARING_ACTIONS:
        raise Http404()
    form_class, fn = HEARING_ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请填写必填内容。"))
    else:
        try:
            fn(request.actor, h, form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("reception:hearing", pk=h.pk)


@require_GET
def hearings_public(request):
    page, notice = keyset_page_for_request(
        selectors.hearings_published(), selectors.HEARING_PUBLIC_KEYS, request.GET, size=20
    )
    return render(
        request,
        "reception/hearings_public.html",
        {"page": page, "notice": notice, "query": query_without(request.GET, "after")},
    )


@require_GET
def hearing_public(request, pk):
    h = _get(selectors.hearing_published_get, pk=pk)
    return render(request, "reception/hearing_public.html", {"h": h})


# ------------------------------------------------------------------------------------------ archive


@actor_required
def archive(request):
    actor = request.actor
    _require(request, Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD)
    search = ArchiveSearchForm(request.GET or None)
    q = retention = ""
    if search.is_valid():
        q, retention = search.cleaned_data["q"], search.cleaned_data["retention"]
    qs = selectors.archive_list(actor=actor, q=q, retention=retention)
    page, notice = keyset_page_for_request(qs, selectors.ARCHIVE_KEYS, request.GET, size=50)
    pending = list(selectors.archivable_cases(actor=actor)[:50])
    return render(
        request,
        "reception/archive.html",
        {
            "page": page,
            "notice": notice,
            "query": query_without(request.GET, "after"),
            "search": search,
            "pending": pending,
            "form": ArchiveForm(),
        },
    )


@require_POST
@actor_required
def archive_case(request, case_pk):
    actor = request.actor
    _require(request, Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD)
    case = _get(case_get_for_actor, actor=actor, pk=case_pk, log_read=False)
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择保管期限。"))
        return redirect("reception:archive")
    try:
        record = services.case_archive(
            actor=actor,
            case=case,
            retention=form.cleaned_data["retention"],
            location=form.cleaned_data["location"],
            expected_version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已归档，档号 %(number)s。") % {"number": record.number})
    return redirect("reception:archive")


# ------------------------------------------------------------------------------------------ figures


@actor_required
def figures(request):
    _require(request, *FIGURE_ROLES)
    today = timezone.localdate()
    try:
        days = min(max(int(request.GET.get("days", "30")), 1), 366)
    except ValueError:
        days = 30
    start, end = last_days(today, days)
    f = hall_figures(body=request.actor.body, start=start, end=end)
    return render(
        request,
        "reception/figures.html",
        {"f": f, "days": days, "kinds": dict(ServiceKind.choices)},
    )
