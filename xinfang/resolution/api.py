"""The one-stop centre's REST endpoints (included from xinfang/api/urls.py under /api/v1/resolution/). Thin:
the acting body from `api_actor`, then one selector or service; errors are the ApplicationError family's
stable codes (consent_missing, consent_refused, mediation_stage, accusation_not_referred, …)."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from xinfang.api.acting import api_actor
from xinfang.api.common import path_id as _pk
from xinfang.api.pagination import keyset_pagination
from xinfang.api.serializers import ErrorOut
from xinfang.core.errors import PermissionDenied
from xinfang.orgs.models import Role
from xinfang.resolution import selectors, services
from xinfang.resolution.figures import centre_figures
from xinfang.resolution.models import Consent, ConsentHow, Side, Status
from xinfang.resolution.rules import Outcome, ReferralKind

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
REFERRERS = (Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD)
READERS = (*REFERRERS, Role.MEDIATOR, Role.LEADER, Role.SUPERVISOR)
RECORDERS = (Role.MEDIATOR, *REFERRERS)
FIGURES = (Role.REGISTRAR, Role.LEADER, Role.SUPERVISOR, Role.AGENCY_HEAD)
ACTING_BODY = OpenApiParameter("X-Acting-Body", str, OpenApiParameter.HEADER, required=False)
REFERRAL_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="移送的id")


class ReferralFilterIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", *Status.values], required=False)
    kind = serializers.ChoiceField(choices=ReferralKind.values, required=False)
    outcome = serializers.ChoiceField(choices=Outcome.values, required=False)
    q = serializers.CharField(required=False, max_length=60)


class OrganisationFilterIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReferralKind.values, required=False)


class FiguresIn(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


def _actor(request, *roles):
    actor = api_actor(request)
    if roles and not actor.has_role(*roles):
        raise PermissionDenied(code="role_required")
    return actor


class PartyOut(serializers.Serializer):
    side = serializers.CharField()
    name = serializers.CharField()
    consent = serializers.CharField()
    consent_how = serializers.CharField()
    consent_on = serializers.DateField(allow_null=True)


class SessionOut(serializers.Serializer):
    id = serializers.IntegerField()
    held_on = serializers.DateField()
    minutes = serializers.IntegerField()
    attendees = serializers.IntegerField()
    note = serializers.CharField()


class ReferralOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=ReferralKind.values)
    organisation = serializers.CharField(source="organisation.name")
    organisation_id = serializers.IntegerField()
    referring_body = serializers.CharField(source="referring_body.code")
    referred_on = serializers.DateField()
    summary = serializers.CharField()
    claims = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.values)
    outcome = serializers.CharField()
    outcome_on = serializers.DateField(allow_null=True)
    outcome_text = serializers.CharField()
    reference_number = serializers.CharField()
    confirmation_due_on = serializers.DateField(allow_null=True)
    confirmation_applied_on = serializers.DateField(allow_null=True)
    case_effect = serializers.CharField()
    parties = PartyOut(many=True)


class ReferralDetailOut(ReferralOut):
    sessions = SessionOut(many=True)
    # The case number only for the body that referred it; the organisation sees the referral alone.
    case_number = serializers.SerializerMethodField()

    def get_case_number(self, obj) -> str | None:
        if self.context.get("side") == selectors.REFERRER and obj.case_id:
            return obj.case.number
        return None


class PartyIn(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.values)
    name = serializers.CharField(max_length=100)
    consent = serializers.ChoiceField(choices=Consent.values, required=False, allow_blank=True, default="")
    consent_how = serializers.ChoiceField(
        choices=ConsentHow.values, required=False, allow_blank=True, default=""
    )
    consent_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReferralIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReferralKind.values)
    organisation_id = serializers.IntegerField()
    summary = serializers.CharField()
    claims = serializers.CharField(required=False, allow_blank=True, default="")
    case_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    visit_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    parties = PartyIn(many=True)


class SessionIn(serializers.Serializer):
    held_on = serializers.DateField()
    minutes = serializers.IntegerField(min_value=1, max_value=1440, default=60)
    attendees = serializers.IntegerField(min_value=1, max_value=500, default=1)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OutcomeIn(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.values)
    outcome_on = serializers.DateField(required=False, allow_null=True, default=None)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    reference_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)


class OrganisationOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    region = serializers.CharField(source="region.name")
    on_system = serializers.SerializerMethodField()

    def get_on_system(self, obj) -> bool:
        return obj.body_id is not None


class FigureRowOut(serializers.Serializer):
    label = serializers.CharField()
    visits = serializers.IntegerField()
    mediated = serializers.IntegerField()
    mediated_ok = serializers.IntegerField()
    success_rate = serializers.CharField()
    tried = serializers.IntegerField()
    arbitrated = serializers.IntegerField()
    counselling = serializers.IntegerField()
    consultations = serializers.IntegerField()


class FiguresOut(serializers.Serializer):
    year = serializers.IntegerField()
    total = FigureRowOut()
    by_month = FigureRowOut(many=True)
    by_organisation = FigureRowOut(many=True)
    by_body = FigureRowOut(many=True)


def _detail(actor, pk: int) -> Response:
    referral, side = selectors.referral_get_for_actor(actor=actor, pk=pk)
    return Response(ReferralDetailOut(referral, context={"side": side}).data)


class ReferralListCreate(GenericAPIView):
    pagination_class = keyset_pagination(selectors.REFERRAL_KEYS)  # cursor pages, capped count (issue 14)
    serializer_class = ReferralOut

    @extend_schema(
        summary="移送清单（接收组织的待办，或本机关移送的纠纷）",
        parameters=[ACTING_BODY, ReferralFilterIn],
        responses={200: ReferralOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request, *READERS)
        filters = ReferralFilterIn(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.referral_list(actor=actor, filters=filters.validated_data))
        return self.get_paginated_response(ReferralOut(page, many=True).data)

    @extend_schema(
        summary="移送调解、仲裁、速裁、法律咨询或心理疏导",
        request=ReferralIn,
        parameters=[ACTING_BODY],
        responses={201: ReferralDetailOut, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request, *REFERRERS)
        data = ReferralIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        referral = services.referral_create(
            actor=actor,
            kind=d["kind"],
            organisation=d["organisation_id"],
            summary=d["summary"],
            claims=d["claims"],
            case=d["case_id"],
            visit_id=d["visit_id"],
            parties=[services.PartyInput(**p) for p in d["parties"]],
        )
        referral, side = selectors.referral_get_for_actor(actor=actor, pk=referral.pk)
        return Response(
            ReferralDetailOut(referral, context={"side": side}).data, status=status.HTTP_201_CREATED
        )


class ReferralDetail(GenericAPIView):
    serializer_class = ReferralDetailOut

    @extend_schema(
        summary="移送详情",
        parameters=[ACTING_BODY, REFERRAL_ID],
        responses={200: ReferralDetailOut, **ERRORS},
    )
    def get(self, request: Request, pk: str) -> Response:
        return _detail(_actor(request, *READERS), _pk(pk))


class ReferralSessions(GenericAPIView):
    serializer_class = SessionIn

    @extend_schema(
        summary="记录调解、庭审、咨询或疏导",
        request=SessionIn,
        parameters=[ACTING_BODY, REFERRAL_ID],
        responses={201: SessionOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        actor = _actor(request, *RECORDERS)
        pk = _pk(pk)
        selectors.referral_get_for_actor(actor=actor, pk=pk)
        data = SessionIn(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_record(actor=actor, referral_id=pk, **data.validated_data)
        return Response(SessionOut(session).data, status=status.HTTP_201_CREATED)


class ReferralOutcome(GenericAPIView):
    serializer_class = OutcomeIn

    @extend_schema(
        summary="记录结果（调解协议、裁决、判决、疏导结束……）",
        request=OutcomeIn,
        parameters=[ACTING_BODY, REFERRAL_ID],
        responses={200: ReferralDetailOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        actor = _actor(request, *RECORDERS)
        pk = _pk(pk)
        selectors.referral_get_for_actor(actor=actor, pk=pk)
        data = OutcomeIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.referral_outcome_record(actor=actor, referral_id=pk, **data.validated_data)
        return _detail(actor, pk)


class Organisations(GenericAPIView):
    serializer_class = OrganisationOut
    pagination_class = None

    @extend_schema(
        summary="解纷组织名录",
        parameters=[ACTING_BODY, OrganisationFilterIn],
        responses={200: OrganisationOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request, *READERS)
        filters = OrganisationFilterIn(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        orgs = selectors.organisations_for(body=actor.body, kind=filters.validated_data.get("kind"))
        return Response(OrganisationOut(orgs, many=True).data)


class Figures(GenericAPIView):
    serializer_class = FiguresOut

    @extend_schema(
        summary="多元解纷统计（按月、组织、机关）",
        parameters=[ACTING_BODY, FiguresIn],
        responses={200: FiguresOut, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request, *FIGURES)
        data = FiguresIn(data=request.query_params.dict())
        data.is_valid(raise_exception=True)
        year = data.validated_data.get("year") or timezone.localdate().year
        f = centre_figures(body=actor.body, year=year)
        return Response(FiguresOut(f).data)


urlpatterns = [
    path("resolution/referrals/", ReferralListCreate.as_view(), name="resolution-referrals"),
    path("resolution/referrals/<str:pk>/", ReferralDetail.as_view(), name="resolution-referral"),
    path("resolution/referrals/<str:pk>/sessions/", ReferralSessions.as_view(), name="resolution-sessions"),
    path("resolution/referrals/<str:pk>/outcome/", ReferralOutcome.as_view(), name="resolution-outcome"),
    path("resolution/organisations/", Organisations.as_view(), name="resolution-organisations"),
    path("resolution/figures/", Figures.as_view(), name="resolution-figures"),
]
