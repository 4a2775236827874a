from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "xinfang.cases"
    label = "cases"
    verbose_name = "信访事项"

    def ready(self) -> None:
        # Hooks the lower deadlines app offers (it does not import cases): a ledger shown to another body
        # leaves out 检举控告 about the viewer (Art. 30).
        from xinfang.cases.selectors import confidential_exclusion_q
        from xinfang.deadlines.selectors import VIEWER_EXCLUSIONS

        if confidential_exclusion_q not in VIEWER_EXCLUSIONS:
            VIEWER_EXCLUSIONS.append(confidential_exclusion_q)

        # `xinfang doctor`: the denormalised due columns agree with the clocks (issue 14).
        from xinfang.cases.due import DUE_CHECK
        from xinfang.core.maintenance import register_check

        register_check(DUE_CHECK)
