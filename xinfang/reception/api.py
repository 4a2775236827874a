"""The hall's REST endpoints (included from xinfang/api/urls.py under /api/v1/hall/). Thin: the acting body
from `api_actor`, then one selector or service; errors are the ApplicationError family's codes."""

from __future__ import annotations

from datetime import timedelta

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from xinfang.api.acting import api_actor
from xinfang.api.common import path_id as _pk
from xinfang.api.pagination import keyset_pagination
from xinfang.api.serializers import ErrorOut
from xinfang.core.errors import PermissionDenied
from xinfang.orgs.models import Role
from xinfang.reception import selectors, services
from xinfang.reception.figures import hall_figures
from xinfang.reception.models import HearingStatus, VisitOutcome

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
HALL = (Role.REGISTRAR,)


def _actor(request, *roles):
    actor = api_actor(request)
    if roles and not actor.has_role(*roles):
        raise PermissionDenied(code="role_required")
    return actor


class ServiceRowOut(serializers.Serializer):
    service_id = serializers.IntegerField(source="service.pk")
    prefix = serializers.CharField(source="service.prefix")
    name = serializers.CharField(source="service.name")
    kind = serializers.CharField(source="service.kind")
    agency = serializers.CharField(source="agency_name")
    day_id = serializers.IntegerField(source="day.pk", allow_null=True, default=None)
    calling = serializers.CharField(source="current.code", allow_null=True, default=None)
    waiting = serializers.IntegerField()
    served = serializers.IntegerField()


class BoardOut(serializers.Serializer):
    date = serializers.DateField()
    waiting_total = serializers.IntegerField()
    services = ServiceRowOut(source="rows", many=True)
    recent_calls = serializers.SerializerMethodField()

    def get_recent_calls(self, obj) -> list[str]:
        return [t.code for t in obj.recent_calls]


class TicketOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    status = serializers.CharField()
    service_id = serializers.IntegerField(source="service_day.service_id")
    day_id = serializers.IntegerField(source="service_day_id")
    party_size = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(allow_null=True)


class CheckinIn(serializers.Serializer):
    service_id = serializers.IntegerField()
    party_size = serializers.IntegerField(min_value=1, max_value=500, default=1)


class CallNextIn(serializers.Serializer):
    day_id = serializers.IntegerField()


class VisitFilterIn(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="接待日期 YYYY-MM-DD")
    outcome = serializers.ChoiceField(choices=VisitOutcome.values, required=False)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=60, help_text="姓名、电话或事项编号"
    )


class HearingFilterIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=HearingStatus.values, required=False)


class ArchiveFilterIn(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=60, help_text="档号、编号或关键词")


class FiguresIn(serializers.Serializer):
    days = serializers.IntegerField(required=False, min_value=1, max_value=366, default=30)


def _query(serializer_class, request) -> dict:
    # A plain dict (the last value of a repeated name), validated as the schema says: bad input is a 400.
    data = serializer_class(data=request.query_params.dict())
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class VisitOut(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    started_at = serializers.DateTimeField()
    ticket = serializers.CharField(source="ticket.code", allow_null=True, default=None)
    outcome = serializers.ChoiceField(choices=VisitOutcome.values)
    consultation_kind = serializers.CharField()
    case_number = serializers.CharField(source="case.number", allow_null=True, default=None)
    is_group = serializers.BooleanField()
    people_count = serializers.IntegerField()
    matter_visit_no = serializers.IntegerField()
    officer = serializers.CharField(source="officer.get_full_name")
    leader = serializers.CharField(source="leader_shift.name", allow_null=True, default=None)
    lawyer = serializers.CharField(source="lawyer_shift.name", allow_null=True, default=None)
    recording_ref = serializers.CharField()


class HearingOut(serializers.Serializer):
    id = serializers.IntegerField()
    case_number = serializers.CharField(source="case.number")
    basis = serializers.CharField()
    status = serializers.CharField()
    scheduled_at = serializers.DateTimeField()
    place = serializers.CharField()
    paused_on = serializers.DateField()
    concluded_on = serializers.DateField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class ArchiveOut(serializers.Serializer):
    number = serializers.CharField()
    case_number = serializers.CharField(source="case.number")
    retention = serializers.CharField()
    location = serializers.CharField()
    archived_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="HallFiguresOut")  # resolution has a FiguresOut too
class FiguresOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    visits = serializers.IntegerField()
    tickets = serializers.IntegerField()
    wait_p50_min = serializers.FloatField(allow_null=True)
    wait_p90_min = serializers.FloatField(allow_null=True)
    service_p50_min = serializers.FloatField(allow_null=True)
    matters = serializers.IntegerField()
    matters_once = serializers.IntegerField()
    once_rate = serializers.FloatField(allow_null=True)
    consultations = serializers.IntegerField()
    new_cases = serializers.IntegerField()
    group_visits = serializers.IntegerField()
    leader_visits = serializers.IntegerField()
    lawyer_visits = serializers.IntegerField()
    hearings_held = serializers.IntegerField()


class ServicesView(GenericAPIView):
    serializer_class = BoardOut

    @extend_schema(summary="接待大厅：各窗口当日排队情况", responses={200: BoardOut, **ERRORS})
    def get(self, request: Request) -> Response:
        actor = _actor(request, *HALL)
        return Response(BoardOut(selectors.hall_today(body=actor.body)).data)


