"""Starting, stopping, pausing and extending the clocks on a case. Called by the case services inside
their transaction; never on their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from django.db.models.signals import post_save, pre_save

from xinfang.core.db import Prepared, PreparedUpdate, row_insert
from xinfang.core.periods import period
from xinfang.deadlines.calendar import Pause, WorkCalendar, compute_due, effective_working
from xinfang.deadlines.models import Clock
from xinfang.deadlines.selectors import case_nearest_clocks

# Inside `case_due_batch` the clock services leave the case's due columns to the batch's end (one write per
# action instead of one per clock touched).
_BATCHED: ContextVar[bool] = ContextVar("case_due_batched", default=False)

# The statements every case action runs, compiled once per database (core.db.Prepared): the rule stays in the
# querysets (case_nearest_clocks for the due columns), only their compilation per call is gone.
_NEAREST = Prepared(
    lambda case, body: case_nearest_clocks(case=case, body=body).values_list("due_on", "kind")[:1]
)
_OPEN_OF_KINDS = Prepared(lambda case, kinds: Clock.objects.filter(case=case, kind__in=kinds, is_open=True))
STOP_FIELDS = ("pauses", "paused_since", "is_open", "stopped_on", "on_time", "stopped_by")
_STOP = PreparedUpdate(lambda pk: Clock.objects.filter(pk=pk), STOP_FIELDS)
_MOVE = PreparedUpdate(
    lambda case, kinds: Clock.objects.filter(case=case, kind__in=kinds, is_open=True), ("body",)
)


_DUE_WRITES: dict[type, PreparedUpdate] = {}


def _due_write(model) -> PreparedUpdate:
    """The UPDATE of a case's due columns (the Case model is passed in: deadlines does not import cases)."""
    if model not in _DUE_WRITES:
        _DUE_WRITES[model] = PreparedUpdate(lambda pk: model.objects.filter(pk=pk), ("due_on", "due_kind"))
    return _DUE_WRITES[model]


def _signals_heard() -> bool:
    """Whether anything listens to a clock's save (nothing does today): then the statements go through save()."""
    return pre_save.has_listeners(Clock) or post_save.has_listeners(Clock)


def case_due_refresh(case) -> None:
    """Set the case's nearest due date and its kind (Case.due_on, due_kind, issue 14) from its clocks as they
    are now, on `case` only: its caller writes them (with the rest of the case's changes). The rule:
    case_nearest_clocks."""
    row = _NEAREST.first(case.pk, case.current_body_id)
    case.due_on, case.due_kind = row if row else (None, "")


def case_due_sync(case) -> None:
    """Write the case's due columns from its clocks as they are now, in the database and on `case`. Every clock
    service calls it, and case_act once per action (the holding body may have changed, which changes whose
    clocks count)."""
    case_due_refresh(case)
    _due_write(type(case)).run(case.pk, values=[case.due_on, case.due_kind])


@contextmanager
def case_due_batch(case, *, write: bool = True) -> Iterator[None]:
    """Clock services called inside do not write the case's due columns; the batch writes them once at the end
    (not when the block raises: the transaction is rolled back anyway). `write=False`: the batch only sets them
    on `case`, and the caller saves them with its own UPDATE of the case (case_act: one write per action)."""
    token = _BATCHED.set(True)
    try:
        yield
    finally:
        _BATCHED.reset(token)
    if write:
        case_due_sync(case)
    else:
        case_due_refresh(case)


def _changed(case) -> None:
    if not _BATCHED.get():
        case_due_sync(case)


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar or WorkCalendar.cached()


def _pauses(clock: Clock) -> list[Pause]:
    return [Pause(date.fromisoformat(a), date.fromisoformat(b)) for a, b in clock.pauses]


def _recompute(clock: Clock, calendar: WorkCalendar) -> None:
    due = compute_due(
        start=clock.started_on,
        days=clock.days,
        working=clock.working,
        extension_days=clock.extension_days,
        pauses=_pauses(clock),
        calendar=calendar,
    )
    clock.due_on = due.due
    clock.beyond_known_calendar = due.beyond_known_calendar
    clock.counted = list(due.counted)


