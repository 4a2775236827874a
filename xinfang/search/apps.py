from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "xinfang.search"
    label = "search"
    verbose_name = "事项检索"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from xinfang.cases.models import Case
        from xinfang.search.index import case_saved

        # The index is kept on write: every save of a case rewrites its row (one upsert).
        post_save.connect(case_saved, sender=Case, dispatch_uid="search_case_saved")
