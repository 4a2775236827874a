"""REST endpoints for documents (included from xinfang/api/urls.py under /api/v1/): a case's documents, each
as PDF or Word (the media types declared in the OpenAPI schema), the service record, and the head's
sign-off of a case's drafts (approve / send back). The case is read through case_get_for_actor first: a
检举控告's documents never reach the body it accuses (404)."""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from xinfang.api.acting import api_actor
from xinfang.api.serializers import ErrorOut
from xinfang.cases.selectors import case_get_for_actor
from xinfang.documents import selectors, services
from xinfang.documents.models import DraftStatus, ServiceMethod
from xinfang.documents.rendering import MEDIA_TYPES
from xinfang.documents.views import file_response

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
ACTING_BODY = OpenApiParameter("X-Acting-Body", str, OpenApiParameter.HEADER, required=False)


class ServiceOut(serializers.Serializer):
    method = serializers.ChoiceField(choices=ServiceMethod.values)
    tracking_number = serializers.CharField()
    served_on = serializers.DateField(allow_null=True)
    received_on = serializers.DateField(allow_null=True)
    received_source = serializers.CharField()


class DocumentOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    number = serializers.CharField(help_text="文号：机关代字〔年份〕序号号")
    issued_by = serializers.CharField(source="issued_by.name")
    issued_on = serializers.DateField()
    to_petitioner = serializers.BooleanField()
    service = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()
    docx = serializers.SerializerMethodField()

    @extend_schema_field(ServiceOut(allow_null=True))
    def get_service(self, obj) -> dict | None:
        service = getattr(obj, "service", None) if hasattr(obj, "service") else None
        return ServiceOut(service).data if service else None

    def _url(self, obj, fmt: str) -> str:
        return reverse(f"api:case-document-{fmt}", args=[obj.case.number, obj.pk])

    def get_pdf(self, obj) -> str:
        return self._url(obj, "pdf")

    def get_docx(self, obj) -> str:
        return self._url(obj, "docx")


class ServiceIn(serializers.Serializer):
    method = serializers.ChoiceField(choices=ServiceMethod.values)
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    served_on = serializers.DateField(required=False, allow_null=True, default=None)
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class CaseDocumentsView(GenericAPIView):
    serializer_class = DocumentOut
    pagination_class = None

    @extend_schema(
        summary="信访事项的文书（含送达情况）",
        parameters=[ACTING_BODY],
        responses={200: DocumentOut(many=True), **ERRORS},
    )
    def get(self, request: Request, number: str) -> Response:
        actor = api_actor(request)
        case = case_get_for_actor(actor=actor, number=number, log_read=False)
        _, documents = selectors.case_documents(actor=actor, case_id=case.pk)
        return Response(DocumentOut(documents, many=True).data)


def _file_view(fmt: str):
    class FileView(GenericAPIView):
        serializer_class = None

        @extend_schema(
            summary=f"文书文件（{fmt.upper()}）",
            parameters=[ACTING_BODY],
            responses={
                (200, MEDIA_TYPES[fmt]): OpenApiResponse(
                    OpenApiTypes.BINARY, description=f"{fmt.upper()} 文件"
                ),
                **ERRORS,
            },
        )
        def get(self, request: Request, number: str, doc: int):
            actor = api_actor(request)
            case = case_get_for_actor(actor=actor, number=number, log_read=False)
            document = selectors.document_for_actor(actor=actor, case_id=case.pk, pk=doc)
            return file_response(*selectors.document_file(document=document, fmt=fmt), inline=False)

    FileView.__name__ = f"DocumentFile{fmt.capitalize()}View"
    return FileView


class DocumentServiceView(GenericAPIView):
    serializer_class = ServiceIn

    @extend_schema(
        summary="记录送达（方式、邮件单号、收到日期；收到日期起算复查/复核期限）",
        request=ServiceIn,
        parameters=[ACTING_BODY],
        responses={200: ServiceOut, **ERRORS},
    )
    def post(self, request: Request, number: str, doc: int) -> Response:
        actor = api_actor(request)
        case = case_get_for_actor(actor=actor, number=number, log_read=False)
        document = selectors.document_for_actor(actor=actor, case_id=case.pk, pk=doc)
        data = ServiceIn(data=request.data)
        data.is_valid(raise_exception=True)
        service = services.service_record(actor=actor, document=document, **data.validated_data)
        return Response(ServiceOut(service).data)


class DraftOut(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField(help_text="the transition table's action, e.g. answer, extend")
    status = serializers.ChoiceField(choices=DraftStatus.values)
    preview = serializers.CharField(help_text="the notice's text as it will be issued")
    drafted_at = serializers.DateTimeField()
    comment = serializers.CharField(help_text="负责人意见")


class DraftDecisionIn(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DraftDecisionOut(serializers.Serializer):
    draft = DraftOut()
    state = serializers.CharField(help_text="the case's state afterwards")
    version = serializers.IntegerField()


class CaseDraftsView(GenericAPIView):
    serializer_class = DraftOut
    pagination_class = None

    @extend_schema(
        summary="信访事项待签发及已审批的草稿（答复、复查/复核意见、不予/不再受理、延期）",
        parameters=[ACTING_BODY],
        responses={200: DraftOut(many=True), **ERRORS},
    )
    def get(self, request: Request, number: str) -> Response:
        actor = api_actor(request)
        case = case_get_for_actor(actor=actor, number=number, log_read=False)
        return Response(DraftOut(selectors.case_drafts(case=case), many=True).data)


def _draft_view(approve: bool):
    class DraftDecisionView(GenericAPIView):
        serializer_class = DraftDecisionIn

        @extend_schema(
            summary="负责人批准签发草稿（出具文书）" if approve else "负责人退回草稿（须写明意见）",
            request=DraftDecisionIn,
            parameters=[ACTING_BODY],
            responses={200: DraftDecisionOut, **ERRORS, 409: ErrorOut},
        )
        def post(self, request: Request, number: str, draft: int) -> Response:
            actor = api_actor(request)
            case = case_get_for_actor(actor=actor, number=number, log_read=False)
            found = selectors.case_draft(case=case, pk=draft)
            data = DraftDecisionIn(data=request.data)
            data.is_valid(raise_exception=True)
            comment = data.validated_data["comment"]
            if approve:
                case = services.draft_approve(draft=found, actor=actor, comment=comment)
            else:
                services.draft_return(draft=found, actor=actor, comment=comment)
                case.refresh_from_db()
            found.refresh_from_db()
            return Response({"draft": DraftOut(found).data, "state": case.state, "version": case.version})

    DraftDecisionView.__name__ = "DraftApproveView" if approve else "DraftReturnView"
    return DraftDecisionView


urlpatterns = [
    path("cases/<str:number>/drafts/", CaseDraftsView.as_view(), name="case-drafts"),
    path(
        "cases/<str:number>/drafts/<int:draft>/approve/",
        _draft_view(True).as_view(),
        name="case-draft-approve",
    ),
    path(
        "cases/<str:number>/drafts/<int:draft>/return/",
        _draft_view(False).as_view(),
        name="case-draft-return",
    ),
    path("cases/<str:number>/documents/", CaseDocumentsView.as_view(), name="case-documents"),
    path(
        "cases/<str:number>/documents/<int:doc>/pdf/", _file_view("pdf").as_view(), name="case-document-pdf"
    ),
    path(
        "cases/<str:number>/documents/<int:doc>/docx/",
        _file_view("docx").as_view(),
        name="case-document-docx",
    ),
    path(
        "cases/<str:number>/documents/<int:doc>/service/",
        DocumentServiceView.as_view(),
        name="case-document-service",
    ),
]
