"""The nightly work as a periodic task of the worker (ADR 0015): the day's ledger (每日交账), the other apps'
daily jobs (settings.XINFANG_DAILY_JOBS: supervision's 督办 scan, statistics) and the digests — exactly what
the cron line `xinfang ledger_build` does, which still works. Idempotent: a second run on the same day adds
only what turned yellow or red since and sends nobody the same digest twice."""

from __future__ import annotations

from django.core.management import call_command

from xinfang.core.tasks import crontab, lock_task, periodic_task


@periodic_task(crontab(minute="30", hour="0"))  # 00:30 local time
@lock_task("xinfang-nightly")  # a second worker with periodic tasks on skips it while one runs
def nightly_ledger() -> None:
    call_command("ledger_build", verbosity=0)
