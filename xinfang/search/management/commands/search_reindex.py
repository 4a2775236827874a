from django.core.management.base import BaseCommand

from xinfang.search.index import search_reindex


class Command(BaseCommand):
    help = "重建事项全文检索索引（批量导入之后运行）"

    def handle(self, *args, **options):
        n = search_reindex(rebuild_fts=True)
        self.stdout.write(f"已重建检索索引：{n}件")
