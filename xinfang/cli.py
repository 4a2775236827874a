"""The `xinfang` console command.

xinfang demo            migrate, load the demo city if the database is empty, serve on 127.0.0.1:8000
xinfang serve           production-style: gunicorn + whitenoise (collects static files first); --worker
xinfang worker          background tasks (ADR 0015); `demo` starts one itself
xinfang migrate         and every other Django management command (xinfang help lists them)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import django
from django.conf import settings
from django.core.management import call_command, execute_from_command_line
from django.utils import timezone
from django.utils.module_loading import import_string


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    django.setup()


def _manage(*args: str) -> None:
    call_command(*args)


def _worker_start() -> subprocess.Popen:
    """The background-task worker as a child process (`xinfang worker`, ADR 0015): the laptop needs no other
    service. Stopped by _gunicorn when the server stops."""
    return subprocess.Popen([sys.executable, "-m", "xinfang.cli", "worker", "--simple"])


def _gunicorn(bind: str, workers: int, worker: bool = False) -> int:
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    tasks = _worker_start() if worker else None
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 0
    finally:
        if tasks is not None:
            tasks.terminate()
            try:
                tasks.wait(timeout=10)
            except subprocess.TimeoutExpired:
                tasks.kill()


def cmd_demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="xinfang demo", description="启动演示系统（SQLite，示例市）")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")
    args = parser.parse_args(argv)
    _django_setup()
    from xinfang.generator.demo import demo_cases_load  # after django.setup(): app modules read models
    from xinfang.orgs.demo import demo_city_load, demo_exists, demo_logins_text  # after django.setup()

    _manage("migrate", "--noinput", "-v", "0")
    if demo_exists():
        print("演示数据已存在，沿用现有数据。")
    else:
        counts = demo_city_load()
        print(
            f"已载入演示城市：{counts['regions']} 个区划，{counts['bodies']} 个机关，{counts['users']} 个账号。"
        )
        print(demo_cases_load())
        # each feature app's demo data (supervision, the hall, referrals, reviews, documents), in order
        for dotted in settings.XINFANG_DEMO_LOADERS:
            print(import_string(dotted)())
    # ECharts for /figures/ ships in the package (xinfang/analytics/static/vendor/echarts, ADR 0002)
    _manage("collectstatic", "--noinput", "-v", "0")
    # today's ledger (每日交账), so the demo's ledgers are not empty until the first cron run (idempotent)
    from xinfang.deadlines.services import ledger_build  # after django.setup(), as above

    stats = ledger_build(day=timezone.localdate())
    print(f"今日台账：红灯 {stats.red} 项，黄灯 {stats.yellow} 项。")
    url = f"http://{args.host}:{args.port}/"
    print()
    print(f"信访事项依法办理系统（演示）: {url}")
    print(f"数据目录：{settings.DATA_DIR}")
    print("演示账号：")
    print(demo_logins_text())
    print("按 Ctrl+C 停止。", flush=True)
    if args.no_serve:
        return 0
    return _gunicorn(f"{args.host}:{args.port}", workers=2, worker=True)


def cmd_serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="xinfang serve", description="生产方式启动（gunicorn + whitenoise）"
    )
    parser.add_argument("--bind", default=os.environ.get("XINFANG_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("XINFANG_WORKERS", "3")))
    parser.add_argument(
        "--worker",
        action="store_true",
        help="同时启动后台任务进程（单台服务器；多台时另行运行 xinfang worker）",
    )
    args = parser.parse_args(argv)
    _django_setup()
    _manage("collectstatic", "--noinput", "-v", "0")
    return _gunicorn(args.bind, args.workers, worker=args.worker)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "demo":
        return cmd_demo(argv[1:])
    if argv and argv[0] == "serve":
        return cmd_serve(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    execute_from_command_line(["xinfang", *argv])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
