from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "xinfang.evaluation"
    label = "evaluation"
    verbose_name = "评价"
