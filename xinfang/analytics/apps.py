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

        # SQLite: the tally triggers are off while migrations rebuild tables, and back after (analytics/tally.py)
        from django.db.models.signals import post_migrate, pre_migrate

        from xinfang.analytics.tally import triggers_off_for_migrate, triggers_on_after_migrate

        pre_migrate.connect(triggers_off_for_migrate, sender=self, dispatch_uid="analytics_tally_off")
        post_migrate.connect(triggers_on_after_migrate, sender=self, dispatch_uid="analytics_tally_on")

        from xinfang.analytics.export_jobs import register as register_jobs  # the ledgers as background jobs

        register_jobs()

        # The 多元解纷 card counts its visits from the case tally, not the case rows (analytics/volume.py).
        from xinfang.analytics.volume import visits_by_month
        from xinfang.resolution.figures import VISIT_COUNTS

        if visits_by_month not in VISIT_COUNTS:
            VISIT_COUNTS.append(visits_by_month)
