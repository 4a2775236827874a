from django.apps import AppConfig


class GeneratorConfig(AppConfig):
    """Demo and bench data: drives the apps below it (no models, no pages; see docs/architecture.md)."""

    name = "xinfang.generator"
    label = "generator"
    verbose_name = "演示与压测数据"
