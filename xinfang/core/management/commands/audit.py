"""xinfang audit verify | seal | head | protect — the event log's hash chain and its protection."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.audit import event_chain_seal, event_chain_verify, event_table_protect
from xinfang.core.outbox import events_outbox_flush, events_outbox_waiting


class Command(BaseCommand):
    help = "事件日志：verify 校验散列链；seal 为批量写入的事件补链；head 输出链头；protect 收回应用角色的改删权限（PostgreSQL）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        verify = sub.add_parser("verify", help="逐条校验，找出被改动或删除的事件；有问题时退出码为 1")
        verify.add_argument("--head", help="此前记下的链头 SEQ:HASH，用来发现最新事件被删除")
        sub.add_parser("seal", help="为批量写入（xinfang generate）后尚未入链的事件补上散列链")
        sub.add_parser("head", help="输出当前链头（序号:散列），请另行保存")
        protect = sub.add_parser("protect", help="PostgreSQL：事件表改归独立属主，应用角色只能查询和追加")
        protect.add_argument("--app-role", required=True, help="应用连接数据库所用的角色")
        protect.add_argument(
            "--owner-role", default="xinfang_audit", help="事件表的新属主（不存在则创建，不可登录）"
        )

    def handle(self, *args, what: str, **options):
        if what == "seal":
            self.stdout.write(f"已补链 {event_chain_seal()} 条事件。")
        elif what == "head":
            events_outbox_flush()  # the head covers the reads waiting in the outbox too (ADR 0015)
            report = event_chain_verify()
            seq, digest = report.head
            self.stdout.write(f"{seq}:{digest}")
        elif what == "protect":
            try:
                done = event_table_protect(app_role=options["app_role"], owner_role=options["owner_role"])
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            for statement in done:
                self.stdout.write(statement)
        else:
            self._verify(options.get("head"))

    def _verify(self, head: str | None) -> None:
        expect = None
        if head:
            seq, _, digest = head.partition(":")
            if not seq.isdigit() or len(digest) != 64:
                raise CommandError("--head 的格式是 序号:散列（xinfang audit head 的输出）")
            expect = (int(seq), digest)
        report = event_chain_verify(expect_head=expect)
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(problem))
        if report.unsealed:
            self.stdout.write(
                self.style.WARNING(
                    f"另有 {report.unsealed} 条事件尚未入链（批量写入），请运行 xinfang audit seal。"
                )
            )
        waiting = events_outbox_waiting()
        if waiting:
            self.stdout.write(
                f"另有 {waiting} 条读取事件在待入链队列中（后台任务每分钟入链，xinfang audit head 会先入链）。"
            )
        seq, digest = report.head
        summary = f"已校验 {report.checked} 条事件，链头 {seq}:{digest}"
        if not report.ok:
            raise CommandError(f"事件日志不完整：发现 {len(report.problems)} 处问题。{summary}")
        self.stdout.write(self.style.SUCCESS(f"事件日志完好。{summary}"))
