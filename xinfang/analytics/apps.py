from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "xinfang.analytics"
    label = "analytics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from xinfang.analytics.health import TALLIES_CHECK, TRIGGERS_CHECK
        from xinfang.core.maintenance import register_check

        register_check(TRIGGERS_CHECK)
        register_check(TALLIES_CHECK)

        from xinfang.analytics.export_jobs import register as register_jobs  # the ledgers as background jobs

        register_jobs()
