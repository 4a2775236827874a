"""Writes from the search page: saved views, bulk 签收 and assigning an officer, and the export's record."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_get_for_actor
from xinfang.cases.services import case_act
from xinfang.core.errors import ApplicationError, NotFound, ValidationFailed
from xinfang.core.events import event_record
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Membership, Role, User
from xinfang.search.models import SavedView

MAX_BULK = 200


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (number, why)


def saved_view_save(*, actor: Actor, name: str, query: str) -> SavedView:
    name = (name or "").strip()[:60]
    if not name:
        raise ValidationFailed(
            gettext("请为检索起一个名称。"), code="missing_name", extra={"name": gettext("必填")}
        )
    view, _ = SavedView.objects.update_or_create(user=actor.user, name=name, defaults={"query": query[:1000]})
    return view


def saved_view_delete(*, actor: Actor, pk: int) -> None:
    if not SavedView.objects.filter(user=actor.user, pk=pk).delete()[0]:
        raise NotFound()


def _bulk_ids(case_ids) -> list[int]:
    ids = sorted({int(i) for i in case_ids if str(i).isdigit()})
    if not ids:
        raise ValidationFailed(gettext("请先勾选事项。"), code="nothing_selected")
    if len(ids) > MAX_BULK:
        raise ValidationFailed(gettext("一次最多处理%(n)s件。") % {"n": MAX_BULK}, code="too_many_selected")
    return ids


def cases_bulk_receive(*, actor: Actor, case_ids) -> BulkResult:
    """签收 each selected case through the transition table, one at a time: each either is received or is
    listed with the table's reason; none is half-done."""
    result = BulkResult()
    for pk in _bulk_ids(case_ids):
        try:
            case = case_get_for_actor(actor=actor, pk=pk, log_read=False)
        except NotFound:
            continue  # not visible: not even named
        try:
            case_act(case=case, actor=actor, action="receive")
        except ApplicationError as exc:
            result.refused.append((case.number, exc.message))
        else:
            result.done.append(case.number)
    return result


def case_officer_assign(*, actor: Actor, case: Case, officer: User) -> Case:
    """Name the 承办人 of a case the actor's body holds (an agency head or registrar distributing work)."""
    actor.require_role(Role.AGENCY_HEAD, Role.REGISTRAR)
    with transaction.atomic():
        locked = Case.objects.select_for_update().filter(pk=case.pk).first()
        if locked is None or locked.current_body_id != actor.body.pk:
            raise ValidationFailed(
                gettext("事项%(number)s不在本机关办理，不能分派承办人。") % {"number": case.number},
                code="not_held_here",
            )
        if not Membership.objects.filter(user=officer, body=actor.body, role=Role.CASE_OFFICER).exists():
            raise ValidationFailed(gettext("所选人员不是本机关的承办人。"), code="not_an_officer")
        old = locked.officer_id
        locked.officer = officer
        locked.version += 1
        locked.save(update_fields=["officer", "version", "updated_at"])
        event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=actor.body,
            obj=locked,
            action="officer_assign",
            old={"officer": old},
            new={"officer": officer.pk},
        )
    return locked


def cases_bulk_assign(*, actor: Actor, case_ids, officer: User) -> BulkResult:
    result = BulkResult()
    for pk in _bulk_ids(case_ids):
        try:
            case = case_get_for_actor(actor=actor, pk=pk, log_read=False)
        except NotFound:
            continue
        try:
            case_officer_assign(actor=actor, case=case, officer=officer)
        except ApplicationError as exc:
            result.refused.append((case.number, exc.message))
        else:
            result.done.append(case.number)
    return result


def export_record(*, actor: Actor, query: str, count: int) -> None:
    """Every export of a list is an event: who, when, which search, how many rows (PIPL; issue #9)."""
    event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        object_type="search.export",
        object_id=actor.body.pk,
        action="export",
        new={"query": query[:1000], "rows": count},
    )
