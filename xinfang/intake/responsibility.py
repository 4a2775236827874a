"""三跨三分离 at routing: which body leads and which assist, by the responsibility table, with the rule that
chose them; and the 协办 tasks that follow, tracked until each assisting body reports back."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.selectors import case_list_visible, cases_unscoped
from xinfang.core.errors import NotFound, ValidationFailed
from xinfang.core.events import event_record
from xinfang.intake.models import AssistTask, Place, ResponsibilityRule, Situation, TargetLevel
from xinfang.intake.routing import _city_of, _county_of
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, BodyKind, Region
from xinfang.orgs.selectors import body_of_kind_for_region


@dataclass
class Proposal:
    situation: str
    rule: ResponsibilityRule
    lead: Body
    assisting: list[Body] = field(default_factory=list)

    @property
    def because(self) -> str:
        return f"{Situation(self.situation).label}：{self.rule.basis}"

    def as_dict(self) -> dict:
        return {
            "situation": self.situation,
            "situation_label": Situation(self.situation).label,
            "rule_id": self.rule.pk,
            "rule": str(self.rule),
            "basis": self.rule.basis,
            "lead": {"code": self.lead.code, "name": self.lead.name},
            "assisting": [{"code": b.code, "name": b.name} for b in self.assisting],
            "because": self.because,
        }


def situation_of(*, matter: Region, residence: Region | None, household: Region | None) -> str | None:
    """Compared at county level (a move between two streets of one district separates nothing)."""
    m = _county_of(matter).pk
    r = _county_of(residence).pk if residence else m
    h = _county_of(household).pk if household else r
    if m != r and r != h and m != h:
        return Situation.ALL_APART
    if m != r:
        return Situation.PERSON_MATTER
    if r != h:
        return Situation.PERSON_HOUSEHOLD
    return None


def _body_for(region: Region, rule: ResponsibilityRule, category) -> Body | None:
    where = {
        TargetLevel.COUNTY: _county_of(region),
        TargetLevel.CITY: _city_of(region),
    }.get(rule.level, _county_of(region))
    sector = rule.sector or (category.default_sector if category is not None else "")
    found = body_of_kind_for_region(region=where, sector=sector) if sector else None
    return found or body_of_kind_for_region(region=where, kind=BodyKind.GOVERNMENT)


def responsibility_propose(
    *, problem_region: Region, residence_region: Region | None, household_region: Region | None, category=None
) -> Proposal | None:
    """The lead and assisting bodies for a 三跨三分离 matter, or None when person, residence and matter are
    in one place. The rule that chose them travels with the proposal."""
    situation = situation_of(matter=problem_region, residence=residence_region, household=household_region)
    if situation is None:
        return None
    rules = ResponsibilityRule.objects.filter(is_active=True, situation=situation).filter(
        Q(category=category) | Q(category__isnull=True) if category is not None else Q(category__isnull=True)
    )
    rule = sorted(rules, key=lambda r: (r.priority, r.category_id is None, r.pk))[:1]
    if not rule:
        return None
    rule = rule[0]
    places = {
        Place.MATTER: problem_region,
        Place.RESIDENCE: residence_region or problem_region,
        Place.HOUSEHOLD: household_region or residence_region or problem_region,
    }
    lead = _body_for(places[rule.lead_place], rule, category)
    if lead is None:
        return None
    assisting: list[Body] = []
    for place in rule.assist_places:
        body = _body_for(places.get(place, problem_region), rule, category)
        if body is not None and body.pk != lead.pk and all(b.pk != body.pk for b in assisting):
            assisting.append(body)
    return Proposal(situation=situation, rule=rule, lead=lead, assisting=assisting)


# ---------------------------------------------------------------------------------------------- 协办


def assist_tasks_open(*, case, lead_body: Body, bodies, rule_id: int | None = None, request: str = "") -> int:
    """A task for each assisting body not yet asked (called when a case goes to a lead with co-bodies)."""
    made = 0
    for body in bodies:
        _, created = AssistTask.objects.get_or_create(
            case=case,
            body=body,
            defaults={"lead_body": lead_body, "rule_id": rule_id, "request": request[:500]},
        )
        made += created
    return made


def assist_tasks_for(*, actor: Actor) -> QuerySet[AssistTask]:
    """The open 协办 tasks of the actor's body, on cases it may see (the one read path)."""

    return (
        AssistTask.objects.filter(body=actor.body, state=AssistTask.TaskState.OPEN)
        .filter(case__in=case_list_visible(actor=actor).values("pk"))
        .select_related("case", "lead_body")
    )


def assist_task_complete(*, actor: Actor, task_id: int, result: str) -> AssistTask:
    """The assisting body reports what it did; the lead sees it on the case (event)."""
    result = (result or "").strip()
    with transaction.atomic():
        task = AssistTask.objects.select_for_update().filter(pk=task_id, body=actor.body).first()
        if task is None:
            raise NotFound()
        if task.state == AssistTask.TaskState.DONE:
            raise ValidationFailed(gettext("该协办任务已经完成。"), code="assist_done")
        if not result:
            raise ValidationFailed(
                gettext("请填写协办结果。"), code="missing_result", extra={"result": gettext("必填")}
            )
        task.state = AssistTask.TaskState.DONE
        task.result = result[:5000]
        task.done_at = timezone.now()
        task.save(update_fields=["state", "result", "done_at"])
        event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=actor.body,
            object_type="cases.case",
            object_id=task.case_id,
            action="assist_complete",
            new={"task": task.pk, "result": task.result[:200]},
            legal_basis="《信访工作条例》第二十四条",
        )
    return task


def on_event_saved(sender, instance, created, **kwargs) -> None:
    """When a case is transferred to a lead with co-bodies (the event the transfer writes), each co-body
    gets a 协办 task — with the responsibility rule, if the registration's proposal named one."""
    if not created or instance.action not in ("transfer", "assign") or instance.object_type != "cases.case":
        return
    co = (instance.new_values or {}).get("co_bodies") or []
    lead_id = (instance.new_values or {}).get("handling_body")
    if not co or not lead_id:
        return

    case = (
        cases_unscoped(reason="协办 tasks after a transfer")
        .filter(pk=instance.object_id)
        .only("pk", "suggestion")
        .first()
    )
    if case is None:
        return
    rule_id = ((case.suggestion or {}).get("responsibility") or {}).get("rule_id")
    assist_tasks_open(
        case=case,
        lead_body=Body.objects.get(pk=lead_id),
        bodies=list(Body.objects.filter(pk__in=co)),
        rule_id=rule_id,
        request=instance.reason or "",
    )
