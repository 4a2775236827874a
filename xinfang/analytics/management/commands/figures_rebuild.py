"""Recount the figure tallies from the source rows: after a bulk load with the triggers off, a restore,
a change of TIME_ZONE, or to check them. Also (re)installs the triggers."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand

from xinfang.analytics.tally import tally_install, tally_rebuild


class Command(BaseCommand):
    help = "重新统计指标汇总表（期限、评价、登记、事项分类、积案、转送交办督办），并重建维护汇总表的触发器。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", type=date.fromisoformat, default=None, help="只重算该日（含）以后的汇总，如 2026-01-01"
        )
        parser.add_argument("--no-triggers", action="store_true", help="不重建触发器")

    def handle(self, *args, since: date | None = None, no_triggers: bool = False, **options):
        t0 = time.perf_counter()
        if not no_triggers:
            tally_install()
        tally_rebuild(since=since)
        self.stdout.write(f"汇总表已重算（{time.perf_counter() - t0:.1f} 秒）。")
