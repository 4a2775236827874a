"""The pages of background jobs (core/jobs.py): "我的导出", one job's progress (polled with htmx), its
download. Every page shows the signed-in user's own jobs only; anybody else's is a 404."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xinfang.core.errors import NotFound
from xinfang.core.jobs import job_file, job_get_for_owner, jobs_of


def _login(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    if (login := _login(request)) is not None:
        return login
    jobs = list(jobs_of(user=request.user))
    return render(
        request,
        "core/jobs/list.html",
        {"jobs": jobs, "running": any(not j.finished for j in jobs)},
    )


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if (login := _login(request)) is not None:
        return login
    try:
        job = job_get_for_owner(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "core/jobs/detail.html", {"job": job})


@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The partial the progress page polls every 2 s while the job runs (it stops polling once finished)."""
    if (login := _login(request)) is not None:
        return login
    try:
        job = job_get_for_owner(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "core/jobs/_progress.html", {"job": job})


@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    if (login := _login(request)) is not None:
        return login  # type: ignore[return-value]
    try:
        job, path = job_file(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.result_name, content_type=job.content_type
    )
