"""Reads over the legal clocks and the daily ledger (灭红灯, docs/domain.md §5).

Lights are computed in SQL from date comparisons against `today`, so a body's counts and its first page
come from the partial (body, due_on) WHERE is_open index, never from a Python loop over its clocks.

Whose item is a clock? A petitioner's request window (复查/复核申请期限) lapses: when it runs out the
petitioner's right is gone and nobody is late, so such clocks are listed (the officer may want to know
that a case is about to become final) but never counted as yellow/red and never put on the ledger. The
evaluation window is different: it is the bureau's follow-up (回访, 催评) and counts like any other clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from xinfang.core.errors import NotFound
from xinfang.core.keyset import COUNT_CAP
from xinfang.deadlines.lights import Light, light_counts_of, yellow_days_setting
from xinfang.deadlines.models import Clock, LedgerDay, LedgerItem
from xinfang.orgs.selectors import bodies_under

__all__ = [
    "LAPSING_WINDOWS",
    "BodyLedgerSummary",
    "case_nearest_clocks",
    "counted_clocks",
    "ledger_day_get",
    "ledger_item_get_for_actor",
    "ledger_items_for_body",
    "ledger_oversight",
    "light_counts_for_body",
    "light_counts_for_body_capped",
    "light_q",
    "open_clocks_for_body",
]

# Kept as plain strings (the values of cases.workflow.ClockKind) so that this module does not import the
# cases app, which imports the clock services from here.
# Rights that lapse — the petitioner's to ask for 复查/复核, the agency's to object (Art. 23): when one runs out
# nobody is late, the right is simply gone, so these are no one's red item.
# The petitioner's window to evaluate an answer lapses the same way (issue #16: "red" is one thing — a duty
# past its day — on the queue, the search, the ledger and the dashboard alike).
LAPSING_WINDOWS: frozenset[str] = frozenset({"objection", "review_request", "rereview_request", "evaluation"})
REQUEST_EXCERPT_CHARS = 60
# What a viewing body must not see on another body's ledger, as Q filters on the ledger item (`prefix` reaches
# the case): the cases app registers its 检举控告 exclusion here in CasesConfig.ready — a hook, because cases
# sits above deadlines and is not imported from here (docs/architecture.md).
VIEWER_EXCLUSIONS: list[Callable[..., Q]] = []
# `is_open=True` compiles to a bare `WHERE is_open`: exactly the condition of the partial indexes
# (body, due_on) and (due_on) WHERE is_open, which both SQLite and PostgreSQL then match, so a body's open
# clocks come out of the small open-only index already in (due_on, id) order. (Spelled any other way,
# e.g. `is_open IN (true)`, the planners do not prove the index's condition and fall back to the FK index.)
OPEN = Q(is_open=True)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def light_q(light: str, *, today: date, yellow_days: int | None = None) -> Q:
    """The due-date range of one light, as a filter the (…, due_on) indexes serve."""
    threshold = today + timedelta(days=yellow_days_setting() if yellow_days is None else yellow_days)
    if light == Light.RED:
        return Q(due_on__lte=today)
    if light == Light.YELLOW:
        return Q(due_on__gt=today, due_on__lte=threshold)
    if light == Light.GREEN:
        return Q(due_on__gt=threshold)
    raise ValueError(f"unknown light {light!r}")


def _light_expression(today: date, yellow_days: int | None = None) -> Case:
    return Case(
        When(light_q(Light.RED, today=today, yellow_days=yellow_days), then=Value(Light.RED.value)),
        When(light_q(Light.YELLOW, today=today, yellow_days=yellow_days), then=Value(Light.YELLOW.value)),
        default=Value(Light.GREEN.value),
        output_field=CharField(),
    )


def counted_clocks() -> QuerySet[Clock]:
    """Open clocks somebody owes: everything but the rights that lapse (LAPSING_WINDOWS)."""
    return Clock.objects.filter(OPEN).exclude(kind__in=LAPSING_WINDOWS)


def case_nearest_clocks(*, case, body) -> QuerySet[Clock]:
    """The clocks that give a case its one light, nearest first: open, owed by `body` (the body holding the
    case), neither a right that lapses nor paused (a 听证 stops the clock; its due date moves on resume).
    `case` and `body` may be ids or OuterRef()s. The one rule behind Case.due_on / due_kind (issue 14), which
    the queue, the search and the API list read; the case page shows the same light per clock."""
    return counted_clocks().filter(case=case, body=body, paused_since__isnull=True).order_by("due_on", "id")


def open_clocks_for_body(
    *,
    body,
    today: date | None = None,
    lights: set[str] | frozenset[str] | list[str] | None = None,
    limit: int = 50,
    offset: int = 0,
    after: tuple[date, int] | None = None,
) -> list[Clock]:
    """This body's open clocks, soonest due first, each with `.light` and its case's number, title,
    request excerpt (`.request_excerpt`) and state joined in one query.

    `after=(due_on, id)` of the last row shown is the keyset for the next page (cheap at any depth);
    `offset` is there for page numbers in short lists. `.counts` is False on a petitioner's window.
    """
    today = _today(today)
    qs = Clock.objects.filter(OPEN, body=body)
    if lights:
        wanted = Q()
        for light in lights:
            wanted |= light_q(light, today=today)
        qs = qs.filter(wanted)
    if after is not None:
        due, pk = after
        qs = qs.filter(Q(due_on__gt=due) | Q(due_on=due, pk__gt=pk))
    qs = (
        qs.select_related("case")
        .only(
            "id",
            "kind",
            "body_id",
            "is_window",
            "due_on",
            "beyond_known_calendar",
            "paused_since",
            "case__id",
            "case__number",
            "case__title",
            "case__state",
        )
        .annotate(
            light=_light_expression(today),
            request_excerpt=Substr("case__request", 1, REQUEST_EXCERPT_CHARS),
        )
        .order_by("due_on", "id")
    )
    rows: list[Clock] = list(qs[offset : offset + limit])
    for clock in rows:
        clock.counts = clock.kind not in LAPSING_WINDOWS  # type: ignore[attr-defined]  # shown on the page
    return rows


def light_counts_for_body(*, body, today: date | None = None) -> dict[str, int]:
    """{"green": n, "yellow": n, "red": n} over the clocks this body owes (one aggregate query)."""
    today = _today(today)
    counts = (
        counted_clocks()
        .filter(body=body)
        .aggregate(**{light.value: Count("id", filter=light_q(light, today=today)) for light in Light})
    )
    return {light.value: counts[light.value] or 0 for light in Light}


def light_counts_for_body_capped(*, body, today: date | None = None, cap: int = COUNT_CAP) -> dict[str, str]:
    """The ledger's counts of the clocks this body owes per light, as shown ("12", "1,000+", "" past the cap):
    the first cap + 1 due dates off the partial (body, due_on) WHERE is_open index (a LIMIT, not a COUNT over
    every open clock of the body, issue 14), bucketed by deadlines.lights.light_counts_of."""
    dues = list(
        counted_clocks().filter(body=body).order_by("due_on").values_list("due_on", flat=True)[: cap + 1]
    )
    return light_counts_of(dues, today=_today(today), cap=cap)[0]


def ledger_day_get(*, body, day: date) -> LedgerDay | None:
    return LedgerDay.objects.filter(body=body, date=day).first()


def ledger_items_for_body(*, body, day: date, viewer=None) -> list[LedgerItem]:
    """A body's ledger for a day: uncleared first (red before yellow, soonest due first), then cleared.

    `viewer` (an Actor) is who will see it, when that is not the body itself (a supervisor's oversight):
    检举控告 about the viewer's body never shows on it (Art. 30, docs/security.md)."""
    qs = LedgerItem.objects.filter(ledger_day__body=body, ledger_day__date=day)
    if viewer is not None:
        for exclusion in VIEWER_EXCLUSIONS:
            qs = qs.exclude(exclusion(viewer.body, prefix="clock__case__"))
    return list(
        qs.select_related("clock", "clock__case", "cleared_by", "rolled_over_from__ledger_day")
        .defer("clock__case__request", "clock__case__facts", "clock__counted", "clock__case__suggestion")
        .annotate(
            request_excerpt=Substr("clock__case__request", 1, REQUEST_EXCERPT_CHARS),
            uncleared_first=Case(When(cleared_at__isnull=True, then=Value(0)), default=Value(1)),
            red_first=Case(When(light=Light.RED, then=Value(0)), default=Value(1)),
        )
        .order_by("uncleared_first", "red_first", "due_on", "id")
    )


def ledger_item_get_for_actor(*, actor, pk: int) -> LedgerItem:
    """One item of the acting body's own ledger, or NotFound: the same answer for another body's item and for
    one that does not exist, before anything the request carries is looked at."""
    if actor.body is None:
        raise NotFound()
    item = (
        LedgerItem.objects.select_related("ledger_day", "clock", "clock__case")
        .filter(pk=pk, ledger_day__body=actor.body)
        .first()
    )
    if item is None:
        raise NotFound()
    return item


@dataclass(frozen=True)
class BodyLedgerSummary:
    body_id: int
    body_name: str
    items: int
    uncleared: int
    rolled_over: int
    red_uncleared: int


def ledger_oversight(*, supervisor_body, day: date) -> list[BodyLedgerSummary]:
    """For a supervisor: every body under them with a ledger that day, worst first (one query)."""
    rows = (
        LedgerDay.objects.filter(date=day, body__in=bodies_under(supervisor_body))
        .values("body_id", "body__name")
        .annotate(
            n_items=Count("items"),
            n_uncleared=Count("items", filter=Q(items__cleared_at__isnull=True)),
            n_rolled=Count("items", filter=Q(items__rolled_over_from__isnull=False)),
            n_red=Count("items", filter=Q(items__cleared_at__isnull=True, items__light=Light.RED)),
        )
        .order_by("-n_uncleared", "-n_rolled", "body__name")
    )
    return [
        BodyLedgerSummary(
            body_id=r["body_id"],
            body_name=r["body__name"],
            items=r["n_items"],
            uncleared=r["n_uncleared"],
            rolled_over=r["n_rolled"],
            red_uncleared=r["n_red"],
        )
        for r in rows
    ]
