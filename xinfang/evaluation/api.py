"""REST endpoints of the evaluation app, under /api/v1/evaluation/ (listed in xinfang/api/urls.py). Thin: the role
first (a refused caller learns nothing: 404), then the input, then one service or selector; errors are the
ApplicationError family, mapped by xinfang.api.errors. The one module of this app that may import the API layer
(pyproject [tool.importlinter]: "xinfang.*.api -> xinfang.api.**")."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.api.acting import api_actor
from xinfang.api.common import path_id as _pk
from xinfang.api.common import require_role as _require
from xinfang.api.pagination import WINDOW_PARAMETERS, keyset_window
from xinfang.api.serializers import ErrorOut
from xinfang.evaluation.models import ReturnVisitKind, ReturnVisitStatus, Satisfaction
from xinfang.evaluation.selectors import (
    RETURN_VISIT_KEYS,
    RETURN_VISIT_VIEWS,
    return_visit_get_for_actor,
    return_visits_for,
)
from xinfang.evaluation.services import RETURN_VISIT_ROLES, return_visit_record

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
VIEW = OpenApiParameter(
    "view",
    str,
    OpenApiParameter.QUERY,
    enum=list(RETURN_VISIT_VIEWS),
    description="due（默认）/ upcoming / done",
)


# ------------------------------------------------------------------------------------ 回访 (return visits)


class ReturnVisitOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    case_id = serializers.IntegerField()
    stage = serializers.CharField()
    kind = serializers.ChoiceField(choices=ReturnVisitKind.choices)
    scheduled_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ReturnVisitStatus.choices)
    done_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    satisfaction = serializers.CharField(source="evaluation.result", allow_null=True, default=None)
    satisfaction_channel = serializers.CharField(source="evaluation.channel", allow_null=True, default=None)


class ReturnVisitRecordIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=[ReturnVisitStatus.DONE, ReturnVisitStatus.UNREACHABLE])
    outcome = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    satisfaction = serializers.ChoiceField(
        choices=Satisfaction.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="信访人在回访中给出的满意度，记为代为评价（PHONE_ON_BEHALF）",
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(
        choices=ReturnVisitKind.choices, required=False, allow_blank=True, default=""
    )


class ReturnVisitList(APIView):
    @extend_schema(
        parameters=[VIEW, *WINDOW_PARAMETERS],
        summary="本机关的回访（待回访、计划中、已记录）",
        responses={200: ReturnVisitOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = api_actor(request)
        _require(actor, *RETURN_VISIT_ROLES)
        view = request.query_params.get("view", "due")
        view = view if view in RETURN_VISIT_VIEWS else "due"
        qs = return_visits_for(actor=actor, view=view, today=timezone.localdate())
        rows, headers = keyset_window(request, qs, RETURN_VISIT_KEYS[view])
        return Response(ReturnVisitOut(rows, many=True).data, headers=headers)


class ReturnVisitRecord(APIView):
    @extend_schema(
        parameters=[ID],
        summary="记录回访（可代为评价）",
        request=ReturnVisitRecordIn,
        responses={200: ReturnVisitOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        number = _pk(pk)
        actor = api_actor(request)
        _require(actor, *RETURN_VISIT_ROLES)
        visit = return_visit_get_for_actor(actor=actor, pk=number)
        s = ReturnVisitRecordIn(data=request.data)
        s.is_valid(raise_exception=True)
        return_visit_record(actor=actor, visit=visit, **s.validated_data)
        return Response(ReturnVisitOut(return_visit_get_for_actor(actor=actor, pk=number)).data)


urlpatterns = [
    path("evaluation/return-visits/", ReturnVisitList.as_view(), name="return-visit-list"),
    path(
        "evaluation/return-visits/<str:pk>/record/", ReturnVisitRecord.as_view(), name="return-visit-record"
    ),
]
