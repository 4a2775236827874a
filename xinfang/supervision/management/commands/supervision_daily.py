"""``manage.py supervision_daily [--date YYYY-MM-DD]``: the ladder (late 督办 propose the next rung, red lights
open 系统督办) and the 倒流 scan, for cron (also run by ``ledger_build`` through XINFANG_DAILY_JOBS)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from xinfang.supervision.jobs import supervision_daily


class Command(BaseCommand):
    help = "督办升级阶梯（逾期未回复建议升级、红灯自动系统督办）与倒流扫描。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, default=None, help="日期 YYYY-MM-DD，默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["date"] or timezone.localdate()
        self.stdout.write(supervision_daily(day=day))
