"""REST endpoints for supervision and leadership, under /api/v1/supervision/ (listed in xinfang/api/urls.py).
Thin: the role first (a refused caller learns nothing), then the input, then one service or selector; errors are
the ApplicationError family, mapped by xinfang.api.errors."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.api.acting import api_actor
from xinfang.api.common import ERRORS
from xinfang.api.common import path_id as _pk
from xinfang.api.common import require_role as _require
from xinfang.api.common import validated as _valid
from xinfang.api.pagination import WINDOW_PARAMETERS, keyset_window, offset_window
from xinfang.cases.selectors import case_get_for_actor
from xinfang.core.errors import ValidationFailed
from xinfang.orgs.models import Body, Role, User
from xinfang.supervision import selectors, services
from xinfang.supervision.figures import supervision_figures
from xinfang.supervision.models import (
    FIVE_RENEWALS,
    Adoption,
    CampaignResult,
    RecommendationKind,
    StepKind,
    SupervisionKind,
    SupervisionReason,
    SupervisionStatus,
)

# Ids in paths are taken as text and turned into numbers here, so that "/supervisions/abc/" is this API's 404
# (JSON) rather than the URL resolver's page.
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


def _body(code: str) -> Body:
    body = Body.objects.select_related("region").filter(code=code).first()
    if body is None:
        raise ValidationFailed(gettext("单位代码不存在。"), code="unknown_body", extra={"body": code})
    return body


# ------------------------------------------------------------------------------------------ serializers


class SupervisionOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField(source="kind.code")
    rung = serializers.IntegerField(source="kind.rung")
    issuing_body = serializers.CharField(source="issuing_body.code")
    body = serializers.CharField(source="body.code")
    cases = serializers.SerializerMethodField()
    reason = serializers.ChoiceField(choices=SupervisionReason.choices)
    requirement = serializers.CharField()
    issued_on = serializers.DateField()
    reply_due = serializers.DateField()
    status = serializers.ChoiceField(choices=SupervisionStatus.choices)
    auto = serializers.BooleanField()
    proposed_kind = serializers.SerializerMethodField()
    letter_number = serializers.CharField()
    reply_measures = serializers.CharField()
    reply_result = serializers.CharField()
    replied_at = serializers.DateTimeField(allow_null=True)
    replied_on_time = serializers.BooleanField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_cases(self, obj) -> list[str]:
        return [c.number for c in obj.cases.all()]  # the visible ones (the selector's prefetch)

    def get_proposed_kind(self, obj) -> str | None:
        return obj.proposed_kind.code if obj.proposed_kind_id and not obj.proposal_dismissed else None


class SupervisionIn(serializers.Serializer):
    kind = serializers.SlugField(max_length=30)
    body = serializers.CharField(max_length=40)
    cases = serializers.ListField(child=serializers.CharField(max_length=60), min_length=1, max_length=50)
    reason = serializers.ChoiceField(choices=SupervisionReason.choices)
    requirement = serializers.CharField(max_length=2000)


class SupervisionReplyIn(serializers.Serializer):
    measures = serializers.CharField(max_length=2000)
    result = serializers.CharField(max_length=2000)


class SupervisionNoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class RecommendationOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RecommendationKind.choices)
    issuing_body = serializers.CharField(source="issuing_body.code")
    body = serializers.CharField(source="body.code")
    text = serializers.CharField()
    issued_on = serializers.DateField()
    feedback_due = serializers.DateField()
    adoption = serializers.CharField()
    feedback = serializers.CharField()
    feedback_at = serializers.DateTimeField(allow_null=True)


class RecommendationIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RecommendationKind.choices)
    body = serializers.CharField(max_length=40)
    text = serializers.CharField(max_length=2000)
    cases = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=50)


class RecommendationFeedbackIn(serializers.Serializer):
    adoption = serializers.ChoiceField(choices=Adoption.choices)
    feedback = serializers.CharField(max_length=2000)


class LeaderStepOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=StepKind.choices)
    planned_on = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()


class LeaderCaseOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    leader = serializers.CharField(source="leader.username")
    leader_body = serializers.CharField(source="leader_body.code")
    level = serializers.CharField()
    plan = serializers.CharField()
    status = serializers.CharField()
    renewals = serializers.DictField(child=serializers.CharField())
    steps = LeaderStepOut(many=True, source="steps.all")
    opened_at = serializers.DateTimeField()


class LeaderCaseIn(serializers.Serializer):
    case = serializers.CharField(max_length=60)
    plan = serializers.CharField(max_length=2000)
    leader = serializers.CharField(max_length=150, required=False, help_text="领导的用户名；不填为本人")


class LeaderStepIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=StepKind.choices)
    note = serializers.CharField(max_length=2000)
    done_on = serializers.DateField(required=False)


class BackflowOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    earlier = serializers.CharField(source="earlier.number")
    found_by = serializers.CharField()
    detected_at = serializers.DateTimeField()
    status = serializers.CharField()


class BackflowRaiseIn(serializers.Serializer):
    leader = serializers.CharField(max_length=150)
    plan = serializers.CharField(max_length=2000)
    renewals = serializers.DictField(
        child=serializers.CharField(max_length=500), help_text="、".join(k for k, _ in FIVE_RENEWALS)
    )


class CampaignProgressRow(serializers.Serializer):
    key = serializers.CharField()
    total = serializers.IntegerField()
    reported = serializers.IntegerField()
    signed = serializers.IntegerField()
    rate = serializers.FloatField()


class CampaignOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    issuing_body = serializers.CharField(source="issuing_body.code")
    started_on = serializers.DateField()
    ends_on = serializers.DateField()
    cleared_at = serializers.DateTimeField(allow_null=True)


class CampaignDetailOut(CampaignOut):
    total = serializers.IntegerField()
    signed = serializers.IntegerField()
    rate = serializers.FloatField()
    batches = CampaignProgressRow(many=True)
    bodies = CampaignProgressRow(many=True)


class CampaignBatchIn(serializers.Serializer):
    file = serializers.FileField(help_text="Excel 台账：事项编号、责任单位、包案领导、化解期限")


class CampaignBatchOut(serializers.Serializer):
    number = serializers.IntegerField()
    cases = serializers.IntegerField()


class CampaignItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    batch = serializers.IntegerField(source="batch.number")
    case = serializers.CharField(source="case.number")
    responsible_body = serializers.CharField(source="responsible_body.code")
    leader_name = serializers.CharField()
    due_on = serializers.DateField()
    result = serializers.CharField()
    result_at = serializers.DateTimeField(allow_null=True)
    signed_off_at = serializers.DateTimeField(allow_null=True)


class CampaignResultIn(serializers.Serializer):
    result = serializers.ChoiceField(choices=CampaignResult.choices)
    text = serializers.CharField(max_length=2000)
    evidence = serializers.CharField(max_length=2000)


class CampaignSignOffIn(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class SupervisionFiguresOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    issued = serializers.IntegerField()
    replied = serializers.IntegerField()
    replied_on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    leader_cases = serializers.IntegerField()
    raised = serializers.IntegerField()
    resolution_rate = serializers.FloatField(allow_null=True)
    backflows = serializers.IntegerField()
    campaign_items = serializers.IntegerField()
    campaign_signed = serializers.IntegerField()
    clear_rate = serializers.FloatField(allow_null=True)
    by_kind = serializers.ListField(child=serializers.DictField())


class SupervisionPeriodIn(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


# ---------------------------------------------------------------------------------------------- views


class SupervisionList(APIView):
    @extend_schema(
        summary="督办列表（本机关发出或收到）",
        parameters=WINDOW_PARAMETERS,
        responses={200: SupervisionOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = api_actor(request)
        qs = selectors.supervision_list(actor=actor).prefetch_related(None)
        rows, headers = keyset_window(
            request,
            qs,
            selectors.SUPERVISION_KEYS,
            page=lambda after, size: selectors.supervision_page(actor=actor, after=after, size=size),
        )
        if "offset" in request.query_params:
            selectors.supervisions_visible_cases(actor=actor, rows=rows)  # by the rows' case ids (issue 14)
        return Response(SupervisionOut(rows, many=True).data, headers=headers)

    @extend_schema(summary="发起督办", request=SupervisionIn, responses={201: SupervisionOut, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        _require(actor, Role.SUPERVISOR)
        data = _valid(SupervisionIn, request.data)
        kind = SupervisionKind.objects.filter(code=data["kind"]).first()
        if kind is None:
            raise ValidationFailed(
                gettext("督办方式不存在。"), code="unknown_kind", extra={"kind": data["kind"]}
            )
        sup = services.supervision_issue(
            actor=actor,
            kind=kind,
            body=_body(data["body"]),
            case_numbers=data["cases"],
            reason=data["reason"],
            requirement=data["requirement"],
        )
        return Response(
            SupervisionOut(selectors.supervision_get(actor=actor, pk=sup.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class SupervisionDetail(APIView):
    @extend_schema(parameters=[ID], summary="督办详情", responses={200: SupervisionOut, **ERRORS})
    def get(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        actor = api_actor(request)
        return Response(SupervisionOut(selectors.supervision_get(actor=actor, pk=pk)).data)


class SupervisionAction(APIView):
    """reply (the supervised body), close / escalate (the supervising body)."""

    action = ""

    @extend_schema(
        parameters=[ID],
        summary="督办：回复、办结、升级",
        request=SupervisionReplyIn,
        responses={200: SupervisionOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        actor = api_actor(request)
        sup = selectors.supervision_get(actor=actor, pk=pk)
        if self.action == "reply":
            data = _valid(SupervisionReplyIn, request.data)
            services.supervision_reply(
                actor=actor, supervision=sup, measures=data["measures"], result=data["result"]
            )
        elif self.action == "close":
            _require(actor, Role.SUPERVISOR)
            services.supervision_close(
                actor=actor, supervision=sup, note=_valid(SupervisionNoteIn, request.data)["note"]
            )
        else:
            _require(actor, Role.SUPERVISOR)
            sup = services.supervision_escalate(actor=actor, supervision=sup)
        return Response(SupervisionOut(selectors.supervision_get(actor=actor, pk=sup.pk)).data)


class ReplyView(SupervisionAction):
    action = "reply"


class CloseView(SupervisionAction):
    action = "close"

    @extend_schema(
        parameters=[ID],
        summary="办结督办",
        request=SupervisionNoteIn,
        responses={200: SupervisionOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        return super().post(request, pk)


class EscalateView(SupervisionAction):
    action = "escalate"

    @extend_schema(
        parameters=[ID],
        summary="升级到下一级督办方式",
        request=None,
        responses={200: SupervisionOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        return super().post(request, pk)


class RecommendationList(APIView):
    @extend_schema(summary="建议（第四十条）列表", responses={200: RecommendationOut(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        actor = api_actor(request)
        return Response(
            RecommendationOut(
                offset_window(request, selectors.recommendation_list(actor=actor)), many=True
            ).data
        )

    @extend_schema(summary="提出建议", request=RecommendationIn, responses={201: RecommendationOut, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        _require(actor, Role.SUPERVISOR)
        data = _valid(RecommendationIn, request.data)
        rec = services.recommendation_issue(
            actor=actor,
            kind=data["kind"],
            body=_body(data["body"]),
            text=data["text"],
            case_numbers=data.get("cases", []),
        )
        return Response(RecommendationOut(rec).data, status=status.HTTP_201_CREATED)


class RecommendationFeedback(APIView):
    @extend_schema(
        parameters=[ID],
        summary="书面反馈采纳情况",
        request=RecommendationFeedbackIn,
        responses={200: RecommendationOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        actor = api_actor(request)
        rec = selectors.recommendation_get(actor=actor, pk=pk)
        data = _valid(RecommendationFeedbackIn, request.data)
        rec = services.recommendation_feedback(
            actor=actor, recommendation=rec, adoption=data["adoption"], feedback=data["feedback"]
        )
        return Response(RecommendationOut(rec).data)


class LeaderCaseList(APIView):
    @extend_schema(
        summary="领办台账", parameters=WINDOW_PARAMETERS, responses={200: LeaderCaseOut(many=True), **ERRORS}
    )
    def get(self, request: Request) -> Response:
        actor = api_actor(request)
        _require(actor, Role.LEADER, Role.SUPERVISOR)
        qs = selectors.leader_case_list(actor=actor).prefetch_related("steps")
        rows, headers = keyset_window(request, qs, selectors.LEADER_CASE_KEYS)
        return Response(LeaderCaseOut(rows, many=True).data, headers=headers)

    @extend_schema(summary="领导包案", request=LeaderCaseIn, responses={201: LeaderCaseOut, **ERRORS})
    def post(self, request: Request) -> Response:

        actor = api_actor(request)
        _require(actor, Role.LEADER, Role.SUPERVISOR)
        data = _valid(LeaderCaseIn, request.data)
        case = case_get_for_actor(actor=actor, number=data["case"], log_read=False)
        leader = None
        if data.get("leader"):
            leader = User.objects.filter(username=data["leader"]).first()
            if leader is None:
                raise ValidationFailed(
                    gettext("领导不存在。"), code="not_a_leader", extra={"leader": data["leader"]}
                )
        lc = services.leader_case_open(actor=actor, case=case, leader=leader, plan=data["plan"])
        return Response(LeaderCaseOut(lc).data, status=status.HTTP_201_CREATED)


class LeaderCaseStepView(APIView):
    @extend_schema(
        parameters=[ID],
        summary="记录包案环节（四包）",
        request=LeaderStepIn,
        responses={200: LeaderCaseOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        actor = api_actor(request)
        _require(actor, Role.LEADER, Role.SUPERVISOR)
        lc = selectors.leader_case_get(actor=actor, pk=pk)
        data = _valid(LeaderStepIn, request.data)
        services.leader_case_step_record(
            actor=actor, leader_case=lc, kind=data["kind"], note=data["note"], done_on=data.get("done_on")
        )
        return Response(LeaderCaseOut(selectors.leader_case_get(actor=actor, pk=pk)).data)


class BackflowList(APIView):
    @extend_schema(
        summary="倒流事项（待提级）",
        parameters=WINDOW_PARAMETERS,
        responses={200: BackflowOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = api_actor(request)
        _require(actor, Role.LEADER, Role.SUPERVISOR)
        rows, headers = keyset_window(request, selectors.backflow_list(actor=actor), selectors.BACKFLOW_KEYS)
        return Response(BackflowOut(rows, many=True).data, headers=headers)


class BackflowRaise(APIView):
    @extend_schema(
        parameters=[ID],
        summary="提级包案（五个重新）",
        request=BackflowRaiseIn,
        responses={201: LeaderCaseOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        actor = api_actor(request)
        _require(actor, Role.SUPERVISOR)
        bf = selectors.backflow_get(actor=actor, pk=pk)
        data = _valid(BackflowRaiseIn, request.data)
        leader = User.objects.filter(username=data["leader"]).first()
        if leader is None:
            raise ValidationFailed(
                gettext("领导不存在。"), code="not_a_leader", extra={"leader": data["leader"]}
            )
        lc = services.backflow_raise(
            actor=actor, backflow=bf, leader=leader, plan=data["plan"], renewals=data["renewals"]
        )
        return Response(LeaderCaseOut(lc).data, status=status.HTTP_201_CREATED)


def _progress_rows(rows, key):
    fields = ("total", "reported", "signed", "rate")
    return [{"key": str(r[key]), **{f: r[f] for f in fields}} for r in rows]


class CampaignList(APIView):
    @extend_schema(summary="积案专项行动", responses={200: CampaignOut(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        actor = api_actor(request)
        return Response(
            CampaignOut(offset_window(request, selectors.campaign_list(actor=actor)), many=True).data
        )


class CampaignDetail(APIView):
    @extend_schema(
        parameters=[ID],
        summary="专项行动清零进度（按批次、责任单位）",
        responses={200: CampaignDetailOut, **ERRORS},
    )
    def get(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        actor = api_actor(request)
        c = selectors.campaign_get(actor=actor, pk=pk)
        p = selectors.campaign_progress(campaign=c, body=actor.body)
        data = {
            **CampaignOut(c).data,
            "total": p["total"],
            "signed": p["signed"],
            "rate": p["rate"],
            "batches": _progress_rows(p["batches"], "batch__number"),
            "bodies": _progress_rows(p["bodies"], "responsible_body__name"),
        }
        return Response(data)


class CampaignBatchImport(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        parameters=[ID],
        summary="从Excel台账交办一批（全部校验通过才写入）",
        request={"multipart/form-data": CampaignBatchIn},
        responses={201: CampaignBatchOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        actor = api_actor(request)
        _require(actor, Role.LEADER, Role.SUPERVISOR)
        c = selectors.campaign_get(actor=actor, pk=pk)
        data = _valid(CampaignBatchIn, request.data)
        batch = services.campaign_import_excel(actor=actor, campaign=c, file=data["file"])
        return Response(
            {"number": batch.number, "cases": batch.items.count()}, status=status.HTTP_201_CREATED
        )


class CampaignItems(APIView):
    @extend_schema(
        parameters=[ID], summary="专项行动事项", responses={200: CampaignItemOut(many=True), **ERRORS}
    )
    def get(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        actor = api_actor(request)
        c = selectors.campaign_get(actor=actor, pk=pk)
        items = selectors.campaign_items(actor=actor, campaign=c)
        rows, headers = keyset_window(request, items, selectors.CAMPAIGN_ITEM_KEYS)
        return Response(CampaignItemOut(rows, many=True).data, headers=headers)


class CampaignItemResult(APIView):
    @extend_schema(
        parameters=[ID],
        summary="报送化解结果（责任单位）",
        request=CampaignResultIn,
        responses={200: CampaignItemOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        actor = api_actor(request)
        item = selectors.campaign_item_get(actor=actor, pk=pk)
        data = _valid(CampaignResultIn, request.data)
        item = services.campaign_result_report(actor=actor, item=item, **data)
        return Response(CampaignItemOut(selectors.campaign_item_get(actor=actor, pk=item.pk)).data)


class CampaignItemSignOff(APIView):
    @extend_schema(
        parameters=[ID],
        summary="审核销号（交办机关）",
        request=CampaignSignOffIn,
        responses={200: CampaignItemOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        pk = _pk(pk)
        actor = api_actor(request)
        _require(actor, Role.LEADER, Role.SUPERVISOR)
        item = selectors.campaign_item_get(actor=actor, pk=pk)
        data = _valid(CampaignSignOffIn, request.data)
        services.campaign_sign_off(actor=actor, item=item, approve=data["approve"], note=data.get("note", ""))
        return Response(CampaignItemOut(selectors.campaign_item_get(actor=actor, pk=pk)).data)


class FiguresView(APIView):
    @extend_schema(
        summary="督查督办统计",
        parameters=[SupervisionPeriodIn],
        responses={200: SupervisionFiguresOut, **ERRORS},
    )
    def get(self, request: Request) -> Response:

        actor = api_actor(request)
        _require(actor, Role.SUPERVISOR, Role.LEADER, Role.AGENCY_HEAD, Role.ADMINISTRATOR)
        period = _valid(SupervisionPeriodIn, request.query_params.dict())
        today = timezone.localdate()
        start = period.get("start") or today.replace(month=1, day=1)
        end = max(period.get("end") or today, start)
        f = supervision_figures(body=actor.body, start=start, end=end)
        data = {k: getattr(f, k) for k in SupervisionFiguresOut().fields if k != "by_kind"}
        data["by_kind"] = [dict(r) for r in f.by_kind]
        return Response(SupervisionFiguresOut(data).data)


urlpatterns = [
    path("supervision/supervisions/", SupervisionList.as_view(), name="supervision-list"),
    path("supervision/supervisions/<str:pk>/", SupervisionDetail.as_view(), name="supervision-detail"),
    path("supervision/supervisions/<str:pk>/reply/", ReplyView.as_view(), name="supervision-reply"),
    path("supervision/supervisions/<str:pk>/close/", CloseView.as_view(), name="supervision-close"),
    path("supervision/supervisions/<str:pk>/escalate/", EscalateView.as_view(), name="supervision-escalate"),
    path("supervision/recommendations/", RecommendationList.as_view(), name="recommendation-list"),
    path(
        "recommendations/<str:pk>/feedback/", RecommendationFeedback.as_view(), name="recommendation-feedback"
    ),
    path("supervision/leader-cases/", LeaderCaseList.as_view(), name="leader-case-list"),
    path("supervision/leader-cases/<str:pk>/steps/", LeaderCaseStepView.as_view(), name="leader-case-step"),
    path("supervision/backflows/", BackflowList.as_view(), name="backflow-list"),
    path("supervision/backflows/<str:pk>/raise/", BackflowRaise.as_view(), name="backflow-raise"),
    path("supervision/campaigns/", CampaignList.as_view(), name="campaign-list"),
    path("supervision/campaigns/<str:pk>/", CampaignDetail.as_view(), name="campaign-detail"),
    path("supervision/campaigns/<str:pk>/batches/", CampaignBatchImport.as_view(), name="campaign-batch"),
    path("supervision/campaigns/<str:pk>/items/", CampaignItems.as_view(), name="campaign-items"),
    path(
        "supervision/campaign-items/<str:pk>/result/",
        CampaignItemResult.as_view(),
        name="campaign-item-result",
    ),
    path(
        "supervision/campaign-items/<str:pk>/sign-off/",
        CampaignItemSignOff.as_view(),
        name="campaign-item-sign-off",
    ),
    path("supervision/figures/", FiguresView.as_view(), name="supervision-figures"),
]
