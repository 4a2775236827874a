"""Reads of the hall's rows, always scoped: the acting body's own hall, and (where they touch cases) only
the cases `case_list_visible` lets the actor see. The public board reads queue numbers and counts only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_list_visible, case_visible_exists
from xinfang.core.errors import NotFound
from xinfang.core.keyset import Key
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body
from xinfang.reception.models import (
    OPEN_TICKET_STATUSES,
    ArchiveRecord,
    DutyShift,
    Hearing,
    Service,
    ServiceDay,
    Ticket,
    TicketStatus,
    Visit,
)
from xinfang.reception.services import ARCHIVABLE_STATES


@dataclass
class ServiceRow:
    service: Service
    day: ServiceDay | None
    waiting: int = 0
    served: int = 0
    current: Ticket | None = None  # the number called last (called or being served)

    @property
    def agency_name(self) -> str:
        agency = (self.day.agency if self.day else None) or self.service.default_agency
        return agency.name if agency else ""


@dataclass
class HallToday:
    body: Body
    date: date
    rows: list[ServiceRow]
    recent_calls: list[Ticket] = field(default_factory=list)

    @property
    def waiting_total(self) -> int:
        return sum(r.waiting for r in self.rows)


def hall_today(*, body: Body, on: date | None = None, recent: int = 6) -> HallToday:
    """Each active service of the hall with today's counter, waiting count and the number it called last,
    plus the latest calls: four queries however long the day."""
    on = on or timezone.localdate()
    services = list(
        Service.objects.filter(body=body, is_active=True)
        .select_related("default_agency")
        .order_by("sort", "prefix")
    )
    days = {
        d.service_id: d
        for d in ServiceDay.objects.filter(service__in=services, date=on).select_related("agency")
    }
    counts = {
        row["service_day"]: row
        for row in Ticket.objects.filter(service_day__in=list(days.values()))
        .values("service_day")
        .annotate(
            waiting=Count("id", filter=Q(status=TicketStatus.WAITING)),
            served=Count("id", filter=Q(status=TicketStatus.DONE)),
        )
        .order_by()
    }
    called = list(
        Ticket.objects.filter(
            service_day__in=list(days.values()), status__in=[TicketStatus.CALLED, TicketStatus.SERVING]
        )
        .select_related("service_day__service")
        .order_by("-called_at", "-id")
    )
    current: dict[int, Ticket] = {}
    for t in called:
        current.setdefault(t.service_day_id, t)
    rows = []
    for s in services:
        day = days.get(s.pk)
        c: Any = counts.get(day.pk, {}) if day else {}
        rows.append(
            ServiceRow(
                service=s,
                day=day,
                waiting=c.get("waiting", 0),
                served=c.get("served", 0),
                current=current.get(day.pk) if day else None,
            )
        )
    return HallToday(body=body, date=on, rows=rows, recent_calls=called[:recent])


def board_body(*, code: str) -> Body:
    """The hall a public board shows: a body that runs one (has services), by its code, else NotFound."""
    body = Body.objects.filter(code=code, is_active=True, hall_services__is_active=True).distinct().first()
    if body is None:
        raise NotFound()
    return body


def service_list(*, actor: Actor) -> QuerySet[Service]:
    return Service.objects.filter(body=actor.body, is_active=True).select_related("default_agency")


def service_get(*, actor: Actor, pk: int) -> Service:
    s = service_list(actor=actor).filter(pk=pk).first()
    if s is None:
        raise NotFound()
    return s


def service_day_get(*, actor: Actor, pk: int) -> ServiceDay:
    d = ServiceDay.objects.select_related("service", "agency").filter(pk=pk, service__body=actor.body).first()
    if d is None:
        raise NotFound()
    return d


def ticket_get(*, actor: Actor, pk: int) -> Ticket:
    t = (
        Ticket.objects.select_related("service_day__service", "service_day__agency")
        .filter(pk=pk, service_day__service__body=actor.body)
        .first()
    )
    if t is None:
        raise NotFound()
    return t


def window_queue(*, actor: Actor, day: ServiceDay) -> QuerySet[Ticket]:
    """The open numbers of one window today, in calling order."""
    return Ticket.objects.filter(service_day=day, status__in=OPEN_TICKET_STATUSES).order_by("number")


def visit_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Visit]:
    """The hall's visit records (its own body's), newest first. filters: date (a date), outcome, q (a
    person's name or phone, or a case number)."""
    filters = filters or {}
    qs = Visit.objects.filter(body=actor.body)
    if filters.get("date"):
        qs = qs.filter(date=filters["date"])
    if filters.get("outcome"):
        qs = qs.filter(outcome=filters["outcome"])
    term = (filters.get("q") or "").strip()
    if term:
        qs = qs.filter(
            Q(
                pk__in=Visit.objects.filter(
                    Q(people__person__name=term) | Q(people__person__phone=term)
                ).values("pk")
            )
            | Q(case__number=term)
        )
    return (
        qs.select_related("officer", "case", "ticket", "service_day__service", "leader_shift", "lawyer_shift")
        .prefetch_related("people__person")
        .order_by("-started_at", "-id")
    )


# The lists' orders as keyset keys (core/keyset.py, issue 14), each on an index: visits hall_visit_body_at_idx
# (body, started_at, id); hearings hall_hearing_body_idx (body, -scheduled_at, -id); the archive
# hall_archive_at_idx (-archived_at, -id); the public hearings published_at's db_index.
VISIT_KEYS = (Key("started_at", "datetime", desc=True), Key("id", desc=True))
HEARING_KEYS = (Key("scheduled_at", "datetime", desc=True), Key("id", desc=True))
HEARING_PUBLIC_KEYS = (Key("published_at", "datetime", desc=True), Key("id", desc=True))
ARCHIVE_KEYS = (Key("archived_at", "datetime", desc=True), Key("id", desc=True))


def visit_get(*, actor: Actor, pk: int) -> Visit:
    v = visit_list(actor=actor).filter(pk=pk).first()
    if v is None:
        raise NotFound()
    return v


def person_visits(*, actor: Actor, person_id: int) -> QuerySet[Visit]:
    """一人一档: every visit of one person to this hall."""
    return visit_list(actor=actor).filter(people__person_id=person_id).order_by("started_at")


def shift_list(*, actor: Actor, start: date, end: date) -> QuerySet[DutyShift]:
    """The roster between two days, each shift with the number of visits it took part in."""
    return (
        DutyShift.objects.filter(body=actor.body, date__gte=start, date__lte=end)
        .select_related("service", "user")
        .annotate(
            visits_led=Count("led_visits", distinct=True),
            visits_advised=Count("lawyer_visits", distinct=True),
        )
        .order_by("date", "kind", "name")
    )


def shifts_on(*, actor: Actor, on: date) -> QuerySet[DutyShift]:
    return (
        DutyShift.objects.filter(body=actor.body, date=on).select_related("service").order_by("kind", "name")
    )


def hearing_list(*, actor: Actor, status: str = "") -> QuerySet[Hearing]:
    """Hearings the acting body holds on cases it may see."""
    qs = Hearing.objects.filter(body=actor.body).filter(case_visible_exists(actor))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("case", "case__category").order_by("-scheduled_at", "-id")


def hearing_get(*, actor: Actor, pk: int) -> Hearing:
    h = hearing_list(actor=actor).filter(pk=pk).select_related("notice").first()
    if h is None:
        raise NotFound()
    return h


def hearings_published() -> QuerySet[Hearing]:
    """The public page: published conclusions only, and only the columns that name no one."""
    return (
        Hearing.objects.filter(published_at__isnull=False)
        .select_related("body", "case__category")
        .only(
            "pk",
            "scheduled_at",
            "published_at",
            "public_summary",
            "basis",
            "body__name",
            "case__category__name",
        )
        .order_by("-published_at", "-id")
    )


def hearing_published_get(*, pk: int) -> Hearing:
    h = hearings_published().filter(pk=pk).first()
    if h is None:
        raise NotFound()
    return h


def archive_list(
    *, actor: Actor, q: str = "", year: int | None = None, retention: str = ""
) -> QuerySet[ArchiveRecord]:
    """Archived cases the actor may see (through `case_list_visible`): by 档号, case number or words of
    the title or request."""
    qs = ArchiveRecord.objects.filter(case_visible_exists(actor))  # per row, in archived_at order
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(case__number__icontains=q)
            | Q(case__title__icontains=q)
            | Q(case__request__icontains=q)
        )
    if year:
        qs = qs.filter(archived_at__year=year)
    if retention:
        qs = qs.filter(retention=retention)
    # only what the list shows: an inner join to the users or bodies let SQLite start from them and sort
    return qs.select_related("case", "case__category").order_by("-archived_at", "-id")


def archivable_cases(*, actor: Actor) -> QuerySet[Case]:
    """Closed cases the acting body holds that are not archived yet (结案 → 归档)."""

    return (
        case_list_visible(actor=actor)
        .filter(current_body=actor.body, state__in=list(ARCHIVABLE_STATES), archive__isnull=True)
        .select_related("category")
        .order_by("closed_at", "pk")
    )
