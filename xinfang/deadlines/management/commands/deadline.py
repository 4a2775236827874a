"""``manage.py deadline --start 2026-09-25 --days 15 [--working]``: a due date and how it was counted.

The first line is the due date alone (ISO), so scripts can take ``| head -1``.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from xinfang.deadlines.calendar import WorkCalendar, compute_due, effective_working


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期须为 YYYY-MM-DD 格式，收到 {value!r}") from None


def _non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"须为整数，收到 {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"不得为负数，收到 {number}")
    return number


class Command(BaseCommand):
    help = "计算法定期限的到期日（首行为到期日，其后为计算说明）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", type=_iso_date, required=True, help="起算日（当日不计入），YYYY-MM-DD")
        parser.add_argument("--days", type=_non_negative, required=True, help="期间日数，如 15、30、60")
        parser.add_argument("--working", action="store_true", help="按工作日计算（如异议期）")
        parser.add_argument(
            "--extension", type=_non_negative, default=0, help="延长的日数（第三十四条，≤30）"
        )
        parser.add_argument("--paused", type=_non_negative, default=0, help="暂停不计入的日数（如听证）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1:
            raise CommandError("--days 须为正整数")
        working = effective_working(options["working"])
        try:
            calendar = WorkCalendar.from_db()
        except DatabaseError:
            # A fresh install (no migrate yet) still counts by the State Council schedules; only the days an
            # administrator entered are missing, and the note says so (issue #16).
            calendar = WorkCalendar(entered=[], complete_years=[])
            self.stderr.write(
                "注意：数据库尚未初始化（未执行 migrate），仅按国务院节假日安排计算，未含管理员录入的安排。"
            )
        try:
            result = compute_due(
                start=options["start"],
                days=options["days"],
                working=working,
                extension_days=options["extension"],
                paused_days=options["paused"],
                calendar=calendar,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

        unit = "个工作日" if working else "日（自然日）"
        lines = [result.due.isoformat(), f"期间：{result.total_days}{unit}"]
        if working and not options["working"]:
            lines.append("本地配置 XINFANG_COUNT_WORKING_DAYS_ONLY：所有期限按工作日计算")
        lines += [f"- {note}" for note in result.counted]
        lines.append(f"超出已知日历：{'是' if result.beyond_known_calendar else '否'}")
        self.stdout.write("\n".join(lines))
        if result.beyond_known_calendar:
            self.stderr.write(f"警告：{result.beyond_known_calendar_reason}")
