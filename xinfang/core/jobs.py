"""Long work as jobs: a large Excel ledger or a campaign ledger is asked for on a page, built by the worker,
followed on a progress page, and fetched from "我的导出" (issue #14).

An app registers what a kind of job does with `register_job` (its `run` gets the job, a `Progress` to report
to and the path to write the file to); a view asks for one with `job_start`; the worker (`xinfang worker`, huey: core/tasks.py) calls
`job_run` once the request's transaction has committed. Everything a job reads goes
through the read path with the requesting user acting for the requesting body — each kind's `run` builds that
actor from `job.owner` and `job.body` (xinfang.orgs.acting.actor_for), so a user who left the body since gets
a failed job, not its cases.

Events: the request (`job_request`), the end (`job_done` / `job_failed`), and every download is an export
(xinfang/core/exports.py): the file leaves the system there, so that is what the export log records.

Crash safety: a job is claimed by one UPDATE (queued → running, attempts + 1), reports a heartbeat with its
progress, and writes its file under a temporary name that is renamed at the end. A worker killed mid-job
leaves the row 'running' with an old heartbeat: `jobs_stale` finds it (so does `xinfang doctor`, which
queues it again), and `job_run` takes it again from the start — a job is re-runnable, it writes nothing but
its own file and its own row.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from xinfang.core.errors import ApplicationError, NotFound, ValidationFailed
from xinfang.core.events import event_record
from xinfang.core.exports import export_record
from xinfang.core.maintenance import Check
from xinfang.core.models import Job
from xinfang.core.tasks import crontab, periodic_task, task, task_enqueue_on_commit

log = logging.getLogger(__name__)

# A running job whose heartbeat is older than this is taken to be dead (its worker was killed); the setting
# XINFANG_JOB_STALE_SECONDS overrides it.
STALE_AFTER_S = 600


def stale_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "XINFANG_JOB_STALE_SECONDS", STALE_AFTER_S)))


# A job that died this many times is failed rather than tried again.
MAX_ATTEMPTS = 3
# The progress row is written at most this often (and always at the end), so a fast job does not spend its
# time on UPDATEs.
PROGRESS_EVERY_S = 0.5

# Exports with more rows than this run as jobs; smaller ones are answered in the request (docs/jobs.md).
EXPORT_JOB_FROM = 5000


def export_job_from() -> int:
    return int(getattr(settings, "XINFANG_EXPORT_JOB_FROM", EXPORT_JOB_FROM))


def export_needs_job(qs: QuerySet) -> bool:
    """The row-count rule: a capped count (never a COUNT over the whole scope) above `export_job_from()`."""
    limit = export_job_from()
    return qs.order_by()[: limit + 1].count() > limit


@dataclass(frozen=True)
class Output:
    """What a job's `run` returns about the file it wrote."""

    filename: str  # the download name
    rows: int
    content_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    personal_data: str = "masked"  # "masked" | "unmasked" | "none" (core/exports.py)


class Progress:
    """Reported to by a job's `run`: `progress(done, total)`; also the heartbeat that tells a live job from
    a dead one."""

    def __init__(self, job: Job, *, every_s: float = PROGRESS_EVERY_S):
        self.job = job
        self.every_s = every_s
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        self.job.done = done
        if total is not None:
            self.job.total = total
        now = time.monotonic()
        if not force and now - self._last < self.every_s and (not self.job.total or done < self.job.total):
            return
        self._last = now
        Job.objects.filter(pk=self.job.pk, state=Job.State.RUNNING).update(
            done=self.job.done, total=self.job.total, heartbeat_at=timezone.now()
        )


Runner = Callable[[Job, Progress, Path], Output]


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str  # Chinese, gettext_noop'd by the app that registers it
    run: Runner = field(repr=False)


_KINDS: dict[str, JobKind] = {}


def register_job(kind: str, *, label: str, run: Runner) -> None:
    """Called from an app's AppConfig.ready (core names no app above it)."""
    _KINDS[kind] = JobKind(kind, label, run)


def job_kinds() -> dict[str, JobKind]:
    return dict(_KINDS)


# ------------------------------------------------------------------------------------------------ dispatch


# How a queued job reaches a worker: a huey task (core/tasks.py, ADR 0015). It carries the job's id only;
# huey does not retry it (a retry is `job_run` taking a stale job again, with the attempts counted on the row).
@task()
def job_task(*, job_id: int) -> None:
    job_run(job_id)


# Every 5 minutes the worker queues again the jobs a killed worker left behind (and so does `xinfang doctor`).
@periodic_task(crontab(minute="*/5"))
def jobs_recover() -> None:
    jobs_requeue_stale()


def _dispatch(job_id: int) -> None:
    job_task(job_id=job_id)


def _actor_parts(job: Job) -> Any:
    """An actor-like value for the event log (core names no Actor class: orgs sits above it)."""

    class _JobActor:
        user = job.owner
        body = job.body
        label = job.owner.get_full_name() or job.owner.get_username()

    return _JobActor()


# ---------------------------------------------------------------------------------------------- services


def job_start(*, actor, kind: str, parameters: dict[str, Any], label: str | None = None) -> Job:
    """Queue a job of `kind` for the acting user and body (an Actor: `.user`, `.body`). Writes the request
    event; the job is dispatched once the surrounding transaction commits."""
    if kind not in _KINDS:
        raise ValidationFailed(gettext("未知的任务类别。"), code="job_kind_unknown")
    if getattr(actor, "user", None) is None:
        raise ValidationFailed(gettext("后台任务须由登录用户申请。"), code="job_needs_user")
    with transaction.atomic():
        job = Job.objects.create(
            owner=actor.user,
            body=actor.body,
            kind=kind,
            label=(label or gettext(_KINDS[kind].label))[:200],
            parameters=parameters,
        )
        event_record(
            actor=actor.user,
            body=actor.body,
            obj=job,
            object_type="job",
            action="job_request",
            new={"kind": kind, "parameters": parameters},
            reason=str(parameters.get("reason", "")),
        )
        task_enqueue_on_commit(job_task, job_id=job.pk)
    return job


