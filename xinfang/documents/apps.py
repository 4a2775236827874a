from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "xinfang.documents"
    label = "documents"
    verbose_name = "文书送达"
