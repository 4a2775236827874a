"""Background work (ADR 0015): the one module that knows the task queue is huey.

**Declare a task** in your app's own `tasks.py` (the worker imports every app's `tasks` module at start, so a
task defined elsewhere is unknown to it)::

    # xinfang/myapp/tasks.py
    from xinfang.core.tasks import crontab, periodic_task, task

    @task(retries=3, retry_delay=60)
    def ledger_export(*, job_id: int) -> None:       # arguments: plain JSON-able values (ids, dates as text),
        ...                                            # never model instances or querysets

    @periodic_task(crontab(minute="30", hour="0"))    # local time (Asia/Shanghai)
    def nightly() -> None:
        ...

**Enqueue it**: call it. `ledger_export(job_id=job.pk)` puts it on the queue and returns at once (a huey
`Result`; `.id` is the task's id). Inside a transaction, enqueue after the commit, or the worker may run before
the row it needs exists: `task_enqueue_on_commit(ledger_export, job_id=job.pk)`. To run the function here and
now, without the queue: `ledger_export.call_local(job_id=...)`.

**Tests**: config/settings/test.py puts huey in *immediate* mode — a task runs where it is enqueued, in memory,
and an exception inside it propagates to nobody (read its result: `ledger_export(...).get()` raises
`huey.exceptions.TaskException`). Enqueues on commit need `django_capture_on_commit_callbacks(execute=True)`
in a test that is not `transaction=True`, as for any `on_commit`.

**The worker**: `xinfang worker` (xinfang/core/management/commands/worker.py — huey's consumer: 2 threads, the
periodic scheduler; `--workers N`, `--no-periodic`). Where the queue lives: `XINFANG_QUEUE_URL` unset → a
SQLite file `$XINFANG_DATA_DIR/tasks.sqlite3`; `redis://host:6379/N` → Redis (several servers).

**The laptop**: `xinfang demo` starts a worker as its own child process beside gunicorn and stops it when it
stops (xinfang/cli.py), on the SQLite queue — no extra service to install or start. `xinfang serve --worker`
does the same on a one-server install.

Rules for a task: idempotent (a retried task runs again; a periodic task may run on a second worker), short
arguments, and what must not be lost kept in the database (a worker killed mid-task loses that run).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, lock_task

__all__ = [
    "HUEY",
    "crontab",
    "lock_task",
    "periodic_task",
    "queue_is_immediate",
    "task",
    "task_enqueue_on_commit",
]


def task(**options: Any) -> Callable:
    """A background task (huey's `db_task`: closes stale database connections around each run).

    options: retries=N, retry_delay=seconds, expires=..., priority=..., context=True (the task receives
    `task=` — its id as `task.id`, for progress rows)."""
    return db_task(**options)


def periodic_task(schedule: Callable, **options: Any) -> Callable:
    """A task the worker's scheduler enqueues by itself on `schedule` (a `crontab(...)`, checked each
    minute, in local time)."""
    return db_periodic_task(schedule, **options)


def task_enqueue_on_commit(fn: Callable, *args: Any, **kwargs: Any) -> None:
    """Enqueue `fn(*args, **kwargs)` once the current transaction commits (at once outside one); nothing if
    it rolls back."""
    transaction.on_commit(lambda: fn(*args, **kwargs))


def queue_is_immediate() -> bool:
    """True in tests (and with XINFANG_TASKS_IMMEDIATE=1): tasks run where they are enqueued."""
    return bool(HUEY.immediate)


# The core's own tasks live beside what they do; importing them here registers them with the worker, which
# loads each app's `tasks` module.
from xinfang.core import notify, outbox  # noqa: E402, F401
