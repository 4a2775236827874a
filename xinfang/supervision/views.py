"""The supervision pages. Thin: the role is checked first (a refused user gets the same 404 as a missing record),
then input goes to a service; an ApplicationError's message is shown on the page. Reads go through
`xinfang.supervision.selectors` (scoped by the acting body, cases through the one read path)."""

from __future__ import annotations

from datetime import date, time

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from xinfang.cases.selectors import case_get_for_actor
from xinfang.core.errors import ApplicationError, NotFound, ValidationFailed
from xinfang.core.exports import export_record
from xinfang.core.jobs import export_needs_job, job_start
from xinfang.core.keyset import BadCursor, keyset_page_for_request, query_without
from xinfang.core.web import call_or_404 as _get
from xinfang.core.web import form_date as _date
from xinfang.core.web import post_action as _act
from xinfang.core.web import require_role as _require
from xinfang.documents.rendering import MEDIA_TYPES
from xinfang.orgs.decorators import actor_required
from xinfang.orgs.models import Body, Membership, Role, User
from xinfang.supervision import selectors, services
from xinfang.supervision.exports import campaign_ledger_xlsx, figures_xlsx, leader_ledger_xlsx
from xinfang.supervision.figures import supervision_figures
from xinfang.supervision.models import (
    FIVE_RENEWALS,
    Adoption,
    CampaignResult,
    FollowUp,
    ReceptionKind,
    RecommendationKind,
    StepKind,
    SupervisionKind,
    SupervisionReason,
    SupervisionStatus,
)

SUP = (Role.SUPERVISOR,)
LEAD = (Role.LEADER, Role.SUPERVISOR)
PAGE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _body(value: str, field: str = "body") -> Body:
    body = (
        Body.objects.select_related("region").filter(pk=value).first() if str(value or "").isdigit() else None
    )
    if body is None:
        body = Body.objects.select_related("region").filter(code=(value or "").strip()).first()
    if body is None:
        msg = gettext("请选择单位。")
        raise ValidationFailed(msg, extra={field: msg})
    return body


def _bodies_under(actor):
    """The bodies a supervisor may address (its region), for the pickers."""
    return (
        Body.objects.filter(region__path__startswith=actor.body.region.path, is_active=True)
        .exclude(pk=actor.body.pk)
        .order_by("region__path", "code")
        .only("pk", "name")
    )


def _top_region_path(actor) -> str:
    first = actor.body.region.path.strip("/").split("/")[0]
    return f"/{first}/"


def _leaders_near(actor):
    return (
        # leaders of the whole top-level region (a higher leader for 提级包案 sits above the actor's own level)
        Membership.objects.filter(role=Role.LEADER, body__region__path__startswith=_top_region_path(actor))
        .select_related("user", "body")
        .order_by("body__region__path", "user__display_name")
    )


# ----------------------------------------------------------------------------------------------- 督办


@actor_required
def index(request):
    actor = request.actor
    filters = {k: request.GET.get(k, "") for k in ("side", "status", "kind", "late")}
    notice = ""
    try:  # keyset pages (core/keyset.py, issue 14): the same cost at any depth and data size
        page = selectors.supervision_page(
            actor=actor, filters=filters, after=request.GET.get("after"), size=PAGE
        )
    except BadCursor as e:
        notice = e.message
        page = selectors.supervision_page(actor=actor, filters=filters, after=None, size=PAGE)
    return render(
        request,
        "supervision/index.html",
        {
            "page": page,
            "notice": notice,
            "query": query_without(request.GET, "after"),
            "filters": filters,
            "statuses": SupervisionStatus.choices,
            "kinds": SupervisionKind.objects.filter(is_active=True),
            "today": timezone.localdate(),
            "may_issue": actor.has_role(*SUP),
        },
    )


