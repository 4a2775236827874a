from django.urls import path, register_converter

from xinfang.documents import views


class FormatConverter:
    regex = "pdf|docx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "docfmt")

app_name = "documents"
urlpatterns = [
    # Every staff URL names the case (pk) first: it is read through case_get_for_actor before anything else.
    path("case/<int:pk>/", views.case_panel, name="case_panel"),
    path("case/<int:pk>/<int:doc>.<docfmt:fmt>", views.download, name="download"),
    path("case/<int:pk>/<int:doc>/service/", views.service_record, name="service_record"),
    path("case/<int:pk>/receipt.<docfmt:fmt>", views.receipt, name="receipt"),
    path("case/<int:pk>/drafts/<int:draft>/approve/", views.draft_approve, name="draft_approve"),
    path("case/<int:pk>/drafts/<int:draft>/return/", views.draft_return, name="draft_return"),
    path("drafts/", views.drafts, name="drafts"),
    path("portal/notice/<int:notice_pk>.pdf", views.portal_notice, name="portal_notice"),
    path("portal/receipt/<str:token>.pdf", views.portal_receipt, name="portal_receipt"),
]
