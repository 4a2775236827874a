from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xinfang.supervision"
    label = "supervision"
    verbose_name = "督查督办"

    def ready(self) -> None:
        from xinfang.supervision import signals  # noqa: F401 — connects the 倒流 check to registration
        from xinfang.supervision.export_jobs import register as register_jobs  # the campaign ledger as a job

        register_jobs()