class BoardView(GenericAPIView):
    """The public board's data: queue numbers and counts only."""

    serializer_class = BoardOut
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(summary="叫号屏数据（公开，仅号码和人数）", responses={200: BoardOut, 404: ErrorOut})
    def get(self, request: Request, code: str) -> Response:
        body = selectors.board_body(code=code)
        return Response(BoardOut(selectors.hall_today(body=body)).data)


class CheckinView(GenericAPIView):
    serializer_class = CheckinIn

    @extend_schema(summary="取号", request=CheckinIn, responses={201: TicketOut, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = _actor(request, *HALL)
        data = CheckinIn(data=request.data)
        data.is_valid(raise_exception=True)
        service = selectors.service_get(actor=actor, pk=data.validated_data["service_id"])
        ticket = services.ticket_issue(
            actor=actor, service=service, party_size=data.validated_data["party_size"]
        )
        return Response(TicketOut(ticket).data, status=201)


class CallNextView(GenericAPIView):
    serializer_class = CallNextIn

    @extend_schema(
        summary="叫下一号（无人等候时 ticket 为 null）",
        request=CallNextIn,
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request, *HALL)
        data = CallNextIn(data=request.data)
        data.is_valid(raise_exception=True)
        day = selectors.service_day_get(actor=actor, pk=data.validated_data["day_id"])
        ticket = services.ticket_call_next(actor=actor, service_day=day)
        return Response({"ticket": TicketOut(ticket).data if ticket else None})


class VisitsView(GenericAPIView):
    pagination_class = keyset_pagination(selectors.VISIT_KEYS)  # cursor pages, capped count (issue 14)
    serializer_class = VisitOut

    @extend_schema(
        summary="接待记录", parameters=[VisitFilterIn], responses={200: VisitOut(many=True), **ERRORS}
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request, *HALL)
        filters = _query(VisitFilterIn, request)
        page = self.paginate_queryset(selectors.visit_list(actor=actor, filters=filters))
        return self.get_paginated_response(VisitOut(page, many=True).data)


class VisitView(GenericAPIView):
    serializer_class = VisitOut

    @extend_schema(
        summary="一条接待记录",
        parameters=[OpenApiParameter("pk", int, OpenApiParameter.PATH)],
        responses={200: VisitOut, **ERRORS},
    )
    def get(self, request: Request, pk: str) -> Response:
        actor = _actor(request, *HALL)
        return Response(VisitOut(selectors.visit_get(actor=actor, pk=_pk(pk))).data)


class HearingsView(GenericAPIView):
    pagination_class = keyset_pagination(selectors.HEARING_KEYS)  # cursor pages, capped count (issue 14)
    serializer_class = HearingOut

    @extend_schema(
        summary="本机关的公开听证",
        parameters=[HearingFilterIn],
        responses={200: HearingOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request, Role.CASE_OFFICER, Role.AGENCY_HEAD, Role.REGISTRAR)
        status = _query(HearingFilterIn, request).get("status", "")
        page = self.paginate_queryset(selectors.hearing_list(actor=actor, status=status))
        return self.get_paginated_response(HearingOut(page, many=True).data)


class ArchiveView(GenericAPIView):
    pagination_class = keyset_pagination(selectors.ARCHIVE_KEYS)  # cursor pages, capped count (issue 14)
    serializer_class = ArchiveOut

    @extend_schema(
        summary="档案查询（可见事项）",
        parameters=[ArchiveFilterIn],
        responses={200: ArchiveOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request, Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD)
        q = _query(ArchiveFilterIn, request).get("q", "")
        page = self.paginate_queryset(selectors.archive_list(actor=actor, q=q))
        return self.get_paginated_response(ArchiveOut(page, many=True).data)


class FiguresView(GenericAPIView):
    serializer_class = FiguresOut

    @extend_schema(
        summary="大厅统计（最近 days 天）", parameters=[FiguresIn], responses={200: FiguresOut, **ERRORS}
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request, Role.REGISTRAR, Role.LEADER, Role.SUPERVISOR, Role.AGENCY_HEAD)
        days = _query(FiguresIn, request)["days"]
        today = timezone.localdate()
        f = hall_figures(body=actor.body, start=today - timedelta(days=days - 1), end=today)
        return Response(FiguresOut(f).data)


urlpatterns = [
    path("hall/services/", ServicesView.as_view(), name="hall-services"),
    path("hall/board/<str:code>/", BoardView.as_view(), name="hall-board"),
    path("hall/checkin/", CheckinView.as_view(), name="hall-checkin"),
    path("hall/call-next/", CallNextView.as_view(), name="hall-call-next"),
    path("hall/visits/", VisitsView.as_view(), name="hall-visits"),
    path("hall/visits/<str:pk>/", VisitView.as_view(), name="hall-visit"),
    path("hall/hearings/", HearingsView.as_view(), name="hall-hearings"),
    path("hall/archive/", ArchiveView.as_view(), name="hall-archive"),
    path("hall/figures/", FiguresView.as_view(), name="hall-figures"),
]
