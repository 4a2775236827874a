from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "xinfang.reception"
    label = "reception"
    verbose_name = "接待大厅"
