from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinfang.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from xinfang.core import audit, checks  # noqa: F401 (checks registers the deploy checks)

        # the event log's triggers: SQLite's need a function on every connection, and must be put back
        # after a migration rebuilt the table (xinfang/core/audit.py)
        connection_created.connect(audit.on_connection_created, dispatch_uid="xinfang.audit.functions")
        post_migrate.connect(audit.on_post_migrate, sender=self, dispatch_uid="xinfang.audit.triggers")

        # jobs a killed worker left 'running' are found and queued again by `xinfang doctor` (core/jobs.py)
        from xinfang.core import jobs, maintenance

        maintenance.register_check(jobs.stale_check())