def clock_start(
    *,
    case,
    kind: str,
    body,
    start: date,
    days: int,
    working: bool = False,
    is_window: bool = False,
    legal_basis: str = "",
    calendar: WorkCalendar | None = None,
) -> Clock:
    clock = Clock(
        case=case,
        kind=kind,
        body=body,
        is_window=is_window,
        started_on=start,
        days=days,
        working=effective_working(working),
        legal_basis=legal_basis,
    )
    _recompute(clock, _calendar(calendar))
    row_insert(clock)  # clock.save(), its INSERT compiled once
    _changed(case)
    return clock


def clock_start_until(*, case, kind: str, body, start: date, due: date, legal_basis: str = "") -> Clock:
    """A clock whose due date is given (a 交办 with its own feedback date), not computed."""
    clock = Clock(
        case=case,
        kind=kind,
        body=body,
        started_on=start,
        days=max((due - start).days, 0),
        due_on=due,
        legal_basis=legal_basis,
        counted=[f"交办机关指定的反馈期限：{due.isoformat()}"],
    )
    row_insert(clock)
    _changed(case)
    return clock


def clock_stop(*, case, kinds, on: date, action: str) -> list[Clock]:
    stopped = []
    saved = _signals_heard()
    for clock in _OPEN_OF_KINDS.rows(case.pk, fixed=(tuple(kinds),)):
        if clock.paused_since:
            clock.pauses = [*clock.pauses, [clock.paused_since.isoformat(), on.isoformat()]]
            clock.paused_since = None
        clock.is_open = False
        clock.stopped_on = on
        clock.on_time = on <= clock.due_on
        clock.stopped_by = action
        if saved:
            clock.save(update_fields=STOP_FIELDS)
        else:  # the UPDATE save(update_fields=STOP_FIELDS) writes, compiled once
            _STOP.run(clock.pk, values=[getattr(clock, f) for f in STOP_FIELDS])
        stopped.append(clock)
    if stopped:
        _changed(case)
    return stopped


def clock_pause(*, case, kinds, on: date) -> None:
    """From `on` the clock does not run (a 听证 begins). The due date is fixed again on resume."""
    if Clock.objects.filter(case=case, kind__in=list(kinds), is_open=True, paused_since__isnull=True).update(
        paused_since=on
    ):
        _changed(case)


def clock_resume(*, case, kinds, on: date, calendar: WorkCalendar | None = None) -> None:
    """The days from the pause through the day before `on` are not counted; the due date moves on."""
    cal = None
    for clock in Clock.objects.filter(
        case=case, kind__in=list(kinds), is_open=True, paused_since__isnull=False
    ):
        last = on - timedelta(days=1)
        if last >= clock.paused_since:
            clock.pauses = [*clock.pauses, [clock.paused_since.isoformat(), last.isoformat()]]
        clock.paused_since = None
        cal = cal or _calendar(calendar)
        _recompute(clock, cal)
        clock.save()
    if cal is not None:
        _changed(case)


def clock_extend(*, case, kind: str, days: int, calendar: WorkCalendar | None = None) -> Clock | None:
    clock = Clock.objects.filter(case=case, kind=kind, is_open=True).first()
    if clock is None:
        return None
    clock.extension_days += days
    _recompute(clock, _calendar(calendar))
    clock.save()
    _changed(case)
    return clock


def clock_move_body(*, case, kinds, body) -> None:
    if _MOVE.run(case.pk, values=[body], fixed=(tuple(kinds),)):
        _changed(case)


def evaluation_window_days() -> int:
    return period("evaluation").current_days()


def clock_restart(*, case, kinds, start: date, calendar: WorkCalendar | None = None) -> list[Clock]:
    """Count an open clock from another start day: a petitioner's window runs from the day they received
    the written answer (条例 Art. 35, 36 "自收到书面答复之日起"), which the service record (送达) gives —
    the clock was started on the day of issue and is moved here when the receipt is recorded."""
    moved = []
    cal = None
    for clock in Clock.objects.filter(case=case, kind__in=list(kinds), is_open=True):
        if clock.started_on == start:
            continue
        cal = cal or _calendar(calendar)
        clock.started_on = start
        _recompute(clock, cal)
        clock.save()
        moved.append(clock)
    if moved:
        _changed(case)
    return moved
