"""Reading evaluations."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from xinfang.cases.selectors import case_visible_exists, cases_visible_to
from xinfang.core.errors import NotFound
from xinfang.core.keyset import Key
from xinfang.evaluation.models import Evaluation, ReturnVisit, ReturnVisitStatus, Satisfaction
from xinfang.orgs.acting import Actor


def case_petitioner_satisfied(case) -> bool:
    """The petitioner has said they are satisfied (or basically so) with the answer: the case may be
    concluded before the 复查/复核 window runs out (registered with the cases services, evaluation/apps.py)."""
    return Evaluation.objects.filter(
        case=case, result__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]
    ).exists()


# ---------------------------------------------------------------------------------------- 回访 (return visit)

RETURN_VISIT_VIEWS = ("due", "upcoming", "done")


# The order of each view as keyset keys (core/keyset.py), each served by an index of ReturnVisit: due and
# upcoming by returnvisit_body_status_day_idx (body, status, scheduled_on), done by returnvisit_body_done_idx
# (body, done_at): a recorded visit has its time, so the done view is one index range.
RETURN_VISIT_KEYS = {
    "due": (Key("scheduled_on", "date"), Key("id")),
    "upcoming": (Key("scheduled_on", "date"), Key("id")),
    "done": (Key("done_at", "datetime", desc=True), Key("id", desc=True)),
}


def return_visits_for(*, actor: Actor, view: str = "due", today: date) -> QuerySet[ReturnVisit]:
    """The acting body's 回访: due (planned for today or earlier and not yet made), upcoming, or done (made or
    the petitioner unreachable, latest first). Only of cases the body may see (the one read path, as a
    per-row EXISTS so that a page reads its index in order and stops: issue 14). Ordered by
    RETURN_VISIT_KEYS[view]."""
    if actor.body is None:
        return ReturnVisit.objects.none()
    qs = (
        ReturnVisit.objects.filter(body=actor.body)
        .filter(case_visible_exists(actor))
        .select_related("case", "evaluation", "recorded_by")
    )
    if view == "upcoming":
        qs = qs.filter(status=ReturnVisitStatus.SCHEDULED, scheduled_on__gt=today)
    elif view == "done":  # recorded: done_at is set whenever the status leaves 待回访 (return_visit_record)
        qs = qs.filter(done_at__isnull=False).exclude(status=ReturnVisitStatus.SCHEDULED)
    else:
        qs = qs.filter(status=ReturnVisitStatus.SCHEDULED, scheduled_on__lte=today)
    keys = RETURN_VISIT_KEYS.get(view, RETURN_VISIT_KEYS["due"])
    return qs.order_by(*[f"-{k.field}" if k.desc else k.field for k in keys])


def return_visit_get_for_actor(*, actor: Actor, pk: int) -> ReturnVisit:
    """One 回访 of the acting body on a case it may see, or NotFound."""
    if actor.body is None:
        raise NotFound()
    found = (
        ReturnVisit.objects.filter(pk=pk, body=actor.body, case_id__in=cases_visible_to(actor).values("pk"))
        .select_related("case", "evaluation", "recorded_by", "case__handling_body")
        .first()
    )
    if found is None:
        raise NotFound()
    return found
