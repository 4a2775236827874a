"""The home page's to-dos (settings.XINFANG_HOME_PANELS): an organisation's new and open referrals; for a
referring body its open referrals, outcomes it still has to act on, and 司法确认 windows near their end."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from xinfang.deadlines.lights import yellow_days_setting
from xinfang.orgs.models import Role
from xinfang.resolution.models import CaseEffect, Status
from xinfang.resolution.selectors import organisation_of, referrals_visible


def panel(actor) -> dict | None:
    if actor is None or actor.body is None:
        return None
    org = organisation_of(actor)
    if org is None and not actor.has_role(Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD):
        return None
    today = timezone.localdate()
    soon = today.toordinal() + yellow_days_setting()

    counts = referrals_visible(actor=actor).aggregate(
        new=Count("id", filter=Q(status=Status.REFERRED)),
        open=Count("id", filter=Q(status__in=[Status.REFERRED, Status.IN_PROGRESS])),
        pending=Count("id", filter=Q(case_effect=CaseEffect.PENDING)),
        windows=Count(
            "id",
            filter=Q(
                confirmation_applied_on__isnull=True,
                confirmation_due_on__gte=today,
                confirmation_due_on__lte=date.fromordinal(soon),
            ),
        ),
    )
    if org is None and not any(counts.values()):
        return None
    return {"template": "resolution/_home_panel.html", "organisation": org, **counts}
