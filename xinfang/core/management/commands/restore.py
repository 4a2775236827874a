from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.backup import BackupError, backup_manifest, backup_restore


class Command(BaseCommand):
    help = "从 xinfang backup 的备份恢复（先停止所有应用服务器）；恢复后核对各表行数和事件日志散列链"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件")
        parser.add_argument("--no-media", action="store_true", help="不恢复附件")
        parser.add_argument("--yes", action="store_true", help="不再询问（当前数据将被备份内容替换）")

    def handle(self, *args, path: str, no_media=False, yes=False, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"没有文件 {file}")
        manifest = backup_manifest(file)
        if not yes:
            answer = input(f"用 {manifest['created_at']} 的备份替换当前全部数据？输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消。")
        try:
            result = backup_restore(path=file, media=not no_media)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.problems:
            for p in result.problems:
                self.stdout.write(self.style.ERROR(p))
            raise CommandError("恢复后的数据与备份清单不符。")
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复：{sum(result.counts.values())} 行，与备份清单一致；事件日志完好。"
                + (
                    "（PostgreSQL：如曾运行 audit protect，请再运行一次。）"
                    if manifest["vendor"] == "postgresql"
                    else ""
                )
            )
        )
