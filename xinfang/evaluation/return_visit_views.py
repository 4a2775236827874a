"""The 回访 (return visit) pages: the acting body's due visits and the form that records one. Thin: reads
through xinfang.evaluation.selectors (the one read path for the cases), writes through services; a refused
user gets the same 404 as a missing visit; a domain error is shown on the form."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from xinfang.core.errors import ApplicationError, NotFound
from xinfang.core.keyset import keyset_page_for_request, page_count, query_without
from xinfang.evaluation.models import ReturnVisitKind, ReturnVisitStatus, Satisfaction
from xinfang.evaluation.selectors import (
    RETURN_VISIT_KEYS,
    RETURN_VISIT_VIEWS,
    return_visit_get_for_actor,
    return_visits_for,
)
from xinfang.evaluation.services import RETURN_VISIT_ROLES, return_visit_record
from xinfang.orgs.decorators import actor_required

PAGE = 30
# The timeline's names for this app's case events (the workspace merges them into its EVENT_LABELS).
EVENT_LABELS = {"return_visit_record": gettext_lazy("回访")}


def _require(request) -> None:
    if not request.actor.has_role(*RETURN_VISIT_ROLES):
        raise Http404()


@actor_required
def return_visits(request):
    _require(request)
    view = request.GET.get("view", "due")
    view = view if view in RETURN_VISIT_VIEWS else "due"
    today = timezone.localdate()
    qs = return_visits_for(actor=request.actor, view=view, today=today)
    # keyset pages and a capped count (core/keyset.py, issue 14): the same cost at any depth and data size
    # keys first, rows by id (keyset_page_by_id): the body's due list is never joined and sorted whole
    page, notice = keyset_page_for_request(qs, RETURN_VISIT_KEYS[view], request.GET, size=PAGE, by_id=True)
    return render(
        request,
        "evaluation/return_visits/list.html",
        {
            "page": page,
            "count": page_count(qs, page),
            "notice": notice,
            "query": query_without(request.GET, "after"),
            "view": view,
            "today": today,
        },
    )


@actor_required
def return_visit(request, pk: int):
    _require(request)
    try:
        visit = return_visit_get_for_actor(actor=request.actor, pk=pk)
    except NotFound as exc:
        raise Http404() from exc
    error, errors, values = "", {}, {}
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "") for k in ("status", "kind", "outcome", "satisfaction", "comment")
        }
        try:
            return_visit_record(actor=request.actor, visit=visit, **values)
        except NotFound as exc:
            raise Http404() from exc
        except ApplicationError as exc:
            error, errors = exc.message, exc.extra or {}
        else:
            messages.success(request, gettext("回访已记录。"))
            return redirect("evaluation:return_visits")
    return render(
        request,
        "evaluation/return_visits/form.html",
        {
            "visit": visit,
            "case": visit.case,
            "error": error,
            "errors": errors,
            "values": values,
            "statuses": [
                (s, ReturnVisitStatus(s).label)
                for s in (ReturnVisitStatus.DONE, ReturnVisitStatus.UNREACHABLE)
            ],
            "kinds": ReturnVisitKind.choices,
            "satisfactions": Satisfaction.choices,
            "today": timezone.localdate(),
        },
        status=400 if error else 200,
    )
