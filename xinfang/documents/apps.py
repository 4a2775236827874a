from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "xinfang.documents"
    label = "documents"
    verbose_name = "文书送达"

    def ready(self) -> None:
        # The hooks the case services offer (cases is a lower app and does not import this one).
        from xinfang.cases.services import actions, notices
        from xinfang.documents import services

        if services.document_from_notice not in notices.NOTICE_ISSUED_HOOKS:
            notices.NOTICE_ISSUED_HOOKS.append(services.document_from_notice)
        if services.draft_create not in actions.SIGN_OFF_DRAFTERS:
            actions.SIGN_OFF_DRAFTERS.append(services.draft_create)
