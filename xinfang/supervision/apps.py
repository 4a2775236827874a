from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xinfang.supervision"
    label = "supervision"
    verbose_name = "督查督办"

    def ready(self) -> None:
        from xinfang.supervision import signals  # noqa: F401 — connects the 倒流 check to registration
        from xinfang.supervision.export_jobs import register as register_jobs  # the campaign ledger as a job

        register_jobs()

        # 清零 progress from a tally kept by triggers (supervision/progress.py): installed again after every
        # migrate (SQLite drops a table's triggers when a migration rebuilds it); `xinfang doctor` recounts it.
        from django.db.models.signals import post_migrate

        from xinfang.core.maintenance import Check, register_check
        from xinfang.supervision import progress

        post_migrate.connect(progress.tally_on_after_migrate, sender=self, dispatch_uid="campaign_tally_on")
        register_check(
            Check(
                "专项行动进度触发器", progress.campaign_tally_triggers_missing, progress.campaign_tally_repair
            )
        )
        register_check(
            Check(
                "专项行动进度与重新计数一致", progress.campaign_tally_differs, progress.campaign_tally_rebuild
            )
        )
