"""The figures dashboard and the Excel 台账 downloads, for the acting body and everything under it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.analytics.dashboard import dashboard_data
from xinfang.analytics.export_jobs import backlog_cases
from xinfang.analytics.figures import DEFINITIONS, Period, figures_all_bodies
from xinfang.analytics.ledger import backlog_export, figures_export, ledger_export
from xinfang.analytics.rising import RISING_WINDOW_DAYS, rising_issues_cached
from xinfang.cases.selectors import case_queue
from xinfang.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from xinfang.core.exports import export_record
from xinfang.core.jobs import export_needs_job, job_start
from xinfang.orgs.decorators import actor_required
from xinfang.orgs.selectors import bodies_under
from xinfang.people.masking import may_see_personal_data

ECHARTS = "vendor/echarts/echarts.min.js"


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@actor_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = _year(request)
    data = dashboard_data(
        body=request.actor.body, year=year, today=today, rank_key=request.GET.get("rank", "")
    )
    from xinfang.reception.figures import hall_figures_year  # the hall's own figures (issue #13)
    from xinfang.resolution.figures import centre_figures as resolution_figures  # 多元解纷 (issue #14)
    from xinfang.supervision.figures import supervision_figures_year  # 督办, 包案, 倒流, 清零 (issue #12)

    return render(
        request,
        "analytics/dashboard.html",
        {
            "d": data,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "definitions": DEFINITIONS.values(),
            "rising": rising_issues_cached(actor=request.actor, today=today),
            "rising_days": RISING_WINDOW_DAYS,
            "hall": hall_figures_year(body=request.actor.body, year=year),
            "resolution": resolution_figures(body=request.actor.body, year=year),
            "supervision": supervision_figures_year(body=request.actor.body, year=year),
            "charts": data.charts(),
            # The charts are an addition: without the vendored file the tables still say everything.
            "echarts": bool(finders.find(ECHARTS)),
            "echarts_path": ECHARTS,
        },
    )


def _xlsx(path: Path, filename: str) -> FileResponse:
    handle = path.open("rb")
    path.unlink()  # the open handle keeps the data until the response is sent (POSIX)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# The queue's filters read from a query string, (QueryDict) -> dict for case_queue: the staff queue's form
# (xinfang/workspace) registers here in WorkspaceConfig.ready — a hook, as workspace sits above analytics.
QUEUE_FILTERS: list[Callable[[QueryDict], dict]] = []


def _personal_data(request: HttpRequest) -> tuple[bool, str]:
    """(masked, reason). Masked unless the request asks for `unmasked=1` with a `reason` and the actor's role
    needs personal data; asking without the role or without a reason is refused, never silently unmasked."""
    if request.GET.get("unmasked") != "1":
        return True, ""
    reason = (request.GET.get("reason") or "").strip()[:200]
    if not may_see_personal_data(request.actor):
        raise PermissionDenied(gettext("您的角色不能导出未隐去的个人信息。"), code="unmasked_export_role")
    if not reason:
        raise ValidationFailed(gettext("导出未隐去的个人信息须填写理由。"), code="unmasked_export_reason")
    return False, reason


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")


@actor_required
def ledger_xlsx(request: HttpRequest) -> HttpResponse:
    """The queue as a ledger, with the queue's own filters (the same query string)."""
    try:
        masked, reason = _personal_data(request)
    except ApplicationError as exc:
        return _refused(request, exc)
    filters = QUEUE_FILTERS[0](request.GET) if request.GET and QUEUE_FILTERS else {}
    qs = case_queue(actor=request.actor, filters=filters).order_by()
    if export_needs_job(qs):  # a large ledger is built by the worker (core/jobs.py, docs/jobs.md)
        query = request.GET.copy()
        for key in ("unmasked", "reason"):
            query.pop(key, None)
        job = job_start(
            actor=request.actor,
            kind="ledger_xlsx",
            parameters={"query": query.urlencode(), "masked": masked, "reason": reason},
        )
        return redirect("jobs:detail", pk=job.pk)
    path = ledger_export(qs, masked=masked)
    export_record(
        actor=request.actor,
        kind="ledger_xlsx",
        scope={"body": request.actor.body.code, "filters": {k: str(v) for k, v in filters.items() if v}},
        rows=qs.count(),
        personal_data="masked" if masked else "unmasked",
        reason=reason,
    )
    return _xlsx(path, f"信访事项台账-{timezone.localdate():%Y%m%d}.xlsx")


@actor_required
def backlog_xlsx(request: HttpRequest) -> HttpResponse:
    """积案台账: the backlog of the body and those under it, read through the one read path (a 检举控告
    about the reader never in it), personal data masked unless asked for with a reason."""
    try:
        masked, reason = _personal_data(request)
    except ApplicationError as exc:
        return _refused(request, exc)
    year = _year(request)
    actor = request.actor
    cases = backlog_cases(actor, year)
    if export_needs_job(cases.filter(is_backlog=True)):
        job = job_start(
            actor=actor, kind="backlog_xlsx", parameters={"year": year, "masked": masked, "reason": reason}
        )
        return redirect("jobs:detail", pk=job.pk)
    path = backlog_export(cases, masked=masked)
    export_record(
        actor=actor,
        kind="backlog_xlsx",
        scope={"body": actor.body.code, "year": year},
        rows=cases.filter(is_backlog=True).count(),
        personal_data="masked" if masked else "unmasked",
        reason=reason,
    )
    return _xlsx(path, f"积案台账-{year}.xlsx")


@actor_required
def figures_xlsx(request: HttpRequest) -> FileResponse:
    year = _year(request)
    figs = list(figures_all_bodies(period=Period.year(year), bodies=bodies_under(request.actor.body)))
    path = figures_export(figs)
    export_record(
        actor=request.actor,
        kind="figures_xlsx",
        scope={"body": request.actor.body.code, "year": year},
        rows=len(figs),
        personal_data="none",
    )
    return _xlsx(path, f"指标-{year}.xlsx")
