"""The denormalised columns of a case the lists read (Case.due_on, due_kind, queue_body; issue 14): the bulk recount, and the
`xinfang doctor` check that they agree with the clocks and repairs those that do not.

The services keep the columns as they write (deadlines.clocks.case_due_sync, case_act); the bulk generator
fills them as it writes; this is the net under both — a write path that forgot, a clock edited in the admin,
a restored dump."""

from __future__ import annotations

from datetime import date

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from xinfang.cases.models import QUEUE_STATES, Case
from xinfang.cases.selectors import cases_unscoped
from xinfang.core.maintenance import Check
from xinfang.deadlines.models import Clock
from xinfang.deadlines.selectors import case_nearest_clocks

SHOWN = 20  # drifted cases named in the doctor's report; the count is exact


def _all() -> QuerySet[Case]:
    return cases_unscoped(reason="维护：核对并修复事项的最近期限列与待办机关列（xinfang doctor）")


def _nearest():
    return case_nearest_clocks(case=OuterRef("pk"), body=OuterRef("current_body_id"))


def _recounted(qs: QuerySet[Case]) -> QuerySet[Case]:
    nearest = _nearest()
    return qs.annotate(
        stored_due=Coalesce("due_on", Value(date.min)),
        counted_due=Coalesce(Subquery(nearest.values("due_on")[:1]), Value(date.min)),
        counted_kind=Coalesce(Subquery(nearest.values("kind")[:1]), Value("")),
    )


def _queue_body_wrong() -> Q:
    """queue_body is the holding body while the case is open (QUEUE_STATES), else NULL (Case.save)."""
    return (
        Q(state__in=QUEUE_STATES, queue_body__isnull=True)
        | (Q(state__in=QUEUE_STATES) & ~Q(queue_body=F("current_body")))
        | (~Q(state__in=QUEUE_STATES) & Q(queue_body__isnull=False))
    )


def cases_due_drifted() -> QuerySet[Case]:
    """The cases whose stored due date or kind differs from a recount over their clocks now, or whose
    queue_body does not follow their state and holding body."""
    return _recounted(_all()).filter(
        ~Q(stored_due=F("counted_due")) | ~Q(due_kind=F("counted_kind")) | _queue_body_wrong()
    )


def cases_due_recount(*, ids: list[int] | None = None) -> int:
    """Write the due columns of these cases (all, when None) from their clocks: one UPDATE. Cases with no open
    clock at all are only cleared where they hold a stale value (a full reload touches the few with clocks)."""
    nearest = _nearest()
    due = Subquery(nearest.values("due_on")[:1])
    kind = Coalesce(Subquery(nearest.values("kind")[:1]), Value(""))
    qs = _all() if ids is None else _all().filter(pk__in=ids)
    qs.filter(state__in=QUEUE_STATES).exclude(queue_body=F("current_body")).update(
        queue_body=F("current_body")
    )
    qs.exclude(state__in=QUEUE_STATES).filter(queue_body__isnull=False).update(queue_body=None)
    with_clock = qs.filter(pk__in=Clock.objects.filter(is_open=True).values("case_id"))
    n = with_clock.update(due_on=due, due_kind=kind)
    n += (
        qs.exclude(pk__in=Clock.objects.filter(is_open=True).values("case_id"))
        .exclude(due_on__isnull=True, due_kind="")
        .update(due_on=None, due_kind="")
    )
    return n


def _find() -> list[str]:
    drifted = cases_due_drifted()
    n = drifted.count()
    if not n:
        return []
    rows = drifted.order_by("pk").values_list("number", "due_on", "counted_due", "due_kind", "counted_kind")
    shown = [
        f"{number}: 存 {stored or '—'} {kind or '—'}，应为 "
        f"{'—' if counted == date.min else counted} {counted_kind or '—'}"
        for number, stored, counted, kind, counted_kind in rows[:SHOWN]
    ]
    return [f"{n} 件信访事项的最近期限列或待办机关列与期限记录、状态不符", *shown]


def _repair() -> None:
    ids = list(cases_due_drifted().values_list("pk", flat=True))
    for i in range(0, len(ids), 5000):
        cases_due_recount(ids=ids[i : i + 5000])


DUE_CHECK = Check("信访事项最近期限列（待办排序、灯色筛选）", _find, _repair)
