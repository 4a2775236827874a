"""The reads the API composes from the case selectors: filtered lists and one case's whole picture."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from xinfang.cases.models import Case, Notice
from xinfang.cases.selectors import (
    allowed_actions,
    case_filter_exact,
    case_get_for_actor,
    case_history_for,
    case_list_visible,
    case_repeat_of_visible,
)
from xinfang.cases.workflow import Transition
from xinfang.core.models import Event
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.models import Clock
from xinfang.intake.suggest import intake_suggest
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, Region, Role
from xinfang.people.selectors import persons_by_identity

LIST_RELATED = ("category", "problem_region", "current_body", "handling_body", "registering_body")


def case_list_filtered(*, actor: Actor, filters: dict[str, Any]) -> QuerySet[Case]:
    """Visible cases narrowed by the API's filters, newest first, with what the list shows joined in."""
    qs = case_list_visible(actor=actor)
    qs = case_filter_exact(qs, filters)
    if filters.get("category"):
        qs = qs.filter(category__code=filters["category"])
    if filters.get("region"):
        # A county's code finds its townships' cases too.
        qs = qs.filter(problem_region__path__contains=f"/{filters['region']}/")
    if filters.get("registered_from"):
        qs = qs.filter(registered_at__date__gte=filters["registered_from"])
    if filters.get("registered_to"):
        qs = qs.filter(registered_at__date__lte=filters["registered_to"])
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(request__icontains=q))
    return qs.select_related(*LIST_RELATED).order_by("-registered_at", "-id")


@dataclass
class CaseDetail:
    case: Case
    clocks: list[Clock]
    events: list[Event]
    notices: list[Notice]
    actions: list[Transition]
    today: date
    repeat_of: str | None = None  # the first case's 编号, if the caller may see it


def case_detail(*, actor: Actor, number: str, log_read: bool = True) -> CaseDetail:
    """Everything an integration needs about one case; the read is logged, reads are not listed."""
    case = case_get_for_actor(actor=actor, number=number, log_read=log_read)
    return CaseDetail(
        case=case,
        clocks=list(Clock.objects.filter(case=case).select_related("body").order_by("started_on", "id")),
        events=case_history_for(actor=actor, case=case),
        notices=list(Notice.objects.filter(case=case).select_related("issued_by")),
        actions=allowed_actions(case=case, actor=actor),
        today=local_date(timezone.now()),
        repeat_of=getattr(case_repeat_of_visible(actor=actor, case=case), "number", None),
    )


def intake_suggestion(
    *,
    actor: Actor,
    title: str = "",
    request: str = "",
    facts: str = "",
    problem_region: Region | None = None,
    subject_body: Body | None = None,
    petitioners: list[dict] | tuple = (),
) -> dict[str, Any]:
    """What intake suggests for a petition about to be registered, computed here from the words and the
    people (known by ID number or phone), so a client cannot hand in a suggestion of its own. Registrars
    only: the repeats name other cases of the same person."""
    actor.require_role(Role.REGISTRAR)
    people = persons_by_identity(
        id_numbers=[p.get("id_number") or "" for p in petitioners],
        phones=[p.get("phone") or "" for p in petitioners if not p.get("id_number")],
    )
    return intake_suggest(
        registrar_body=actor.body,
        title=title,
        request=request,
        facts=facts,
        problem_region=problem_region,
        subject_body=subject_body,
        people=people,
    )
