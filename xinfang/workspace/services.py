"""Writes of the workspace itself: only the logged reveal of a petitioner's personal data."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from xinfang.cases.models import Case
from xinfang.core.errors import NotFound, ValidationFailed
from xinfang.core.events import event_record
from xinfang.orgs.acting import Actor
from xinfang.people.masking import PERSONAL_DATA_ROLES
from xinfang.people.models import Person

REVEAL_ROLES = PERSONAL_DATA_ROLES  # one list of who needs personal data (xinfang/people/masking.py)
REVEALABLE = {"id_number": "身份证号码", "phone": "联系电话", "address": "住址"}


def personal_data_reveal(*, actor: Actor, case: Case, person_id: int, field: str, reason: str = "") -> str:
    """The unmasked value of one field of a petitioner of this case, for a role that needs it; each reveal
    is written to the event log (who saw whose what, on which case, why: the reason given, else the case
    being worked on). The case must already have been read through `case_get_for_actor`."""
    actor.require_role(*REVEAL_ROLES)
    if field not in REVEALABLE:
        raise ValidationFailed(gettext("不能查看该项信息。"), code="not_revealable")
    person = Person.objects.filter(pk=person_id, case_links__case=case).first()
    if person is None:
        raise NotFound()
    with transaction.atomic():
        event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=actor.body,
            obj=case,
            action="reveal_personal_data",
            new={"person": person.pk, "field": field},
            reason=(reason or "").strip()[:200]
            or f"办理信访事项{case.number}，查看信访人{person.name}的{REVEALABLE[field]}",
        )
    return getattr(person, field) or ""
