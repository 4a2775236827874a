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

        # The 多元解纷 card counts its visits from the case tally, not the case rows (analytics/volume.py).
        from xinfang.analytics.volume import visits_by_month
        from xinfang.resolution.figures import VISIT_COUNTS

        if visits_by_month not in VISIT_COUNTS:
            VISIT_COUNTS.append(visits_by_month)
