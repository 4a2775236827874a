"""The campaign ledger as a background job (core/jobs.py) when a campaign holds more than
`core.jobs.export_job_from()` of the acting body's items: read through the supervision selectors (the one read
path) as the user who asked, acting for the body they asked from, with the same filters."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext, gettext_noop

from xinfang.core.errors import PermissionDenied
from xinfang.core.jobs import Output, Progress, register_job
from xinfang.core.models import Job
from xinfang.orgs.acting import actor_for
from xinfang.supervision import selectors
from xinfang.supervision.exports import campaign_ledger_workbook


def campaign_ledger_job(job: Job, progress: Progress, path: Path) -> Output:
    if job.body is None:
        raise PermissionDenied(gettext("您不属于该机关。"), code="not_a_member")
    actor = actor_for(job.owner, job.body)
    campaign = selectors.campaign_get(actor=actor, pk=int(job.parameters["campaign"]))
    items = selectors.campaign_items(
        actor=actor, campaign=campaign, filters=job.parameters.get("filters") or {}
    )
    total = items.count()
    progress(0, total, force=True)
    campaign_ledger_workbook(campaign=campaign, items=items, on_rows=progress).save(path)
    return Output(filename=f"campaign-{campaign.pk}.xlsx", rows=total, personal_data="none")


def register() -> None:
    register_job("campaign_ledger_xlsx", label=gettext_noop("清零台账（Excel）"), run=campaign_ledger_job)
