"""The figures dashboard and the Excel 台账 downloads, for the acting body and everything under it."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xinfang.analytics.dashboard import dashboard_data
from xinfang.analytics.figures import DEFINITIONS, Period, cases_in_scope, figures_all_bodies
from xinfang.analytics.ledger import backlog_export, figures_export, ledger_export
from xinfang.cases.selectors import case_queue
from xinfang.orgs.decorators import actor_required
from xinfang.orgs.selectors import bodies_under

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
    return render(
        request,
        "analytics/dashboard.html",
        {
            "d": data,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "definitions": DEFINITIONS.values(),
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


@actor_required
def ledger_xlsx(request: HttpRequest) -> FileResponse:
    """The queue as a ledger, with the queue's own filters (the same query string)."""
    from xinfang.workspace.forms import QueueFilterForm

    form = QueueFilterForm(request.GET or None)
    qs = case_queue(actor=request.actor, filters=form.filters() if request.GET else {})
    return _xlsx(ledger_export(qs.order_by()), f"信访事项台账-{timezone.localdate():%Y%m%d}.xlsx")


@actor_required
def backlog_xlsx(request: HttpRequest) -> FileResponse:
    year = _year(request)
    body = request.actor.body
    cases = cases_in_scope(body=body, period=Period(Period.year(2000).start, Period.year(year).end))
    return _xlsx(backlog_export(cases), f"积案台账-{year}.xlsx")


@actor_required
def figures_xlsx(request: HttpRequest) -> FileResponse:
    year = _year(request)
    figs = figures_all_bodies(period=Period.year(year), bodies=bodies_under(request.actor.body))
    return _xlsx(figures_export(figs), f"指标-{year}.xlsx")