@actor_required
def supervision_new(request):
    _require(request, *SUP)
    actor = request.actor
    error, values = None, {}
    if request.method == "POST":
        values = request.POST
        try:
            kind = SupervisionKind.objects.filter(pk=values.get("kind") or 0).first()
            if kind is None:
                raise ValidationFailed(gettext("请选择督办方式。"))
            sup = services.supervision_issue(
                actor=actor,
                kind=kind,
                body=_body(values.get("body")),
                case_numbers=values.get("cases", "").replace("，", ",").replace("\n", ",").split(","),
                reason=values.get("reason", ""),
                requirement=values.get("requirement", ""),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, gettext("已发出督办 %(n)s。") % {"n": sup.number})
            return redirect("supervision:detail", pk=sup.pk)
    return render(
        request,
        "supervision/new.html",
        {
            "error": error,
            "values": values,
            "kinds": SupervisionKind.objects.filter(is_active=True),
            "reasons": SupervisionReason.choices,
            "bodies": _bodies_under(actor),
            "prefill_case": request.GET.get("case", ""),
        },
    )


@actor_required
def detail(request, pk: int):
    actor = request.actor
    sup = _get(selectors.supervision_get, actor=actor, pk=pk)
    return render(
        request,
        "supervision/detail.html",
        {
            "s": sup,
            "issuer": sup.issuing_body_id == actor.body.pk and actor.has_role(*SUP),
            "addressee": sup.body_id == actor.body.pk,
            "today": timezone.localdate(),
            "late": sup.status == SupervisionStatus.OPEN and sup.reply_due < timezone.localdate(),
        },
    )


def _sup_post(request, pk, fn, success, **kwargs):
    sup = _get(selectors.supervision_get, actor=request.actor, pk=pk)
    return _act(request, fn, success, reverse("supervision:detail", args=[pk]), supervision=sup, **kwargs)


@require_POST
@actor_required
def reply(request, pk: int):
    return _sup_post(
        request,
        pk,
        services.supervision_reply,
        gettext("已书面回复。"),
        measures=request.POST.get("measures", ""),
        result=request.POST.get("result", ""),
    )


@require_POST
@actor_required
def close(request, pk: int):
    _require(request, *SUP)
    return _sup_post(
        request, pk, services.supervision_close, gettext("督办已办结。"), note=request.POST.get("note", "")
    )


@require_POST
@actor_required
def send_back(request, pk: int):
    _require(request, *SUP)
    return _sup_post(
        request,
        pk,
        services.supervision_reopen,
        gettext("已退回重新办理。"),
        note=request.POST.get("note", ""),
    )


@require_POST
@actor_required
def escalate(request, pk: int):
    _require(request, *SUP)
    sup = _get(selectors.supervision_get, actor=request.actor, pk=pk)
    try:
        new = services.supervision_escalate(
            actor=request.actor, supervision=sup, requirement=request.POST.get("requirement", "")
        )
    except NotFound as exc:
        raise Http404() from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:detail", pk=pk)
    messages.success(request, gettext("已升级为%(k)s。") % {"k": new.kind.name})
    return redirect("supervision:detail", pk=new.pk)


@require_POST
@actor_required
def dismiss(request, pk: int):
    _require(request, *SUP)
    return _sup_post(
        request,
        pk,
        services.supervision_proposal_dismiss,
        gettext("已决定不予升级。"),
        note=request.POST.get("note", ""),
    )


