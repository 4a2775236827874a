"""The quality review pages (docs/quality.md). Thin: the role is checked first (a refused user gets the same 404
as a missing record), input goes to `quality_services`, reads to `quality_selectors`; an ApplicationError's
message is shown on the page."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from xinfang.core.errors import ApplicationError, NotFound, ValidationFailed
from xinfang.core.keyset import keyset_page_for_request, query_without
from xinfang.core.periods import period
from xinfang.core.web import call_or_404 as _get
from xinfang.core.web import form_date as _date
from xinfang.core.web import post_action as _act
from xinfang.core.web import require_role as _require
from xinfang.evaluation import quality_selectors as sel
from xinfang.evaluation import quality_services as svc
from xinfang.evaluation.models import (
    CriterionGroup,
    ItemStatus,
    PlanStatus,
    RectificationStatus,
    ReviewResult,
    SampleRule,
    ScoreLevel,
)
from xinfang.orgs.decorators import actor_required
from xinfang.orgs.models import Body, Role
from xinfang.supervision.models import SupervisionKind

EV = (Role.EVALUATOR,)
PAGE = 30


def _optional_date(value: str, field: str) -> date | None:
    return _date(value, field) if (value or "").strip() else None


def _bodies_for_plans(actor):
    own = actor.body
    return (
        Body.objects.filter(region__path__startswith=own.region.path, is_active=True)
        .order_by("region__path", "code")
        .only("pk", "name")
    )


# ------------------------------------------------------------------------------------------------ plans


@actor_required
def plans(request):
    _require(request, *EV)
    actor = request.actor
    error, values = None, {}
    if request.method == "POST":
        values = request.POST
        try:
            body = (
                Body.objects.filter(pk=values.get("body")).select_related("region").first()
                if str(values.get("body", "")).isdigit()
                else None
            )
            if body is None:
                msg = gettext("请选择被评价单位。")
                raise ValidationFailed(msg, extra={"body": msg})
            seed = (values.get("seed") or "").strip()
            if seed and not seed.isdigit():
                msg = gettext("随机种子须为非负整数。")
                raise ValidationFailed(msg, code="invalid_seed", extra={"seed": msg})
            plan = svc.review_plan_create(
                actor=actor,
                name=values.get("name", ""),
                body=body,
                period_start=_date(values.get("period_start", ""), "period_start"),
                period_end=_date(values.get("period_end", ""), "period_end"),
                sample_percent=values.get("sample_percent") or "0",
                all_cases=bool(values.get("all_cases")),
                include_unsatisfied=bool(values.get("include_unsatisfied")),
                include_returned=bool(values.get("include_returned")),
                include_flagged=bool(values.get("include_flagged")),
                include_subordinates=bool(values.get("include_subordinates")),
                seed=int(seed) if seed else None,
            )
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, gettext("评价计划已制定，请抽取事项。"))
            return redirect("evaluation:plan", pk=plan.pk)
    page = Paginator(sel.plan_list(actor=actor), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/quality/plans.html",
        {
            "page": page,
            "bodies": _bodies_for_plans(actor),
            "error": error,
            "values": values,
            "fresh": request.method != "POST",
        },
    )


@actor_required
def plan(request, pk: int):
    _require(request, *EV)
    actor = request.actor
    the_plan = _get(sel.plan_get, actor=actor, pk=pk)
    filters = {k: request.GET.get(k, "") for k in ("status", "rule", "result", "body")}
    items = sel.sample_items(actor=actor, plan=the_plan, filters=filters)
    # keyset pages in the plan's order (core/keyset.py, issue 14): no COUNT, no OFFSET
    page, notice = keyset_page_for_request(items, sel.SAMPLE_ITEM_KEYS, request.GET, size=PAGE)
    for i in page:
        i.rule_labels = [SampleRule(r).label for r in i.rules if r in SampleRule.values]
    ctx = {
        "plan": the_plan,
        "page": page,
        "notice": notice,
        "query": query_without(request.GET, "after"),
        "filters": filters,
        "statuses": ItemStatus.choices,
        "rules": SampleRule.choices,
        "results": ReviewResult.choices,
        "may_draw": the_plan.status == PlanStatus.DRAFT,
        "may_close": the_plan.status == PlanStatus.DRAWN,
    }
    if request.htmx:
        return render(request, "evaluation/quality/_items.html", ctx)
    return render(request, "evaluation/quality/plan.html", ctx)


@require_POST
@actor_required
def plan_draw(request, pk: int):
    _require(request, *EV)
    the_plan = _get(sel.plan_get, actor=request.actor, pk=pk)
    back = reverse("evaluation:plan", kwargs={"pk": pk})
    return _act(request, svc.review_plan_draw, gettext("已按计划抽取事项。"), back, plan=the_plan)


@require_POST
@actor_required
def plan_close(request, pk: int):
    _require(request, *EV)
    the_plan = _get(sel.plan_get, actor=request.actor, pk=pk)
    back = reverse("evaluation:plan", kwargs={"pk": pk})
    return _act(request, svc.review_plan_close, gettext("评价计划已结束。"), back, plan=the_plan)


# ----------------------------------------------------------------------------------------------- review


def _scores_from(post, criteria) -> dict:
    return {
        c.pk: {
            "level": post.get(f"level_{c.pk}", ""),
            "note": post.get(f"note_{c.pk}", ""),
            "evidence": post.getlist(f"evidence_{c.pk}"),
        }
        for c in criteria
    }


@actor_required
def item_review(request, pk: int):
    _require(request, *EV)
    actor = request.actor
    item = _get(sel.item_get, actor=actor, pk=pk)
    if hasattr(item, "review"):
        return redirect("evaluation:review", pk=item.review.pk)
    case = item.case
    criteria = list(item.plan.criteria_set.criteria.all())
    refusal = svc.review_refusal(actor=actor, item=item)
    error, values = None, {}
    if request.method == "POST" and not refusal:
        values = request.POST
        try:
            review = svc.review_submit(
                actor=actor,
                item=item,
                result=values.get("result", ""),
                summary=values.get("summary", ""),
                scores=_scores_from(values, criteria),
                requirement=values.get("requirement", ""),
                due_on=_optional_date(values.get("due_on", ""), "due_on"),
            )
        except NotFound as exc:
            raise Http404() from exc
        except ApplicationError as exc:
            error = exc
        else:
            if review.result == ReviewResult.FAIL:
                messages.success(request, gettext("评价已提交：不合格，已交办整改。"))
            else:
                messages.success(request, gettext("评价已提交。"))
            return redirect("evaluation:review", pk=review.pk)
    options = svc.evidence_options(case)
    evidence_choices = [
        (f"{kind}:{pk_}", label, kind) for kind, rows in options.items() for pk_, label in rows.items()
    ]
    rows = []
    for c in criteria:
        rows.append(
            {
                "c": c,
                "level": values.get(f"level_{c.pk}", "") if values else "",
                "note": values.get(f"note_{c.pk}", "") if values else "",
                "evidence": values.getlist(f"evidence_{c.pk}") if values else [],
                "error": (error.extra or {}).get(f"level_{c.pk}") or (error.extra or {}).get(f"note_{c.pk}")
                if error
                else "",
            }
        )
    groups = []
    for g, label in CriterionGroup.choices:
        members = [r for r in rows if r["c"].group == g]
        if members:
            groups.append({"label": label, "rows": members})
    return render(
        request,
        "evaluation/quality/review_form.html",
        {
            "item": item,
            "case": case,
            "groups": groups,
            "levels": ScoreLevel.choices,
            "results": ReviewResult.choices,
            "evidence_choices": evidence_choices,
            "procedural": svc.procedural_checks(case, today=svc._today()),
            "refusal": refusal,
            "error": error,
            "values": values,
            "rule_labels": [SampleRule(r).label for r in item.rules if r in SampleRule.values],
            "rectification_days": period("rectification").current_days(),
        },
    )


def _evidence_link(case_pk: int, e: dict) -> str:
    kind, pk = e.get("kind"), e.get("id")
    if kind == "attachment":
        return reverse("case_attachment", kwargs={"pk": case_pk, "attachment_pk": pk})
    if kind == "document":
        return reverse("documents:download", kwargs={"pk": case_pk, "doc": pk, "fmt": "pdf"})
    return reverse("case_detail", kwargs={"pk": case_pk}) + (f"#event-{pk}" if kind == "event" else "")


@actor_required
def review(request, pk: int):
    actor = request.actor
    the_review = _get(sel.review_get, actor=actor, pk=pk)
    scores = []
    for s in the_review.scores.all():
        s.links = [(e.get("label", ""), _evidence_link(the_review.case_id, e)) for e in s.evidence]
        scores.append(s)
    procedural = []
    for check in the_review.procedural:
        check = dict(check)
        check["links"] = [
            (e.get("label", ""), _evidence_link(the_review.case_id, e)) for e in check.get("evidence") or []
        ]
        procedural.append(check)
    return render(
        request,
        "evaluation/quality/review.html",
        {
            "review": the_review,
            "scores": scores,
            "procedural": procedural,
            "rectification": getattr(the_review, "rectification", None),
            "committee": the_review.reviewer_body_id == actor.body.pk,
        },
    )


# ------------------------------------------------------------------------------------------------- 整改


@actor_required
def rectifications(request):
    actor = request.actor
    today = svc._today()
    filters = {k: request.GET.get(k, "") for k in ("side", "status", "late")}
    qs = sel.rectification_list(actor=actor, filters={**filters, "today": today})
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "filters": filters,
        "statuses": RectificationStatus.choices,
        "today": today,
        "committee": actor.has_role(*EV),
    }
    if request.htmx:
        return render(request, "evaluation/quality/_rectification_rows.html", ctx)
    return render(request, "evaluation/quality/rectifications.html", ctx)


@actor_required
def rectification(request, pk: int):
    actor = request.actor
    rect = _get(sel.rectification_get, actor=actor, pk=pk)
    kinds = []
    if actor.has_role(Role.SUPERVISOR) and rect.issuing_body_id == actor.body.pk and not rect.supervision_id:
        kinds = list(SupervisionKind.objects.filter(is_active=True).order_by("rung"))
    return render(
        request,
        "evaluation/quality/rectification.html",
        {
            "rect": rect,
            "today": svc._today(),
            "may_submit": rect.body_id == actor.body.pk and rect.status == RectificationStatus.OPEN,
            "may_answer": actor.has_role(*EV)
            and rect.issuing_body_id == actor.body.pk
            and rect.status == RectificationStatus.SUBMITTED,
            "kinds": kinds,
        },
    )


def _rect_post(request, pk: int, fn, success: str, **kwargs):
    rect = _get(sel.rectification_get, actor=request.actor, pk=pk)
    back = reverse("evaluation:rectification", kwargs={"pk": pk})
    return _act(request, fn, success, back, rectification=rect, **kwargs)


@require_POST
@actor_required
def rectification_submit(request, pk: int):
    return _rect_post(
        request,
        pk,
        svc.rectification_submit,
        gettext("整改情况已报送。"),
        report=request.POST.get("report", ""),
    )


@require_POST
@actor_required
def rectification_accept(request, pk: int):
    _require(request, *EV)
    return _rect_post(
        request, pk, svc.rectification_accept, gettext("整改已验收。"), note=request.POST.get("note", "")
    )


@require_POST
@actor_required
def rectification_send_back(request, pk: int):
    _require(request, *EV)
    try:
        due_on = _optional_date(request.POST.get("due_on", ""), "due_on")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:rectification", pk=pk)
    return _rect_post(
        request,
        pk,
        svc.rectification_send_back,
        gettext("已退回重新整改。"),
        note=request.POST.get("note", ""),
        due_on=due_on,
    )


@require_POST
@actor_required
def rectification_supervise(request, pk: int):
    _require(request, Role.SUPERVISOR)
    return _rect_post(
        request,
        pk,
        svc.rectification_supervise,
        gettext("已就该整改发起督办。"),
        kind_id=request.POST.get("kind", ""),
        requirement=request.POST.get("requirement", ""),
    )


# ---------------------------------------------------------------------------------------------- criteria


@actor_required
def criteria(request):
    versions = sel.criteria_versions()
    return render(
        request,
        "evaluation/quality/criteria.html",
        {
            "versions": versions,
            "may_edit": request.actor.has_role(*svc.CRITERIA_EDITORS),
        },
    )


@actor_required
def criteria_version(request, pk: int):
    version = _get(sel.criteria_set_get, pk=pk)
    latest = sel.criteria_versions(key=version.key).first()
    return render(
        request,
        "evaluation/quality/criteria_version.html",
        {
            "version": version,
            "is_latest": latest is not None and latest.pk == version.pk,
            "may_edit": request.actor.has_role(*svc.CRITERIA_EDITORS),
        },
    )


@actor_required
def criteria_edit(request, pk: int):
    _require(request, *svc.CRITERIA_EDITORS)
    base = _get(sel.criteria_set_get, pk=pk)
    error = None
    rows = [
        {"code": c.code, "group": c.group, "text": c.text, "weight": c.weight, "keep": True}
        for c in base.criteria.all()
    ]
    if request.method == "POST":
        post = request.POST
        rows = []
        for i in range(int(post.get("count", "0") or 0) if str(post.get("count", "0")).isdigit() else 0):
            rows.append(
                {
                    "code": post.get(f"code_{i}", ""),
                    "group": post.get(f"group_{i}", CriterionGroup.CUSTOM),
                    "text": post.get(f"text_{i}", ""),
                    "weight": post.get(f"weight_{i}", "1"),
                    "keep": bool(post.get(f"keep_{i}")),
                }
            )
        if (post.get("new_text") or "").strip():
            rows.append(
                {
                    "code": "",
                    "group": CriterionGroup.CUSTOM,
                    "text": post.get("new_text", ""),
                    "weight": post.get("new_weight", "1") or "1",
                    "keep": True,
                }
            )
        try:
            version = svc.criteria_set_revise(
                actor=request.actor,
                base=base,
                criteria=[r for r in rows if r["keep"]],
                change_note=post.get("change_note", ""),
            )
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, gettext("已保存为新版本（第%(v)s版）。") % {"v": version.version})
            return redirect("evaluation:criteria_version", pk=version.pk)
    return render(
        request,
        "evaluation/quality/criteria_edit.html",
        {
            "base": base,
            "rows": rows,
            "groups": dict(CriterionGroup.choices),
            "error": error,
            "change_note": request.POST.get("change_note", "") if request.method == "POST" else "",
        },
    )


# ------------------------------------------------------------------------------------------------ flags


@actor_required
def flags(request):
    _require(request, Role.SUPERVISOR, Role.EVALUATOR)
    actor = request.actor
    error = None
    if request.method == "POST":
        try:
            svc.review_flag(
                actor=actor, case_number=request.POST.get("case", ""), reason=request.POST.get("reason", "")
            )
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, gettext("已标记，下一次评价计划抽取时纳入。"))
            return redirect("evaluation:flags")
    page = Paginator(sel.flags_open(actor=actor), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/quality/flags.html",
        {"page": page, "error": error, "may_flag": actor.has_role(Role.SUPERVISOR), "values": request.POST},
    )
