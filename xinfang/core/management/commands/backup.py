from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份 / PostgreSQL pg_dump）和上传的附件，写成一个 .tar（含清单：各表行数、事件日志链头）"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="备份文件路径（默认 数据目录/backups/xinfang-时间.tar）")
        parser.add_argument("--no-media", action="store_true", help="不含附件")

    def handle(self, *args, output=None, no_media=False, **options):
        try:
            result = backup_create(path=Path(output) if output else None, media=not no_media)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = result.manifest
        seq, digest = m["audit_head"]
        self.stdout.write(
            f"已备份到 {result.path}（{m['vendor']}，{sum(m['counts'].values())} 行，事件日志链头 {seq}:{digest}）"
        )
        if not m["audit_ok"]:
            self.stdout.write(
                self.style.WARNING("注意：备份时事件日志校验未通过，请运行 xinfang audit verify。")
            )