@actor_required
def letter(request, pk: int):
    actor = request.actor
    sup = _get(selectors.supervision_get, actor=actor, pk=pk)
    fmt = "docx" if request.GET.get("fmt") == "docx" else "pdf"
    try:
        data = services.supervision_letter(actor=actor, supervision=sup, fmt=fmt)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:detail", pk=pk)

    response = HttpResponse(data, content_type=MEDIA_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="supervision-{sup.pk}.{fmt}"'
    return response


# ---------------------------------------------------------------------------------------- 建议


@actor_required
def recommendations(request):
    actor = request.actor
    qs = selectors.recommendation_list(actor=actor)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    error = None
    if request.method == "POST":
        _require(request, *SUP)
        try:
            services.recommendation_issue(
                actor=actor,
                kind=request.POST.get("kind", ""),
                body=_body(request.POST.get("body")),
                text=request.POST.get("text", ""),
                case_numbers=request.POST.get("cases", "").replace("，", ",").split(","),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, gettext("已提出建议，等待书面反馈。"))
            return redirect("supervision:recommendations")
    return render(
        request,
        "supervision/recommendations.html",
        {
            "page": page,
            "error": error,
            "kinds": RecommendationKind.choices,
            "adoptions": Adoption.choices,
            "bodies": _bodies_under(actor) if actor.has_role(*SUP) else [],
            "today": timezone.localdate(),
        },
    )


@require_POST
@actor_required
def recommendation_feedback(request, pk: int):
    rec = _get(selectors.recommendation_get, actor=request.actor, pk=pk)
    return _act(
        request,
        services.recommendation_feedback,
        gettext("已书面反馈采纳情况。"),
        reverse("supervision:recommendations"),
        recommendation=rec,
        adoption=request.POST.get("adoption", ""),
        feedback=request.POST.get("feedback", ""),
    )


# ------------------------------------------------------------------------------------------------ 包案


@actor_required
def leader_cases(request):
    _require(request, *LEAD)
    actor = request.actor
    qs = selectors.leader_case_list(actor=actor, mine=request.GET.get("mine") == "1")
    if request.GET.get("format") == "xlsx":
        return _xlsx(leader_ledger_xlsx(qs), "leader-ledger.xlsx")
    page, notice = keyset_page_for_request(qs, selectors.LEADER_CASE_KEYS, request.GET, size=PAGE)
    return render(
        request,
        "supervision/leader_cases.html",
        {
            "page": page,
            "notice": notice,
            "query": query_without(request.GET, "after"),
            "mine": request.GET.get("mine") == "1",
        },
    )


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@actor_required
def leader_case_new(request):
    _require(request, *LEAD)
    actor = request.actor
    error, values = None, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            try:
                case = case_get_for_actor(actor=actor, number=values.get("case", "").strip(), log_read=False)
            except NotFound:
                raise ValidationFailed(gettext("未找到该信访事项，或您无权查看。")) from None
            leader = None
            if values.get("leader"):
                leader = (
                    User.objects.filter(pk=values["leader"]).first() if values["leader"].isdigit() else None
                )
            dates = {
                k: _date(values.get(f"step_{k}"), f"step_{k}")
                for k in StepKind.values
                if values.get(f"step_{k}")
            }
            lc = services.leader_case_open(
                actor=actor, case=case, leader=leader, plan=values.get("plan", ""), step_dates=dates
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, gettext("已确定包案。"))
            return redirect("supervision:leader_case", pk=lc.pk)
    return render(
        request,
        "supervision/leader_case_new.html",
        {
            "error": error,
            "values": values,
            "steps": StepKind.choices,
            "leaders": _leaders_near(actor) if actor.has_role(*SUP) else [],
            "prefill_case": request.GET.get("case", ""),
        },
    )


@actor_required
def leader_case(request, pk: int):
    _require(request, *LEAD)
    lc = _get(selectors.leader_case_get, actor=request.actor, pk=pk)
    return render(
        request,
        "supervision/leader_case.html",
        {
            "lc": lc,
            "steps": lc.steps.all(),
            "notes": lc.notes.select_related("by"),
            "renewals": [(label, lc.renewals.get(key, "")) for key, label in FIVE_RENEWALS],
            "mine": lc.leader_id == request.actor.user.pk,
            "today": timezone.localdate(),
        },
    )


def _lc_post(request, pk, fn, success, **kwargs):
    _require(request, *LEAD)
    lc = _get(selectors.leader_case_get, actor=request.actor, pk=pk)
    return _act(request, fn, success, reverse("supervision:leader_case", args=[pk]), leader_case=lc, **kwargs)


@require_POST
@actor_required
def leader_case_step(request, pk: int):
    done = request.POST.get("done_on")
    try:
        done_on = _date(done, "done_on") if done else None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:leader_case", pk=pk)
    return _lc_post(
        request,
        pk,
        services.leader_case_step_record,
        gettext("已记录包案环节。"),
        kind=request.POST.get("kind", ""),
        note=request.POST.get("note", ""),
        done_on=done_on,
    )


@require_POST
@actor_required
def leader_case_note(request, pk: int):
    return _lc_post(
        request, pk, services.leader_case_note_add, gettext("已记录进展。"), text=request.POST.get("text", "")
    )


@require_POST
@actor_required
def leader_case_close(request, pk: int):
    return _lc_post(
        request,
        pk,
        services.leader_case_close,
        gettext("包案已结束。"),
        resolved=request.POST.get("resolved") == "1",
        outcome=request.POST.get("outcome", ""),
    )


# ------------------------------------------------------------------------------------------------ 倒流


@actor_required
def backflows(request):
    _require(request, *LEAD)
    status = request.GET.get("status", "flagged")
    qs = selectors.backflow_list(actor=request.actor, status=status or None)
    # keys first, rows by id (core.keyset.keyset_page_by_id): no OFFSET, no COUNT over the scope (issue 14)
    page, notice = keyset_page_for_request(qs, selectors.BACKFLOW_KEYS, request.GET, size=PAGE, by_id=True)
    return render(
        request,
        "supervision/backflows.html",
        {"page": page, "notice": notice, "query": query_without(request.GET, "after"), "status": status},
    )


@actor_required
def backflow(request, pk: int):
    _require(request, *LEAD)
    actor = request.actor
    bf = _get(selectors.backflow_get, actor=actor, pk=pk)
    error = None
    if request.method == "POST":
        _require(request, *SUP)
        try:
            if request.POST.get("dismiss"):
                services.backflow_dismiss(actor=actor, backflow=bf, note=request.POST.get("note", ""))
                messages.success(request, gettext("已决定不予提级。"))
                return redirect("supervision:backflows")
            leader = User.objects.filter(pk=request.POST.get("leader") or 0).first()
            if leader is None:
                raise ValidationFailed(gettext("请选择提级包案的领导。"))
            lc = services.backflow_raise(
                actor=actor,
                backflow=bf,
                leader=leader,
                plan=request.POST.get("plan", ""),
                renewals={k: request.POST.get(f"renewal_{k}", "") for k, _ in FIVE_RENEWALS},
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, gettext("已提级包案。"))
            return redirect("supervision:leader_case", pk=lc.pk)
    return render(
        request,
        "supervision/backflow.html",
        {
            "bf": bf,
            "error": error,
            "values": request.POST,
            "renewals": FIVE_RENEWALS,
            "leaders": _leaders_near(actor),
            "may_raise": actor.has_role(*SUP),
        },
    )


# --------------------------------------------------------------------------------------- campaigns


@actor_required
def campaigns(request):
    actor = request.actor
    error = None
    if request.method == "POST":
        _require(request, *LEAD)
        try:
            c = services.campaign_create(
                actor=actor,
                name=request.POST.get("name", ""),
                ends_on=_date(request.POST.get("ends_on"), "ends_on"),
                description=request.POST.get("description", ""),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("supervision:campaign", pk=c.pk)
    shown = list(selectors.campaign_list(actor=actor)[:20])
    totals = selectors.campaigns_totals(campaigns=shown, body=actor.body)  # one query, not two per campaign
    rows = [(c, totals[c.pk]) for c in shown]
    return render(
        request,
        "supervision/campaigns.html",
        {"rows": rows, "error": error, "may_create": actor.has_role(*LEAD)},
    )


@actor_required
def campaign(request, pk: int):
    actor = request.actor
    c = _get(selectors.campaign_get, actor=actor, pk=pk)
    filters = {k: request.GET.get(k, "") for k in ("batch", "body", "state")}
    if filters["body"] and not filters["body"].isdigit():
        filters["body"] = ""
    if filters["batch"] and not filters["batch"].isdigit():
        filters["batch"] = ""
    items = selectors.campaign_items(actor=actor, campaign=c, filters=filters)
    if request.GET.get("format") == "xlsx":
        # A large campaign's ledger is built by the worker (core/jobs.py, docs/jobs.md); every export an event.
        if export_needs_job(items):
            job = job_start(
                actor=actor, kind="campaign_ledger_xlsx", parameters={"campaign": c.pk, "filters": filters}
            )
            return redirect("jobs:detail", pk=job.pk)
        data = campaign_ledger_xlsx(campaign=c, items=items)
        export_record(
            actor=actor,
            kind="campaign_ledger_xlsx",
            scope={
                "body": actor.body.code,
                "campaign": c.pk,
                "filters": {k: v for k, v in filters.items() if v},
            },
            rows=items.count(),
            personal_data="none",
        )
        return _xlsx(data, f"campaign-{c.pk}.xlsx")
    # keys first, rows by id (core.keyset.keyset_page_by_id): no join of a large campaign's items before the LIMIT
    page, notice = keyset_page_for_request(
        items, selectors.CAMPAIGN_ITEM_KEYS, request.GET, size=PAGE, by_id=True
    )
    owner = c.issuing_body_id == actor.body.pk and actor.has_role(*LEAD)
    return render(
        request,
        "supervision/campaign.html",
        {
            "c": c,
            "page": page,
            "notice": notice,
            "query": query_without(request.GET, "after"),
            "filters": filters,
            "progress": selectors.campaign_progress(campaign=c, body=actor.body),
            "owner": owner,
            "errors": request.session.pop("campaign_import_errors", None),
            "results": CampaignResult.choices,
        },
    )


@require_POST
@actor_required
def campaign_import(request, pk: int):
    _require(request, *LEAD)
    actor = request.actor
    c = _get(selectors.campaign_get, actor=actor, pk=pk)
    try:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(gettext("请选择要导入的Excel台账。"))
        batch = services.campaign_import_excel(actor=actor, campaign=c, file=upload)
    except NotFound as exc:
        raise Http404() from exc
    except ApplicationError as exc:
        messages.error(request, exc.message.split("\n")[0])
        rows = exc.extra.get("rows") if exc.extra else None
        if rows:
            request.session["campaign_import_errors"] = rows[:200]
    else:
        messages.success(
            request, gettext("已导入第%(n)s批，共%(c)s件。") % {"n": batch.number, "c": batch.items.count()}
        )
    return redirect("supervision:campaign", pk=pk)


@require_POST
@actor_required
def campaign_rule(request, pk: int):
    _require(request, *LEAD)
    actor = request.actor
    c = _get(selectors.campaign_get, actor=actor, pk=pk)
    try:
        days = int(request.POST.get("open_days_over") or 0)
        times = int(request.POST.get("repeated_at_least") or 0)
        batch = services.campaign_batch_by_rule(
            actor=actor,
            campaign=c,
            open_days_over=days,
            repeated_at_least=times,
            due_on=_date(request.POST.get("due_on"), "due_on"),
        )
    except ValueError:
        messages.error(request, gettext("天数和次数须为整数。"))
    except NotFound as exc:
        raise Http404() from exc
    except ApplicationError as exc:
        messages.error(request, exc.message.split("\n")[0])
    else:
        messages.success(
            request,
            gettext("已按规则交办第%(n)s批，共%(c)s件。") % {"n": batch.number, "c": batch.items.count()},
        )
    return redirect("supervision:campaign", pk=pk)


@require_POST
@actor_required
def campaign_clear(request, pk: int):
    _require(request, *LEAD)
    c = _get(selectors.campaign_get, actor=request.actor, pk=pk)
    return _act(
        request,
        services.campaign_clear,
        gettext("专项行动已清零。"),
        reverse("supervision:campaign", args=[pk]),
        campaign=c,
    )


@actor_required
def campaign_item(request, pk: int):
    actor = request.actor
    item = _get(selectors.campaign_item_get, actor=actor, pk=pk)
    if request.method == "POST":
        back = reverse("supervision:campaign_item", args=[pk])
        op = request.POST.get("op")
        if op == "progress":
            return _act(
                request,
                services.campaign_progress_add,
                gettext("已报送进展。"),
                back,
                item=item,
                text=request.POST.get("text", ""),
            )
        if op == "result":
            return _act(
                request,
                services.campaign_result_report,
                gettext("已报送化解结果，等待审核销号。"),
                back,
                item=item,
                result=request.POST.get("result", ""),
                text=request.POST.get("text", ""),
                evidence=request.POST.get("evidence", ""),
            )
        if op in ("approve", "refuse"):
            return _act(
                request,
                services.campaign_sign_off,
                gettext("已审核。"),
                back,
                item=item,
                approve=op == "approve",
                note=request.POST.get("note", ""),
            )
        raise Http404()
    return render(
        request,
        "supervision/campaign_item.html",
        {
            "item": item,
            "progress": item.progress.select_related("by"),
            "results": CampaignResult.choices,
            "responsible": item.responsible_body_id == actor.body.pk,
            "owner": item.campaign.issuing_body_id == actor.body.pk and actor.has_role(*LEAD),
        },
    )


# -------------------------------------------------------------------------------------- 领导接访


@actor_required
def receptions(request):
    _require(request, *LEAD)
    actor = request.actor
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("op") == "schedule":
                leader = User.objects.filter(pk=request.POST.get("leader") or 0).first() or actor.user
                made = services.reception_schedule_generate(
                    actor=actor,
                    leader=leader,
                    year=int(request.POST.get("year") or timezone.localdate().year),
                    place=request.POST.get("place", ""),
                    slots=min(max(int(request.POST.get("slots") or 6), 1), 16),
                    first_slot=time(9, 0),
                )
                messages.success(request, gettext("已排定%(n)s个接访日。") % {"n": len(made)})
            else:
                leader = User.objects.filter(pk=request.POST.get("leader") or 0).first() or actor.user
                services.reception_record(
                    actor=actor,
                    kind=request.POST.get("kind", ""),
                    on=_date(request.POST.get("date"), "date"),
                    place=request.POST.get("place", ""),
                    topic=request.POST.get("topic", ""),
                    joint_bodies=request.POST.get("joint_bodies", ""),
                    notes=request.POST.get("notes", ""),
                    leader=leader,
                )
                messages.success(request, gettext("已记录。"))
        except ValueError:
            error = gettext("年份和时段数须为整数。")
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("supervision:receptions")
    qs = selectors.reception_list(actor=actor, upcoming_only=request.GET.get("all") != "1")
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/receptions.html",
        {
            "page": page,
            "error": error,
            "kinds": ReceptionKind.choices,
            "leaders": _leaders_near(actor) if actor.has_role(*SUP) else [],
            "year": timezone.localdate().year,
        },
    )


@actor_required
def reception(request, pk: int):
    _require(request, *LEAD)
    actor = request.actor
    r = _get(selectors.reception_get, actor=actor, pk=pk)
    if request.method == "POST":
        back = reverse("supervision:reception", args=[pk])
        if request.POST.get("op") == "publish":
            return _act(
                request,
                services.reception_publish,
                gettext("已更新公布状态。"),
                back,
                reception=r,
                published=request.POST.get("published") == "1",
            )
        return _act(
            request,
            services.reception_case_tag,
            gettext("已标记为接访事项。"),
            back,
            reception=r,
            case_number=request.POST.get("case", ""),
        )
    return render(
        request,
        "supervision/reception.html",
        {
            "r": r,
            "slots": r.slots.all(),
            "cases": selectors.reception_received_cases(actor=actor, reception=r),
        },
    )


def public_receptions(request):
    """The portal's page: published reception days with free slots; booking needs no account."""
    booked = None
    error = None
    if request.method == "POST":
        try:
            slot = services.reception_book(
                slot_id=int(request.POST.get("slot") or 0),
                name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""),
                matter=request.POST.get("matter", ""),
            )
            booked = slot
        except ValueError:
            error = gettext("请选择时段。")
        except NotFound:
            error = gettext("该时段不可预约，请重新选择。")
        except ApplicationError as exc:
            error = exc.message
    return render(
        request,
        "supervision/public_receptions.html",
        {
            "days": selectors.reception_public_list()[:40],
            "booked": booked,
            "error": error,
            "values": request.POST,
        },
    )


