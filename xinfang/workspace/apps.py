from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "xinfang.workspace"
    label = "workspace"
    verbose_name = "工作台"

    def ready(self) -> None:
        # The hook analytics offers (a lower app): its ledger export reads the queue's filters with our form.
        from xinfang.analytics.views import QUEUE_FILTERS
        from xinfang.workspace.forms import queue_filters
        from xinfang.workspace.page_cache import connect_signals

        if queue_filters not in QUEUE_FILTERS:
            QUEUE_FILTERS.append(queue_filters)
        connect_signals()  # a renamed body, category, … makes every stored case page stale (ADR 0020)
