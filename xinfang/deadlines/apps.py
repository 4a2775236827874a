from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DeadlinesConfig(AppConfig):
    name = "xinfang.deadlines"
    label = "deadlines"
    verbose_name = "期限与日历"

    def ready(self) -> None:
        from xinfang.deadlines.calendar_version import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="deadlines_calendar_triggers")
