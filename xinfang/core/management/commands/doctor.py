"""`xinfang doctor`: is the database ready to serve? Checks (and with --repair, repairs) what bulk paths
take away and what the figures rely on: indexes and triggers left out by a killed load, the tally triggers,
the tallies against a recount, the planner's statistics. Exit status 1 when a problem remains."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from xinfang.core.maintenance import doctor


class Command(BaseCommand):
    help = "检查（--repair 修复）数据库：批量写入暂停的索引和触发器、统计触发器、统计数字、查询规划统计信息"

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="修复发现的问题")

    def handle(self, *args, repair: bool, **options):
        findings = doctor(repair=repair)
        remaining = 0
        for f in findings:
            if not f.problems:
                self.stdout.write(f"✓ {f.check}")
                continue
            status = "已修复" if f.repaired else "未修复"
            if not f.repaired:
                remaining += 1
            self.stdout.write(f"✗ {f.check}（{status}）")
            for p in f.problems:
                self.stdout.write(f"    {p}")
        if remaining:
            self.stdout.write(
                "仍有问题。运行 xinfang doctor --repair 修复。" if not repair else "修复后仍有问题。"
            )
            raise SystemExit(1)
        self.stdout.write("数据库状态良好。")
