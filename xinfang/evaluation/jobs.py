"""The evaluation app's daily job (settings.XINFANG_DAILY_JOBS, run by ``ledger_build`` and cron)."""

from __future__ import annotations

from datetime import date

from xinfang.evaluation.services import return_visits_schedule_missing


def evaluation_daily(*, day: date) -> str:
    made = return_visits_schedule_missing(day=day)
    return f"{day.isoformat()} 回访：新安排 {made} 件（已答复而未安排回访的事项）"
