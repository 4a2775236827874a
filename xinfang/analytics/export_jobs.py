"""The Excel ledgers as background jobs (core/jobs.py): the queue as a ledger and the 积案台账, when they are
larger than `core.jobs.export_job_from()` rows. Each job reads through the one read path as the user who
asked, acting for the body they asked from (`actor_for` checks they still belong to it), with the filters of
the request that asked — the same rows the synchronous download gives."""

from __future__ import annotations

from pathlib import Path

from django.http import QueryDict
from django.utils.translation import gettext, gettext_noop

from xinfang.analytics.figures import Period, cases_in_scope
from xinfang.analytics.ledger import backlog_export, ledger_export
from xinfang.cases.selectors import case_queue, cases_visible_to
from xinfang.core.errors import PermissionDenied
from xinfang.core.jobs import Output, Progress, register_job
from xinfang.core.models import Job
from xinfang.orgs.acting import Actor, actor_for
from xinfang.people.masking import may_see_personal_data


def _actor(job: Job) -> Actor:
    if job.body is None:
        raise PermissionDenied(gettext("您不属于该机关。"), code="not_a_member")
    return actor_for(job.owner, job.body)


def _masked(job: Job, actor: Actor) -> bool:
    masked = bool(job.parameters.get("masked", True))
    if not masked and not may_see_personal_data(actor):  # the role may have been taken away since
        raise PermissionDenied(gettext("您的角色不能导出未隐去的个人信息。"), code="unmasked_export_role")
    return masked


def ledger_job(job: Job, progress: Progress, path: Path) -> Output:
    from xinfang.analytics.views import QUEUE_FILTERS  # cycle: analytics.views imports this module

    actor = _actor(job)
    masked = _masked(job, actor)
    query = QueryDict(job.parameters.get("query", ""))
    filters = QUEUE_FILTERS[0](query) if query and QUEUE_FILTERS else {}
    qs = case_queue(actor=actor, filters=filters).order_by()
    total = qs.count()
    progress(0, total, force=True)
    ledger_export(qs, masked=masked, path=path, progress=progress)
    return Output(
        filename=f"信访事项台账-{job.created_at:%Y%m%d}.xlsx",
        rows=total,
        personal_data="masked" if masked else "unmasked",
    )


def backlog_cases(actor: Actor, year: int):
    """积案台账's cases: the one read path ∩ the figures scope of the acting body, up to `year`."""
    scope = cases_in_scope(body=actor.body, period=Period(Period.year(2000).start, Period.year(year).end))
    return cases_visible_to(actor).filter(pk__in=scope.values("pk"))


def backlog_job(job: Job, progress: Progress, path: Path) -> Output:
    actor = _actor(job)
    masked = _masked(job, actor)
    year = int(job.parameters["year"])
    cases = backlog_cases(actor, year)
    total = cases.filter(is_backlog=True).count()
    progress(0, total, force=True)
    backlog_export(cases, masked=masked, path=path, progress=progress)
    return Output(
        filename=f"积案台账-{year}.xlsx", rows=total, personal_data="masked" if masked else "unmasked"
    )


def register() -> None:
    register_job("ledger_xlsx", label=gettext_noop("信访事项台账（Excel）"), run=ledger_job)
    register_job("backlog_xlsx", label=gettext_noop("积案台账（Excel）"), run=backlog_job)
