from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "xinfang.evaluation"
    label = "evaluation"
    verbose_name = "评价"

    def ready(self) -> None:
        # The hook the case services offer (cases is a lower app and does not import this one).
        from xinfang.cases.services.actions import SATISFACTION_CHECKS
        from xinfang.evaluation.selectors import case_petitioner_satisfied

        if case_petitioner_satisfied not in SATISFACTION_CHECKS:
            SATISFACTION_CHECKS.append(case_petitioner_satisfied)
        # An answer's notice schedules its 回访 (return visit), in the same transaction.
        from xinfang.cases.services.notices import NOTICE_ISSUED_HOOKS
        from xinfang.evaluation.services import return_visit_on_notice

        if return_visit_on_notice not in NOTICE_ISSUED_HOOKS:
            NOTICE_ISSUED_HOOKS.append(return_visit_on_notice)