# ------------------------------------------------------------------------------------------------ 调度会


@actor_required
def meetings(request):
    _require(request, *LEAD)
    page = Paginator(selectors.meeting_list(actor=request.actor), PAGE).get_page(request.GET.get("page"))
    return render(request, "supervision/meetings.html", {"page": page})


@actor_required
def meeting_new(request):
    _require(request, *LEAD)
    actor = request.actor
    error = None
    if request.method == "POST":
        p = request.POST
        try:
            cases = {}
            for line in p.get("cases", "").splitlines():
                number, _, analysis = line.partition(" ")
                if number.strip():
                    cases[number.strip()] = analysis.strip()
            followups = []
            for i in range(5):
                task = p.get(f"task_{i}", "").strip()
                if not task:
                    continue
                followups.append(
                    services.FollowUpInput(
                        task=task,
                        owner_body=_body(p.get(f"owner_{i}"), f"owner_{i}"),
                        due_on=_date(p.get(f"due_{i}"), f"due_{i}"),
                        case_number=p.get(f"case_{i}", "").strip(),
                    )
                )
            m = services.meeting_record(
                actor=actor,
                held_on=_date(p.get("held_on"), "held_on"),
                title=p.get("title", ""),
                participants=p.get("participants", ""),
                decisions=p.get("decisions", ""),
                cases=cases,
                followups=followups,
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, gettext("已记录调度会。"))
            return redirect("supervision:meeting", pk=m.pk)
    return render(
        request,
        "supervision/meeting_new.html",
        {
            "error": error,
            "values": request.POST,
            "bodies": _bodies_under(actor),
            "rows": range(5),
            "today": timezone.localdate(),
        },
    )


