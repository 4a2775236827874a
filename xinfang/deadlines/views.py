"""The daily ledger pages (每日交账销账): the acting body's ledger with inline 销账, and the supervisor's
view over the bodies under them. Thin: selectors read, `ledger_clear` writes."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET, require_POST

from xinfang.core.errors import ApplicationError, NotFound, ValidationFailed
from xinfang.deadlines.kinds import CLOCK_LABELS
from xinfang.deadlines.lights import Light, days_left_text
from xinfang.deadlines.models import LedgerItem
from xinfang.deadlines.selectors import (
    ledger_item_get_for_actor,
    ledger_items_for_body,
    ledger_oversight,
    light_counts_for_body_capped,
    open_clocks_for_body,
)
from xinfang.deadlines.services import ledger_clear
from xinfang.orgs.decorators import actor_required
from xinfang.orgs.models import Role
from xinfang.orgs.selectors import bodies_under

OVERSIGHT_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.AGENCY_HEAD, Role.ADMINISTRATOR)
PAGE_SIZE = 50
LIGHT_LABELS = dict(Light.choices)


def _case_links() -> bool:
    """The case page is another app's; link to it only once its URL exists."""
    try:
        reverse("case_detail", args=[1])
    except NoReverseMatch:
        return False
    return True


def _day_param(request: HttpRequest) -> date:
    raw = request.GET.get("date")
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    return timezone.localdate()


def _decorate_items(items: list[LedgerItem], today: date) -> list[LedgerItem]:
    for item in items:
        item.kind_label = CLOCK_LABELS.get(item.clock.kind, item.clock.kind)
        item.left_text = days_left_text(due=item.due_on, today=today)
    return items


def _item_context(item: LedgerItem, *, today: date, can_clear: bool, **extra) -> dict:
    _decorate_items([item], today)
    return {"item": item, "can_clear": can_clear, "case_links": _case_links(), **extra}


@require_GET
@actor_required
def ledger(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    today = timezone.localdate()
    day = _day_param(request)
    after = None
    if request.GET.get("after"):
        try:
            due_raw, pk_raw = request.GET["after"].split("_", 1)
            after = (date.fromisoformat(due_raw), int(pk_raw))
        except ValueError:
            after = None
    clocks = open_clocks_for_body(body=actor.body, today=today, limit=PAGE_SIZE + 1, after=after)
    next_after = None
    if len(clocks) > PAGE_SIZE:
        clocks = clocks[:PAGE_SIZE]
        next_after = f"{clocks[-1].due_on.isoformat()}_{clocks[-1].pk}"
    for clock in clocks:
        clock.kind_label = CLOCK_LABELS.get(clock.kind, clock.kind)
        clock.light_label = LIGHT_LABELS[clock.light]
        clock.left_text = days_left_text(due=clock.due_on, today=today)
    items = _decorate_items(ledger_items_for_body(body=actor.body, day=day), today)
    return render(
        request,
        "deadlines/ledger.html",
        {
            "day": day,
            "is_today": day == today,
            "items": items,
            "uncleared": sum(1 for i in items if not i.is_cleared),
            "counts": light_counts_for_body_capped(body=actor.body, today=today),
            "clocks": clocks,
            "next_after": next_after,
            "paged": after is not None,
            "can_clear": True,
            "case_links": _case_links(),
            # Higher apps' sections (settings.XINFANG_LEDGER_PANELS): e.g. the notices not yet served.
            "panels": [p for p in (import_string(d)(actor) for d in settings.XINFANG_LEDGER_PANELS) if p],
        },
    )


@require_POST
@actor_required
def clear(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        # The body first, the note after: another body's item is a 404 whatever was posted (issue #9).
        item = ledger_item_get_for_actor(actor=request.actor, pk=pk)
    except NotFound:
        raise Http404 from None
    today = timezone.localdate()
    note = request.POST.get("note", "")
    try:
        item = ledger_clear(item=item, actor=request.actor, note=note)
    except ValidationFailed as exc:
        context = _item_context(item, today=today, can_clear=True, error=exc.message, note=note)
        if request.htmx:
            return render(request, "deadlines/_ledger_item.html", context)
        return render(request, "deadlines/clear_error.html", context, status=400)
    except ApplicationError as exc:
        return render(request, "deadlines/denied.html", {"message": exc.message}, status=exc.http_status)
    if request.htmx:
        item = LedgerItem.objects.select_related("clock", "clock__case", "cleared_by").get(pk=item.pk)
        return render(
            request, "deadlines/_ledger_item.html", _item_context(item, today=today, can_clear=True)
        )
    return redirect("deadlines:ledger")


def _require_oversight(request: HttpRequest) -> HttpResponse | None:
    if not request.actor.has_role(*OVERSIGHT_ROLES):
        return render(
            request, "deadlines/denied.html", {"message": "督查台账仅对督查、领导和负责人开放。"}, status=403
        )
    return None


@require_GET
@actor_required
def oversight(request: HttpRequest) -> HttpResponse:
    if (denied := _require_oversight(request)) is not None:
        return denied
    day = _day_param(request)
    rows = ledger_oversight(supervisor_body=request.actor.body, day=day)
    return render(
        request,
        "deadlines/oversight.html",
        {
            "day": day,
            "rows": rows,
            "total_uncleared": sum(r.uncleared for r in rows),
            "total_rolled": sum(r.rolled_over for r in rows),
        },
    )


@require_GET
@actor_required
def oversight_body(request: HttpRequest, body_id: int) -> HttpResponse:
    if (denied := _require_oversight(request)) is not None:
        return denied
    body = bodies_under(request.actor.body).filter(pk=body_id).first()
    if body is None:
        raise Http404("该机关不在您的督查范围内。")
    day = _day_param(request)
    items = _decorate_items(
        ledger_items_for_body(body=body, day=day, viewer=request.actor), timezone.localdate()
    )
    return render(
        request,
        "deadlines/oversight_body.html",
        {
            "day": day,
            "body": body,
            "items": items,
            "uncleared": sum(1 for i in items if not i.is_cleared),
            "rolled": sum(1 for i in items if i.rolled_over_from_id),
            "can_clear": False,
            "case_links": _case_links(),
        },
    )
