"""REST endpoints of the quality review, under /api/v1/quality/ (listed in xinfang/api/urls.py; docs/quality.md).
Thin: the role first (a refused caller learns nothing: 404), then the input, then one service or selector; errors
are the ApplicationError family, mapped by xinfang.api.errors with their stable codes (own_body_case,
criteria_incomplete, invalid_evidence, plan_already_drawn, already_reviewed, rectification_not_open, …)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.api.acting import api_actor
from xinfang.api.common import ERRORS
from xinfang.api.common import path_id as _pk
from xinfang.api.common import require_role as _require
from xinfang.api.common import validated as _valid
from xinfang.core.errors import ValidationFailed
from xinfang.evaluation import quality_selectors as sel
from xinfang.evaluation import quality_services as svc
from xinfang.evaluation.models import (
    CriterionGroup,
    ItemStatus,
    PlanStatus,
    RectificationStatus,
    ReviewResult,
    SampleRule,
    ScoreLevel,
)
from xinfang.orgs.models import Body, Role

PAGE_MAX = 200
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


def _page(request: Request, qs):
    try:
        offset = max(int(request.query_params.get("offset", 0)), 0)
    except ValueError:
        offset = 0
    return qs[offset : offset + PAGE_MAX]


# ------------------------------------------------------------------------------------------ serializers


class CriterionOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    group = serializers.ChoiceField(choices=CriterionGroup.choices)
    ordinal = serializers.IntegerField()
    text = serializers.CharField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    is_custom = serializers.BooleanField()


class CriteriaSetOut(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    change_note = serializers.CharField()
    criteria = CriterionOut(many=True, source="criteria.all")


class PlanOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    owner_body = serializers.CharField(source="owner_body.code")
    body = serializers.CharField(source="body.code")
    include_subordinates = serializers.BooleanField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    all_cases = serializers.BooleanField()
    sample_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    include_unsatisfied = serializers.BooleanField()
    include_returned = serializers.BooleanField()
    include_flagged = serializers.BooleanField()
    seed = serializers.IntegerField()
    criteria_set = serializers.IntegerField(source="criteria_set_id")
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    population = serializers.IntegerField()
    drawn_at = serializers.DateTimeField(allow_null=True)


class PlanIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    body = serializers.CharField(max_length=40, help_text="被评价单位的机构编码")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    sample_percent = serializers.DecimalField(max_digits=5, decimal_places=2, default=10)
    all_cases = serializers.BooleanField(default=False)
    include_unsatisfied = serializers.BooleanField(default=True)
    include_returned = serializers.BooleanField(default=True)
    include_flagged = serializers.BooleanField(default=True)
    include_subordinates = serializers.BooleanField(default=True)
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**53 - 1)


class ItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    body = serializers.CharField(source="body.code")
    rules = serializers.ListField(child=serializers.ChoiceField(choices=SampleRule.choices))
    status = serializers.ChoiceField(choices=ItemStatus.choices)
    review = serializers.SerializerMethodField()

    def get_review(self, obj) -> int | None:
        review = getattr(obj, "review", None)
        return review.pk if review else None


class EvidenceOut(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    label = serializers.CharField()


class ScoreOut(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    level = serializers.ChoiceField(choices=ScoreLevel.choices)
    note = serializers.CharField()
    evidence = EvidenceOut(many=True)


class ReviewOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    plan = serializers.IntegerField(source="item.plan_id")
    body = serializers.CharField(source="item.body.code")
    criteria_set = serializers.IntegerField(source="criteria_set_id")
    criteria_set_version = serializers.IntegerField(source="criteria_set.version")
    reviewer_body = serializers.CharField(source="reviewer_body.code")
    result = serializers.ChoiceField(choices=ReviewResult.choices)
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    summary = serializers.CharField()
    procedural = serializers.ListField(child=serializers.DictField())
    scores = ScoreOut(many=True, source="scores.all")
    reviewed_at = serializers.DateTimeField()
    rectification = serializers.SerializerMethodField()

    def get_rectification(self, obj) -> int | None:
        rect = getattr(obj, "rectification", None)
        return rect.pk if rect else None


class ScoreIn(serializers.Serializer):
    criterion = serializers.IntegerField(help_text="评价标准 id（计划所用版本中的）")
    level = serializers.ChoiceField(choices=ScoreLevel.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    evidence = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text='本事项的记录："event:123"、"notice:4"、"attachment:5"、"document:6"',
    )


class ReviewIn(serializers.Serializer):
    result = serializers.ChoiceField(choices=ReviewResult.choices)
    summary = serializers.CharField(max_length=2000)
    scores = ScoreIn(many=True)
    requirement = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class StepOut(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    body = serializers.CharField(source="body.code")
    at = serializers.DateTimeField()


class RectificationOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    review = serializers.IntegerField(source="review_id")
    body = serializers.CharField(source="body.code")
    issuing_body = serializers.CharField(source="issuing_body.code")
    requirement = serializers.CharField()
    issued_on = serializers.DateField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=RectificationStatus.choices)
    report = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_on_time = serializers.BooleanField(allow_null=True)
    send_backs = serializers.IntegerField()
    done_at = serializers.DateTimeField(allow_null=True)
    steps = StepOut(many=True, source="steps.all")


class ReportIn(serializers.Serializer):
    report = serializers.CharField(max_length=2000)


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


# ---------------------------------------------------------------------------------------------- views


class CriteriaCurrent(APIView):
    @extend_schema(summary="现行评价标准集（三到位一处理）", responses={200: CriteriaSetOut, **ERRORS})
    def get(self, request: Request) -> Response:
        api_actor(request)
        return Response(CriteriaSetOut(svc.criteria_set_current()).data)


class PlanList(APIView):
    @extend_schema(summary="本机关的质效评价计划", responses={200: PlanOut(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        actor = api_actor(request)
        _require(actor, Role.EVALUATOR)
        return Response(PlanOut(_page(request, sel.plan_list(actor=actor)), many=True).data)

    @extend_schema(summary="制定评价计划", request=PlanIn, responses={201: PlanOut, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        _require(actor, Role.EVALUATOR)
        data = _valid(PlanIn, request.data)
        body = Body.objects.select_related("region").filter(code=data["body"]).first()
        if body is None:
            raise ValidationFailed(
                gettext("单位代码不存在。"), code="unknown_body", extra={"body": data["body"]}
            )
        plan = svc.review_plan_create(
            actor=actor,
            name=data["name"],
            body=body,
            period_start=data["period_start"],
            period_end=data["period_end"],
            sample_percent=data["sample_percent"],
            all_cases=data["all_cases"],
            include_unsatisfied=data["include_unsatisfied"],
            include_returned=data["include_returned"],
            include_flagged=data["include_flagged"],
            include_subordinates=data["include_subordinates"],
            seed=data.get("seed"),
        )
        return Response(PlanOut(sel.plan_get(actor=actor, pk=plan.pk)).data, status=status.HTTP_201_CREATED)


class PlanDetail(APIView):
    @extend_schema(parameters=[ID], summary="评价计划详情", responses={200: PlanOut, **ERRORS})
    def get(self, request: Request, pk: str) -> Response:
        actor = api_actor(request)
        _require(actor, Role.EVALUATOR)
        return Response(PlanOut(sel.plan_get(actor=actor, pk=_pk(pk))).data)


class PlanDraw(APIView):
    @extend_schema(
        parameters=[ID], summary="按计划抽取事项（一次）", request=None, responses={200: PlanOut, **ERRORS}
    )
    def post(self, request: Request, pk: str) -> Response:
        actor = api_actor(request)
        _require(actor, Role.EVALUATOR)
        plan = sel.plan_get(actor=actor, pk=_pk(pk))
        svc.review_plan_draw(actor=actor, plan=plan)
        return Response(PlanOut(sel.plan_get(actor=actor, pk=plan.pk)).data)


class PlanItems(APIView):
    @extend_schema(
        parameters=[
            ID,
            OpenApiParameter("status", str, enum=ItemStatus.values),
            OpenApiParameter("rule", str, enum=SampleRule.values),
            OpenApiParameter("result", str, enum=ReviewResult.values),
        ],
        summary="计划的抽取事项及抽取依据",
        responses={200: ItemOut(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: str) -> Response:
        actor = api_actor(request)
        _require(actor, Role.EVALUATOR)
        plan = sel.plan_get(actor=actor, pk=_pk(pk))
        filters = {k: request.query_params.get(k, "") for k in ("status", "rule", "result", "body")}
        items = sel.sample_items(actor=actor, plan=plan, filters=filters)
        return Response(ItemOut(_page(request, items), many=True).data)


class ItemReview(APIView):
    @extend_schema(
        parameters=[ID],
        summary="评价一件抽取事项（不合格则交办整改）",
        request=ReviewIn,
        responses={201: ReviewOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        actor = api_actor(request)
        _require(actor, Role.EVALUATOR)
        item = sel.item_get(actor=actor, pk=_pk(pk))
        data = _valid(ReviewIn, request.data)
        scores = {s["criterion"]: s for s in data["scores"]}
        review = svc.review_submit(
            actor=actor,
            item=item,
            result=data["result"],
            summary=data["summary"],
            scores=scores,
            requirement=data["requirement"],
            due_on=data["due_on"],
        )
        return Response(
            ReviewOut(sel.review_get(actor=actor, pk=review.pk)).data, status=status.HTTP_201_CREATED
        )


class ReviewDetail(APIView):
    @extend_schema(
        parameters=[ID], summary="质效评价详情（评价机关或被评价单位）", responses={200: ReviewOut, **ERRORS}
    )
    def get(self, request: Request, pk: str) -> Response:
        actor = api_actor(request)
        return Response(ReviewOut(sel.review_get(actor=actor, pk=_pk(pk))).data)


class RectificationList(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("side", str, enum=["received", "issued"]),
            OpenApiParameter("status", str, enum=RectificationStatus.values),
        ],
        summary="整改（本单位须整改的，或本机关交办的）",
        responses={200: RectificationOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = api_actor(request)
        filters = {k: request.query_params.get(k, "") for k in ("side", "status")}
        qs = sel.rectification_list(actor=actor, filters=filters).prefetch_related("steps__body")
        return Response(RectificationOut(_page(request, qs), many=True).data)


class RectificationDetail(APIView):
    @extend_schema(parameters=[ID], summary="整改详情", responses={200: RectificationOut, **ERRORS})
    def get(self, request: Request, pk: str) -> Response:
        actor = api_actor(request)
        return Response(RectificationOut(sel.rectification_get(actor=actor, pk=_pk(pk))).data)


class RectificationSubmit(APIView):
    @extend_schema(
        parameters=[ID],
        summary="整改单位报送整改情况",
        request=ReportIn,
        responses={200: RectificationOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        actor = api_actor(request)
        rect = sel.rectification_get(actor=actor, pk=_pk(pk))
        svc.rectification_submit(
            actor=actor, rectification=rect, report=_valid(ReportIn, request.data)["report"]
        )
        return Response(RectificationOut(sel.rectification_get(actor=actor, pk=rect.pk)).data)


class RectificationAnswer(APIView):
    action = "accept"

    @extend_schema(
        parameters=[ID],
        summary="评价机关验收或退回整改",
        request=NoteIn,
        responses={200: RectificationOut, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        actor = api_actor(request)
        _require(actor, Role.EVALUATOR)
        rect = sel.rectification_get(actor=actor, pk=_pk(pk))
        data = _valid(NoteIn, request.data)
        if self.action == "accept":
            svc.rectification_accept(actor=actor, rectification=rect, note=data["note"])
        else:
            svc.rectification_send_back(
                actor=actor, rectification=rect, note=data["note"], due_on=data["due_on"]
            )
        return Response(RectificationOut(sel.rectification_get(actor=actor, pk=rect.pk)).data)


class RectificationAccept(RectificationAnswer):
    action = "accept"


class RectificationSendBack(RectificationAnswer):
    action = "send_back"


urlpatterns = [
    path("quality/criteria/", CriteriaCurrent.as_view(), name="quality-criteria"),
    path("quality/plans/", PlanList.as_view(), name="quality-plan-list"),
    path("quality/plans/<str:pk>/", PlanDetail.as_view(), name="quality-plan-detail"),
    path("quality/plans/<str:pk>/draw/", PlanDraw.as_view(), name="quality-plan-draw"),
    path("quality/plans/<str:pk>/items/", PlanItems.as_view(), name="quality-plan-items"),
    path("quality/items/<str:pk>/review/", ItemReview.as_view(), name="quality-item-review"),
    path("quality/reviews/<str:pk>/", ReviewDetail.as_view(), name="quality-review-detail"),
    path("quality/rectifications/", RectificationList.as_view(), name="quality-rectification-list"),
    path(
        "quality/rectifications/<str:pk>/", RectificationDetail.as_view(), name="quality-rectification-detail"
    ),
    path(
        "quality/rectifications/<str:pk>/submit/",
        RectificationSubmit.as_view(),
        name="quality-rectification-submit",
    ),
    path(
        "quality/rectifications/<str:pk>/accept/",
        RectificationAccept.as_view(),
        name="quality-rectification-accept",
    ),
    path(
        "quality/rectifications/<str:pk>/send-back/",
        RectificationSendBack.as_view(),
        name="quality-rectification-send-back",
    ),
]
