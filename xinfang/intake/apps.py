from django.apps import AppConfig


class IntakeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "xinfang.intake"
    verbose_name = "登记研判 intake"
