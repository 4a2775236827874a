"""Reading evaluations."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from xinfang.cases.selectors import cases_visible_to
from xinfang.core.errors import NotFound
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


def return_visits_for(*, actor: Actor, view: str = "due", today: date) -> QuerySet[ReturnVisit]:
    """The acting body's 回访: due (planned for today or earlier and not yet made), upcoming, or done (made or
    the petitioner unreachable, latest first). Only of cases the body may see (the one read path)."""
    if actor.body is None:
        return ReturnVisit.objects.none()
    qs = ReturnVisit.objects.filter(
        body=actor.body, case_id__in=cases_visible_to(actor).values("pk")
    ).select_related("case", "evaluation", "recorded_by")
    if view == "upcoming":
        return qs.filter(status=ReturnVisitStatus.SCHEDULED, scheduled_on__gt=today).order_by(
            "scheduled_on", "pk"
        )
    if view == "done":
        return qs.exclude(status=ReturnVisitStatus.SCHEDULED).order_by("-done_at", "-pk")
    return qs.filter(status=ReturnVisitStatus.SCHEDULED, scheduled_on__lte=today).order_by(
        "scheduled_on", "pk"
    )


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
