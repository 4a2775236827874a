"""Reads of cases, always through the actor: what their body may see, minus 检举控告 material about them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xinfang.cases.models import Case, PetitionType
from xinfang.cases.services.actions import check_allowed
from xinfang.cases.workflow import TRANSITIONS, Transition
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.core.events import event_record
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, BodyKind

INVOLVED = (
    "registering_body",
    "current_body",
    "handling_body",
    "sender_body",
    "review_body",
    "rereview_body",
)


def _oversight_q(body: Body) -> Q:
    """Cases where any involved body lies under this body (a 信访局 oversees its region, an agency its system)."""
    if body.kind in (BodyKind.XINFANG, BodyKind.GOVERNMENT):
        prefix = body.region.path
        q = Q()
        for f in INVOLVED:
            q |= Q(**{f"{f}__region__path__startswith": prefix})
        return q
    q = Q()
    for f in INVOLVED:
        q |= Q(**{f"{f}__path__startswith": body.path})
    return q


def confidential_exclusion_q(body: Body) -> Q:
    """检举控告 about this body (or a body above it in its own line) is never shown to it (Art. 30, 46)."""
    ancestors = [p for p in body.path.strip("/").split("/") if p]
    return Q(petition_type=PetitionType.ACCUSATION) & Q(subject_body__code__in=ancestors)


def case_visible_q(actor: Actor) -> Q:
    body = actor.body
    direct = Q()
    for f in INVOLVED:
        direct |= Q(**{f: body})
    direct |= Q(co_bodies=body)
    return direct


def case_list_visible(*, actor: Actor) -> QuerySet[Case]:
    """Every case the actor's body may see: those it is involved in and, for supervising bodies, those under it."""
    body = actor.body
    return (
        Case.objects.filter(case_visible_q(actor) | _oversight_q(body))
        .exclude(confidential_exclusion_q(body))
        .distinct()
    )


def case_is_visible(*, case: Case, actor: Actor) -> bool:
    if actor.body is None:
        return False
    return case_list_visible(actor=actor).filter(pk=case.pk).exists()


def case_get_for_actor(
    *, actor: Actor, pk: int | None = None, number: str | None = None, log_read: bool = True
) -> Case:
    """One case the actor may see, or NotFound (the same answer whether it exists or not). Logs the read."""
    if actor.body is None:
        raise NotFound()
    qs = case_list_visible(actor=actor).select_related(
        "category",
        "problem_region",
        "registering_body",
        "current_body",
        "handling_body",
        "sender_body",
        "review_body",
        "rereview_body",
        "subject_body",
        "repeat_of",
    )
    case = qs.filter(pk=pk).first() if pk is not None else qs.filter(number=number).first()
    if case is None:
        raise NotFound()
    if log_read:
        event_record(actor=actor.user, actor_label=actor.label, body=actor.body, obj=case, action="read")
    return case


def allowed_actions(*, case: Case, actor: Actor) -> list[Transition]:
    """Exactly the actions the table allows this actor on this case now (the UI's buttons)."""
    out = []
    for t in TRANSITIONS:
        if case.state not in t.source_values:
            continue
        try:
            check_allowed(case, actor, t)
        except ApplicationError:
            continue
        out.append(t)
    return out


def case_petitioner_satisfied(case: Case) -> bool:
    from xinfang.evaluation.models import Evaluation, Satisfaction

    return Evaluation.objects.filter(
        case=case, result__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]
    ).exists()