@actor_required
def meeting(request, pk: int):
    actor = request.actor
    m = _get(selectors.meeting_get, actor=actor, pk=pk)
    followups = m.followups.select_related("owner_body", "case").order_by("due_on", "pk")
    visible = {mc.case_id for mc in selectors.meeting_cases(actor=actor, meeting=m)}
    return render(
        request,
        "supervision/meeting.html",
        {
            "m": m,
            "discussed": selectors.meeting_cases(actor=actor, meeting=m),
            "followups": [(f, f.case if f.case_id in visible else None) for f in followups],
        },
    )


@require_POST
@actor_required
def followup_done(request, pk: int):

    f = FollowUp.objects.filter(pk=pk, owner_body=request.actor.body).first()
    if f is None:
        raise Http404()
    return _act(
        request,
        services.followup_done,
        gettext("已完成。"),
        reverse("home"),
        followup=f,
        note=request.POST.get("note", ""),
    )


# ------------------------------------------------------------------------------------------------ 统计


def _period(request) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = date(today.year, 1, 1)
    try:
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    return start, max(start, end)


@actor_required
def figures(request):
    _require(request, Role.SUPERVISOR, Role.LEADER, Role.AGENCY_HEAD, Role.ADMINISTRATOR)
    start, end = _period(request)
    f = supervision_figures(body=request.actor.body, start=start, end=end)
    if request.GET.get("format") == "xlsx":
        return _xlsx(figures_xlsx(f), "supervision-figures.xlsx")
    return render(request, "supervision/figures.html", {"f": f, "start": start, "end": end})
