"""``xinfang worker``: runs background tasks (ADR 0015, xinfang/core/tasks.py).

huey's consumer under our name: it imports every app's ``tasks`` module, runs what the web processes enqueue
(2 threads by default, ``--workers N``) and enqueues the periodic tasks each minute (``--no-periodic`` on all
but one worker of a deployment). Ctrl+C (SIGINT) lets running tasks finish first; SIGTERM stops at once
(a task cut short is lost, which is why what matters is kept in the database).
"""

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = "运行后台任务（短信、邮件、读取事件入链、夜间统计、导出）；--workers N，--no-periodic"
