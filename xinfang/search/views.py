"""The one search page: a box, filters, a sort, saved views, bulk 签收 / 分派, and export of the list."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core.errors import ApplicationError, NotFound
from xinfang.core.keyset import BadCursor
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.lights import days_left_text, light_for
from xinfang.orgs.decorators import actor_required
from xinfang.orgs.models import Role, User
from xinfang.people.masking import mask_phone
from xinfang.search.forms import SearchForm
from xinfang.search.selectors import case_search_export, case_search_page, saved_views_for
from xinfang.search.services import (
    cases_bulk_assign,
    cases_bulk_receive,
    export_record,
    saved_view_delete,
    saved_view_save,
)

PAGE_SIZE = 50
EXPORT_MAX = 10_000


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("after", None)
    return params.urlencode()


@require_GET
@actor_required
def search(request):
    actor = request.actor
    form = SearchForm(request.GET or None)
    filters = form.filters()
    notice = ""
    try:
        page = case_search_page(actor=actor, filters=filters, after=request.GET.get("after"), size=PAGE_SIZE)
    except BadCursor as e:  # a hand-edited 下一页 link: the first page, and say so
        notice = e.message
        page = case_search_page(actor=actor, filters=filters, after=None, size=PAGE_SIZE)
    rows = page.rows
    today = local_date(timezone.now())
    for case in rows:
        case.light_view = (
            {
                "light": light_for(due=case.due_on, today=today).value,
                "label": gettext(light_for(due=case.due_on, today=today).label),
                "text": days_left_text(due=case.due_on, today=today),
            }
            if case.due_on
            else None
        )
        case.names = "、".join(link.person.name for link in case.petitioners.all())
    officers = (
        User.objects.filter(memberships__body=actor.body, memberships__role=Role.CASE_OFFICER).distinct()
        if actor.has_role(Role.AGENCY_HEAD, Role.REGISTRAR)
        else User.objects.none()
    )
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": _query(request),
            "saved": list(saved_views_for(actor=actor)),
            "officers": list(officers),
            "searched": bool(request.GET),
            "notice": notice,
        },
    )


@require_GET
@actor_required
def export(request):
    """The current list as CSV (Excel opens it): personal data masked, the export itself an event."""
    actor = request.actor
    form = SearchForm(request.GET or None)
    qs = case_search_export(actor=actor, filters=form.filters())
    rows = list(qs.prefetch_related("petitioners__person")[:EXPORT_MAX])
    export_record(actor=actor, query=_query(request), count=len(rows))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="xinfang-search.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            gettext("编号"),
            gettext("登记时间"),
            gettext("收到时间"),
            gettext("状态"),
            gettext("类型"),
            gettext("内容分类"),
            gettext("问题属地"),
            gettext("当前办理机关"),
            gettext("信访人"),
            gettext("联系电话"),
            gettext("诉求"),
        ]
    )
    for c in rows:
        people = [link.person for link in c.petitioners.all()]
        writer.writerow(
            [
                c.number,
                timezone.localtime(c.registered_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(c.arrived_at).strftime("%Y-%m-%d") if c.arrived_at else "",
                c.get_state_display(),
                c.get_petition_type_display(),
                c.category.name if c.category else "",
                c.problem_region.name,
                c.current_body.name,
                "、".join(p.name for p in people),
                "、".join(mask_phone(p.phone) for p in people if p.phone),
                c.request[:200],
            ]
        )
    return response


@require_POST
@actor_required
def bulk(request):
    actor = request.actor
    action = request.POST.get("action")
    ids = request.POST.getlist("case")
    back = reverse("search:search") + (
        "?" + request.POST.get("query", "") if request.POST.get("query") else ""
    )
    try:
        if action == "receive":
            result = cases_bulk_receive(actor=actor, case_ids=ids)
        elif action == "assign":
            if not actor.has_role(Role.AGENCY_HEAD, Role.REGISTRAR):
                raise Http404
            officer = User.objects.filter(
                pk=request.POST.get("officer") or None,
                memberships__body=actor.body,
                memberships__role=Role.CASE_OFFICER,
            ).first()
            if officer is None:
                messages.error(request, gettext("请选择本机关的承办人。"))
                return redirect(back)
            result = cases_bulk_assign(actor=actor, case_ids=ids, officer=officer)
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if result.done:
        messages.success(
            request,
            gettext("已处理%(n)s件：%(numbers)s")
            % {"n": len(result.done), "numbers": "、".join(result.done)},
        )
    for number, why in result.refused:
        messages.warning(request, f"{number}：{why}")
    return redirect(back)


@require_POST
@actor_required
def view_save(request):
    query = request.POST.get("query", "")
    try:
        saved_view_save(actor=request.actor, name=request.POST.get("name", ""), query=query)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已保存检索。"))
    return redirect(reverse("search:search") + ("?" + query if query else ""))


@require_POST
@actor_required
def view_delete(request, pk: int):
    try:
        saved_view_delete(actor=request.actor, pk=pk)
    except NotFound:
        raise Http404 from None
    return redirect("search:search")
