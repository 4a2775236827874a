"""REST endpoints. Thin: parse, call one selector or service, serialise. No model writes here."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from xinfang.api.acting import api_actor
from xinfang.api.idempotency import KEY_PATTERN, idempotency_key_of, idempotent
from xinfang.api.pagination import CaseCursorPagination
from xinfang.api.selectors import CaseDetail, case_detail, case_list_filtered, intake_suggestion
from xinfang.api.serializers import (
    ActionIn,
    CaseDetailOut,
    CaseFilterIn,
    CaseListOut,
    ErrorOut,
    RegisterIn,
    RegisterOut,
    SuggestIn,
    SuggestionOut,
)
from xinfang.cases.selectors import case_get_for_actor, registration_earlier_for
from xinfang.cases.services import PetitionerInput, case_act, case_register
from xinfang.cases.workflow import table_rows
from xinfang.orgs.models import Role

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
# 202: the action needs the body head's sign-off (答复, 复查/复核意见, 不予/不再受理, 延期) and was stored as a draft.
DRAFTED = inline_serializer(
    "ActionDrafted",
    fields={
        "number": serializers.CharField(),
        "state": serializers.CharField(),
        "version": serializers.IntegerField(),
        "draft": inline_serializer(
            "DraftRef",
            fields={
                "id": serializers.IntegerField(),
                "action": serializers.CharField(),
                "status": serializers.CharField(),
            },
        ),
    },
)
ACTING_BODY = OpenApiParameter(
    "X-Acting-Body",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="代表的机关代码（属于多个机关时必填）",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    pattern=KEY_PATTERN,
    description="客户端生成的唯一键（1至100个可见ASCII字符）：以同一键重试时返回首次的答复，不会重复登记",
)


def _detail_data(detail: CaseDetail) -> dict:
    return CaseDetailOut(detail.case, context={"detail": detail, "today": detail.today}).data


class CaseListCreate(GenericAPIView):
    serializer_class = CaseListOut
    pagination_class = CaseCursorPagination  # keyset pages, capped count (issue 14)

    @extend_schema(
        summary="信访事项列表",
        parameters=[CaseFilterIn, ACTING_BODY],
        responses={200: CaseListOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = api_actor(request)
        # A plain dict, not the QueryDict: DRF reads an empty query value as "not given", which the schema
        # (format: date) does not allow; "" is refused as the schema says, except where it lists "".
        filters = CaseFilterIn(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(case_list_filtered(actor=actor, filters=filters.validated_data))
        return self.get_paginated_response(CaseListOut(page, many=True).data)

    @extend_schema(
        summary="登记信访事项",
        request=RegisterIn,
        parameters=[ACTING_BODY, IDEMPOTENCY_KEY],
        responses={201: RegisterOut, 422: ErrorOut, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        actor.require_role(Role.REGISTRAR)  # the role before the input (the service checks it again)
        key = idempotency_key_of(request)
        if key is None:
            return self._register(request, actor)
        return idempotent(request, scope="case_register", key=key, run=lambda: self._register(request, actor))

    def _register(self, request: Request, actor) -> Response:
        data = RegisterIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        # Recorded beside what the client chose; computed here, never taken from the request.
        suggestion = intake_suggestion(
            actor=actor,
            title=v["title"],
            request=v["request"],
            facts=v["facts"],
            problem_region=v["problem_region"],
            subject_body=v.get("subject_body"),
            petitioners=v["petitioners"],
        )
        result = case_register(
            actor=actor,
            channel=v["channel"],
            petition_type=v["petition_type"],
            problem_region=v["problem_region"],
            request=v["request"],
            facts=v["facts"],
            title=v["title"],
            category=v.get("category"),
            subject_text=v["subject_text"],
            subject_body=v.get("subject_body"),
            anonymous=v["anonymous"],
            people_count=v.get("people_count"),
            flags=v.get("flags") or {},
            petitioners=[PetitionerInput(**p) for p in v["petitioners"]],
            force_new=v["force_new"],
            force_reason=v["force_reason"],
            suggestion=suggestion,
        )
        detail = case_detail(actor=actor, number=result.case.number, log_read=False)
        earlier, message = registration_earlier_for(actor=actor, result=result)
        body = {
            "number": result.case.number,
            "query_code": result.query_code,
            "outcome": result.outcome,
            "message": message,
            "earlier": earlier.number if earlier else None,
            "case": _detail_data(detail),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class IntakeSuggestView(GenericAPIView):
    serializer_class = SuggestIn

    @extend_schema(
        summary="智能辅助建议（内容分类、信访类型、涉法涉诉、办理途径、疑似重复）",
        request=SuggestIn,
        parameters=[ACTING_BODY],
        responses={200: SuggestionOut, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        actor.require_role(Role.REGISTRAR)  # the role before the input: a refused caller learns nothing
        data = SuggestIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(intake_suggestion(actor=actor, **data.validated_data))


class CaseDetailView(GenericAPIView):
    serializer_class = CaseDetailOut

    @extend_schema(summary="信访事项详情", parameters=[ACTING_BODY], responses={200: CaseDetailOut, **ERRORS})
    def get(self, request: Request, number: str) -> Response:
        actor = api_actor(request)
        return Response(_detail_data(case_detail(actor=actor, number=number)))


class CaseActionView(GenericAPIView):
    serializer_class = ActionIn

    @extend_schema(
        summary="办理操作（转送、签收、受理、答复……）",
        request=ActionIn,
        parameters=[ACTING_BODY],
        responses={200: CaseDetailOut, 202: DRAFTED, **ERRORS},
    )
    def post(self, request: Request, number: str, action: str) -> Response:
        actor = api_actor(request)
        # The same 404 for a case that does not exist and one the caller may not see.
        case = case_get_for_actor(actor=actor, number=number, log_read=False)
        data = ActionIn(data=request.data)
        data.is_valid(raise_exception=True)
        inputs = {k: v for k, v in data.validated_data.items() if v not in (None, "")}
        acted = case_act(
            case=case.pk,
            actor=actor,
            action=action,
            expected_version=inputs.pop("expected_version", None),
            reason=inputs.pop("reason", ""),
            **inputs,
        )
        detail = _detail_data(case_detail(actor=actor, number=number, log_read=False))
        draft = getattr(acted, "draft", None)
        if draft is not None:
            # A sign-off action taken by a handler (issue 15): a draft for the body's head, the case unchanged.
            detail["draft"] = {"id": draft.pk, "action": draft.action, "status": draft.status}
            return Response(detail, status=status.HTTP_202_ACCEPTED)
        return Response(detail)


class WorkflowView(GenericAPIView):
    pagination_class = None  # the whole table, one list

    @extend_schema(
        summary="办理流程表（状态 × 操作 → 新状态）",
        responses={
            200: inline_serializer(
                "TransitionRow",
                fields={
                    "action": serializers.CharField(),
                    "label": serializers.CharField(),
                    "sources": serializers.ListField(child=serializers.CharField()),
                    "target": serializers.CharField(allow_null=True),
                    "roles": serializers.ListField(child=serializers.CharField()),
                    "acting_body": serializers.CharField(),
                    "petitioner_may": serializers.BooleanField(),
                    "starts": serializers.ListField(child=serializers.DictField()),
                    "stops": serializers.ListField(child=serializers.CharField()),
                    "pauses": serializers.ListField(child=serializers.CharField()),
                    "resumes": serializers.ListField(child=serializers.CharField()),
                    "notice": serializers.CharField(allow_null=True),
                    "legal_basis": serializers.CharField(),
                    "fields": serializers.ListField(child=serializers.CharField()),
                },
                many=True,
            )
        },
    )
    def get(self, request: Request) -> Response:
        return Response([row.__dict__ for row in table_rows()])
