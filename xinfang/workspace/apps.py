from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "xinfang.workspace"
    label = "workspace"
    verbose_name = "工作台"

    def ready(self) -> None:
        # The hook analytics offers (a lower app): its ledger export reads the queue's filters with our form.
        from xinfang.analytics.views import QUEUE_FILTERS
        from xinfang.workspace.forms import queue_filters

        if queue_filters not in QUEUE_FILTERS:
            QUEUE_FILTERS.append(queue_filters)