def jobs_dir() -> Path:
    return Path(settings.DATA_DIR) / "jobs"


def _claim(job_id: int) -> Job | None:
    """Take the job: queued, or running with a dead heartbeat. One UPDATE, so two workers never both run it."""
    now = timezone.now()
    taken = (
        Job.objects.filter(pk=job_id)
        .filter(Q(state=Job.State.QUEUED) | Q(state=Job.State.RUNNING, heartbeat_at__lt=now - stale_after()))
        .update(
            state=Job.State.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            done=0,
            error="",
        )
    )
    if not taken:
        return None
    return Job.objects.select_related("owner", "body").get(pk=job_id)


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, error=message, finished_at=timezone.now())
    event_record(
        actor=job.owner,
        body=job.body,
        obj=job,
        object_type="job",
        action="job_failed",
        new={"error": message},
    )


def job_run(job_id: int) -> Job | None:
    """Run one job to its end (the worker's task). Returns the job as it ended, or None when it was not
    there to take (done, failed, or running with a live heartbeat elsewhere)."""
    job = _claim(job_id)
    if job is None:
        return None
    if job.attempts > MAX_ATTEMPTS:
        _fail(job, gettext("任务已多次中断，不再重试；请重新申请导出。"))
        job.refresh_from_db()
        return job
    kind = _KINDS.get(job.kind)
    folder = jobs_dir() / str(job.pk)
    shutil.rmtree(folder, ignore_errors=True)  # what an earlier, killed attempt left
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "result.part"
    try:
        if kind is None:
            raise ValidationFailed(gettext("未知的任务类别。"), code="job_kind_unknown")
        progress = Progress(job)
        out = kind.run(job, progress, partial)
        final = folder / ("result" + Path(out.filename).suffix)
        partial.replace(final)
    except ApplicationError as exc:
        _fail(job, exc.message)
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job, gettext("任务执行出错（编号 %(id)s），请稍后重试或联系管理员。") % {"id": job.pk})
    else:
        now = timezone.now()
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.DONE,
            done=max(progress.job.total, out.rows, progress.job.done),
            total=max(progress.job.total, out.rows),
            rows=out.rows,
            result_path=str(final.relative_to(jobs_dir())),
            result_name=out.filename[:200],
            content_type=out.content_type,
            personal_data=out.personal_data,
            heartbeat_at=now,
            finished_at=now,
        )
        event_record(
            actor=job.owner,
            body=job.body,
            obj=job,
            object_type="job",
            action="job_done",
            new={"kind": job.kind, "rows": out.rows},
        )
    job.refresh_from_db()
    return job


def jobs_stale(*, now=None) -> QuerySet[Job]:
    """Jobs that should be running but are not: 'running' with a heartbeat older than stale_after() (a killed
    worker), or 'queued' for longer than that (a dispatch lost with its process)."""
    before = (now or timezone.now()) - stale_after()
    return Job.objects.filter(
        Q(state=Job.State.RUNNING, heartbeat_at__lt=before) | Q(state=Job.State.QUEUED, created_at__lt=before)
    )


def jobs_requeue_stale() -> int:
    """Dispatch every stale job again (each is taken again from the start by `job_run`)."""
    ids = list(jobs_stale().values_list("pk", flat=True))
    for pk in ids:
        _dispatch(pk)
    return len(ids)


# ----------------------------------------------------------------------------------------------- selectors


def job_get_for_owner(*, user, pk: int) -> Job:
    """The user's own job; anybody else's — or none — is NotFound (a refused user gets 404, issue #9)."""
    job = (
        Job.objects.filter(pk=pk, owner=user).select_related("body").first()
        if user.is_authenticated
        else None
    )
    if job is None:
        raise NotFound()
    return job


def jobs_of(*, user, limit: int = 50) -> QuerySet[Job]:
    return Job.objects.filter(owner=user).select_related("body").order_by("-created_at", "-id")[:limit]


def job_file(*, user, pk: int) -> tuple[Job, Path]:
    """The finished job's file, for its owner only; the download is the export and is logged as one."""
    job = job_get_for_owner(user=user, pk=pk)
    path = jobs_dir() / job.result_path if job.result_path else None
    if job.state != Job.State.DONE or path is None or not path.is_file():
        raise NotFound(gettext("导出文件不存在或尚未生成。"))
    export_record(
        actor=_actor_parts(job),
        kind=job.kind,
        scope={"job": job.pk, **{k: v for k, v in job.parameters.items() if k != "reason"}},
        rows=job.rows,
        personal_data=job.personal_data,
        reason=str(job.parameters.get("reason", "")),
    )
    return job, path


# The doctor's check (registered in CoreConfig.ready): a stale job is found, and repaired by queueing it again.
def _stale_find() -> list[str]:
    return [
        gettext("后台任务 %(id)s（%(label)s）%(state)s后中断")
        % {"id": j.pk, "label": j.label, "state": j.get_state_display()}
        for j in jobs_stale().order_by("pk")
    ]


def _stale_repair() -> None:
    jobs_requeue_stale()


STALE_CHECK_NAME = gettext_noop("中断的后台任务")


def stale_check():
    return Check(STALE_CHECK_NAME, _stale_find, _stale_repair)
