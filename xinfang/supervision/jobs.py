"""The supervision app's daily job, one function for cron, the management command and ``ledger_build``."""

from __future__ import annotations

from datetime import date, timedelta

from xinfang.supervision.services import backflow_scan, supervision_ladder_run


def supervision_daily(*, day: date) -> str:
    stats = supervision_ladder_run(day=day)
    flagged = backflow_scan(since=day - timedelta(days=7))
    return (
        f"{day.isoformat()} 督办：建议升级 {stats.proposed} 件，红灯自动系统督办 {stats.auto_opened} 件；"
        f"新发现倒流 {flagged} 件"
    )
