"""The hall's figures for a body and a span of days: visits by day, service and window; waiting time p50/p90;
the 最多访一次 rate; consultations; hearings held; the duty roster's part. Each a grouped query.

最多访一次率 (definition): of the matters (a case, or its first case when it was a repeat) whose first visit
by its people falls in the span, the share that none of them visited again (on any later day, up to now).
A consultation is a matter of its own that needed one visit by construction, so it is counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext_noop

from xinfang.orgs.models import Body
from xinfang.reception.models import (
    DutyKind,
    DutyShift,
    Hearing,
    HearingStatus,
    Ticket,
    TicketStatus,
    Visit,
    VisitOutcome,
)


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile by linear interpolation (numpy's default), None for no values."""
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


@dataclass
class HallFigures:
    body: Body
    start: date
    end: date
    visits: int = 0
    by_day: list[tuple[date, int]] = field(default_factory=list)
    by_service: list[tuple[str, int]] = field(default_factory=list)
    by_window: list[tuple[str, str, int]] = field(default_factory=list)  # window, agency present, visits
    tickets: int = 0
    wait_p50_min: float | None = None
    wait_p90_min: float | None = None
    service_p50_min: float | None = None
    matters: int = 0
    matters_once: int = 0
    consultations: int = 0
    consultations_by_kind: list[tuple[str, int]] = field(default_factory=list)
    group_visits: int = 0
    hearings_held: int = 0
    leader_visits: int = 0
    lawyer_visits: int = 0
    new_cases: int = 0

    @property
    def once_rate(self) -> float | None:
        return self.matters_once / self.matters if self.matters else None

    @property
    def once_rate_text(self) -> str:
        r = self.once_rate
        return "—" if r is None else f"{r * 100:.1f}%"

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) for the annual report and exports; labels are Chinese sources (gettext_noop)."""

        def minutes(v):
            return "—" if v is None else f"{v:.1f}"

        return [
            (gettext_noop("来访接待（批次）"), str(self.visits)),
            (gettext_noop("取号"), str(self.tickets)),
            (gettext_noop("等候时间中位数（分钟）"), minutes(self.wait_p50_min)),
            (gettext_noop("等候时间90分位（分钟）"), minutes(self.wait_p90_min)),
            (gettext_noop("接待时长中位数（分钟）"), minutes(self.service_p50_min)),
            (gettext_noop("最多访一次率"), f"{self.once_rate_text}（{self.matters_once}/{self.matters}）"),
            (gettext_noop("咨询（无需登记事项）"), str(self.consultations)),
            (gettext_noop("登记为信访事项"), str(self.new_cases)),
            (gettext_noop("多人走访"), str(self.group_visits)),
            (gettext_noop("领导参与接待"), str(self.leader_visits)),
            (gettext_noop("律师参与接待"), str(self.lawyer_visits)),
            (gettext_noop("举行公开听证"), str(self.hearings_held)),
        ]


def hall_figures(*, body: Body, start: date, end: date) -> HallFigures:
    """The figures of one body's hall for the days start..end (inclusive)."""
    f = HallFigures(body=body, start=start, end=end)
    visits = Visit.objects.filter(body=body, date__gte=start, date__lte=end)
    totals = visits.aggregate(
        n=Count("id"),
        consult=Count("id", filter=Q(outcome=VisitOutcome.CONSULTATION)),
        new=Count("id", filter=Q(outcome=VisitOutcome.NEW_CASE)),
        group=Count("id", filter=Q(is_group=True)),
        leader=Count("id", filter=Q(leader_shift__isnull=False)),
        lawyer=Count("id", filter=Q(lawyer_shift__isnull=False)),
    )
    f.visits, f.consultations, f.new_cases = totals["n"], totals["consult"], totals["new"]
    f.group_visits, f.leader_visits, f.lawyer_visits = totals["group"], totals["leader"], totals["lawyer"]
    f.by_day = list(visits.values_list("date").annotate(n=Count("id")).order_by("date"))
    f.by_service = [
        (kind, n)
        for kind, n in visits.exclude(service_day=None)
        .values_list("service_day__service__kind")
        .annotate(n=Count("id"))
        .order_by("-n")
    ]
    f.by_window = [
        (f"{prefix} {name}", agency or "", n)
        for prefix, name, agency, n in visits.exclude(service_day=None)
        .values_list(
            "service_day__service__prefix", "service_day__service__name", "service_day__agency__name"
        )
        .annotate(n=Count("id"))
        .order_by("service_day__service__prefix", "service_day__agency__name")
    ]
    f.consultations_by_kind = list(
        visits.filter(outcome=VisitOutcome.CONSULTATION)
        .values_list("consultation_kind")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    tickets = Ticket.objects.filter(
        service_day__service__body=body, service_day__date__gte=start, service_day__date__lte=end
    )
    f.tickets = tickets.count()
    # The wait is from taking the number to being called; a transferred visitor's wait counts at each window.
    waits = [
        (called - issued).total_seconds() / 60
        for issued, called in tickets.filter(called_at__isnull=False).values_list("issued_at", "called_at")
    ]
    f.wait_p50_min, f.wait_p90_min = percentile(waits, 50), percentile(waits, 90)
    served = [
        (end_ - begin).total_seconds() / 60
        for begin, end_ in tickets.filter(status=TicketStatus.DONE, started_at__isnull=False).values_list(
            "started_at", "finished_at"
        )
    ]
    f.service_p50_min = percentile(served, 50)
    # 最多访一次: matters whose first visit is in the span; "once" when no later visit on it exists (at all).
    first_visits = Visit.objects.filter(
        body=body, matter__isnull=False, matter_visit_no=1, date__gte=start, date__lte=end
    )
    f.matters = first_visits.values("matter").distinct().count()
    revisited = (
        Visit.objects.filter(matter__in=first_visits.values("matter"), matter_visit_no__gt=1)
        .values("matter")
        .distinct()
    )
    f.matters_once = f.matters - revisited.count()
    f.hearings_held = Hearing.objects.filter(
        body=body, status=HearingStatus.CONCLUDED, concluded_on__gte=start, concluded_on__lte=end
    ).count()
    return f


def hall_figures_year(*, body: Body, year: int) -> HallFigures:
    return hall_figures(body=body, start=date(year, 1, 1), end=date(year, 12, 31))


def duty_counts(*, body: Body, start: date, end: date) -> list[tuple[str, str, int, int]]:
    """Per person on duty: (kind, name, shifts, visits taken part in) — leaders and lawyers alike."""
    rows = (
        DutyShift.objects.filter(body=body, date__gte=start, date__lte=end)
        .values("kind", "name")
        .annotate(
            shifts=Count("id", distinct=True),
            led=Count("led_visits", distinct=True),
            advised=Count("lawyer_visits", distinct=True),
        )
        .order_by("kind", "name")
    )
    return [
        (r["kind"], r["name"], r["shifts"], r["led"] if r["kind"] == DutyKind.LEADER else r["advised"])
        for r in rows
    ]


def last_days(today: date, n: int = 30) -> tuple[date, date]:
    return today - timedelta(days=n - 1), today


__all__ = ["HallFigures", "duty_counts", "hall_figures", "hall_figures_year", "last_days", "percentile"]
