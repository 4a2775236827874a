"""``manage.py ledger_build [--date YYYY-MM-DD]``: the day's ledger (每日交账) and its digests, for cron.

Run it early each morning (and again as often as wanted): a second run on the same day adds only clocks
that turned yellow or red since, and sends nobody the same digest twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.module_loading import import_string

from xinfang.deadlines.management.commands.deadline import _iso_date
from xinfang.deadlines.services import ledger_build, ledger_notify


class Command(BaseCommand):
    help = "生成当日每日交账台账（黄灯、红灯事项）并发送提醒（邮件、短信）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=_iso_date, default=None, help="台账日期 YYYY-MM-DD，默认今天（北京时间）"
        )
        parser.add_argument("--no-notify", action="store_true", help="只生成台账，不发送提醒")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["date"] or timezone.localdate()
        stats = ledger_build(day=day)
        self.stdout.write(
            f"{day.isoformat()} 台账：{stats.bodies} 个机关，新增 {stats.items_created} 项"
            f"（红灯 {stats.red}，黄灯 {stats.yellow}，结转 {stats.rolled_over}）"
        )
        # Other apps' daily jobs (settings.XINFANG_DAILY_JOBS: "module.function" taking day=, returning a line),
        # so one cron entry runs them all without this app importing theirs.
        for dotted in getattr(settings, "XINFANG_DAILY_JOBS", []):
            self.stdout.write(import_string(dotted)(day=day))
        if options["no_notify"]:
            return
        sent = ledger_notify(day=day)
        self.stdout.write(f"提醒：{sent.bodies} 个机关，邮件 {sent.emails} 封，短信 {sent.sms} 条")
