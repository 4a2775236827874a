import time

from django.core.management.base import BaseCommand

from xinfang.generator.generate import generate, summary


class Command(BaseCommand):
    help = "生成演示/压测用的信访事项（覆盖登记到归档的各个阶段）"

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--year", type=int, default=None)
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--bulk", dest="bulk", action="store_true", default=None, help="批量写入（大量数据）"
        )
        mode.add_argument("--services", dest="bulk", action="store_false", help="逐件调用业务服务")
        parser.add_argument("--batch", type=int, default=None, help="批量写入时每个事务的事项数")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="首次批量写入时另起几个进程模拟事项（0：单进程；默认：5万件起按核数）",
        )
        # Beside live traffic the bulk path keeps indexes and tally triggers and writes in short transactions;
        # by default it decides by itself (the database already holds cases, or others are connected to it).
        live = parser.add_mutually_exclusive_group()
        live.add_argument(
            "--live",
            dest="live",
            action="store_true",
            default=None,
            help="系统正在使用中：不暂停索引与触发器",
        )
        live.add_argument(
            "--exclusive", dest="live", action="store_false", help="独占数据库：可暂停索引与触发器以加快写入"
        )

    def handle(self, *args, cases: int, seed: int, year, bulk, live=None, **options):
        started = time.perf_counter()
        result = generate(
            cases=cases,
            seed=seed,
            year=year,
            bulk=bulk,
            progress=options["verbosity"] > 0,
            live=live,
            batch=options.get("batch"),
            workers=options.get("workers"),
        )
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{summary(result)}，用时{seconds:.1f}秒（{result.cases / max(seconds, 1e-9):.0f}件/秒）"
        )
        if result.query_code:
            self.stdout.write(f"批量生成的事项共用一个查询码：{result.query_code}")
