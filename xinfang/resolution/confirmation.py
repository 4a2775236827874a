"""The 司法确认 window (人民调解法 Art. 33): 30 days from the day a people's mediation agreement takes effect,
counted as the law counts (民法典 Art. 201/203: the start day not counted, a last day on a 法定休假日 moves
to the next working day) by the deadlines engine. Not a case clock: the window is the parties', it runs
whether or not the dispute came from a case (a hall visit has none), so the referral keeps its own due date
and light."""

from __future__ import annotations

from datetime import date

from xinfang.core.periods import period
from xinfang.deadlines.calendar import DueDate, WorkCalendar, compute_due
from xinfang.deadlines.lights import Light, light_for


def confirmation_due(*, effective_on: date, calendar: WorkCalendar | None = None) -> DueDate:
    p = period("judicial_confirmation")
    return compute_due(start=effective_on, days=p.current_days(), working=p.working, calendar=calendar)


def confirmation_light(referral, *, today: date) -> Light | None:
    """The window's light while it is open (no application recorded yet and not past), else None."""
    due = referral.confirmation_due_on
    if due is None or referral.confirmation_applied_on or today > due:
        return None
    return light_for(due=due, today=today)
