"""Reads for the quality review (docs/quality.md). Plans, items and reviews are the acting committee's own
(its body); 整改 are the acting body's — received or issued. The cases inside are read through
`cases_visible_to`, so an item whose case the actor may not see is not listed."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from xinfang.cases.selectors import case_visible_exists, cases_visible_to
from xinfang.core.errors import NotFound
from xinfang.core.keyset import Key
from xinfang.evaluation.models import (
    CriteriaSet,
    CriterionScore,
    ItemStatus,
    Rectification,
    RectificationStatus,
    Review,
    ReviewFlag,
    ReviewPlan,
    SampleItem,
)
from xinfang.orgs.acting import Actor


def plan_list(*, actor: Actor) -> QuerySet[ReviewPlan]:
    return (
        ReviewPlan.objects.filter(owner_body=actor.body)
        .select_related("owner_body", "body", "criteria_set")
        .annotate(
            n_items=Count("items", distinct=True),
            n_reviewed=Count("items", filter=Q(items__status=ItemStatus.REVIEWED), distinct=True),
            n_failed=Count("items", filter=Q(items__review__result="fail"), distinct=True),
        )
        .order_by("-period_start", "-pk")
    )


def plan_get(*, actor: Actor, pk: int) -> ReviewPlan:
    plan = (
        ReviewPlan.objects.filter(owner_body=actor.body, pk=pk)
        .select_related("body", "criteria_set", "owner_body", "created_by")
        .first()
    )
    if plan is None:
        raise NotFound()
    return plan


SAMPLE_ITEM_KEYS = (Key("id"),)  # the order drawn; index sampleitem_plan_id_idx (plan, id)


def sample_items(*, actor: Actor, plan: ReviewPlan, filters: dict | None = None) -> QuerySet[SampleItem]:
    """The plan's items whose case the actor may see, with filters: status, rule, result, body."""
    filters = filters or {}
    qs = SampleItem.objects.filter(plan=plan).filter(case_visible_exists(actor))  # per row, stops at the page
    if filters.get("status") in ItemStatus.values:
        qs = qs.filter(status=filters["status"])
    if filters.get("rule"):
        # JSON containment differs per database; the rules are short lists of fixed words.
        qs = qs.filter(rules__icontains=f'"{filters["rule"]}"')
    if filters.get("result"):
        qs = qs.filter(review__result=filters["result"])
    if str(filters.get("body") or "").isdigit():
        qs = qs.filter(body_id=int(filters["body"]))
    return qs.select_related("case", "body", "review").order_by("pk")


def item_get(*, actor: Actor, pk: int) -> SampleItem:
    item = (
        SampleItem.objects.filter(pk=pk, plan__owner_body=actor.body)
        .select_related("plan", "plan__criteria_set", "body", "case")
        .first()
    )
    if item is None or not cases_visible_to(actor).filter(pk=item.case_id).exists():
        raise NotFound()
    return item


def review_get(*, actor: Actor, pk: int) -> Review:
    """A review, for its committee or for the body it reviewed (which sees it through its 整改)."""
    review = (
        Review.objects.filter(pk=pk)
        .filter(Q(reviewer_body=actor.body) | Q(item__body=actor.body))
        .select_related(
            "case", "criteria_set", "reviewer", "reviewer_body", "item", "item__body", "item__plan"
        )
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=CriterionScore.objects.select_related("criterion").order_by("criterion__ordinal"),
            )
        )
        .first()
    )
    if review is None or not cases_visible_to(actor).filter(pk=review.case_id).exists():
        raise NotFound()
    return review


def rectification_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Rectification]:
    """side=received (the body's own 整改, the default) or issued (those the committee sent); status; late."""
    filters = filters or {}
    if filters.get("side") == "issued":
        qs = Rectification.objects.filter(issuing_body=actor.body)
    else:
        qs = Rectification.objects.filter(body=actor.body)
    if filters.get("status") in RectificationStatus.values:
        qs = qs.filter(status=filters["status"])
    if filters.get("late") and filters.get("today"):
        qs = qs.filter(status=RectificationStatus.OPEN, due_on__lt=filters["today"])
    return qs.select_related("case", "body", "issuing_body", "review").order_by("status", "due_on", "pk")


def rectification_get(*, actor: Actor, pk: int) -> Rectification:
    rect = (
        Rectification.objects.filter(pk=pk)
        .filter(Q(body=actor.body) | Q(issuing_body=actor.body))
        .select_related(
            "case", "body", "issuing_body", "review", "review__reviewer", "issued_by", "supervision"
        )
        .prefetch_related("steps__by")
        .first()
    )
    if rect is None:
        raise NotFound()
    return rect


def rectifications_open_count(*, actor: Actor, today: date) -> tuple[int, int]:
    """(open or sent back, of which overdue) for the acting body: the home panel's figures."""
    qs = Rectification.objects.filter(body=actor.body, status=RectificationStatus.OPEN)
    return qs.count(), qs.filter(due_on__lt=today).count()


def criteria_versions(*, key: str | None = None) -> QuerySet[CriteriaSet]:
    qs = CriteriaSet.objects.all()
    if key:
        qs = qs.filter(key=key)
    return (
        qs.select_related("created_by")
        .annotate(n_criteria=Count("criteria", distinct=True), n_reviews=Count("reviews", distinct=True))
        .order_by("key", "-version")
    )


def criteria_set_get(*, pk: int) -> CriteriaSet:
    found = CriteriaSet.objects.filter(pk=pk).prefetch_related("criteria").first()
    if found is None:
        raise NotFound()
    return found


def flags_open(*, actor: Actor) -> QuerySet[ReviewFlag]:
    """Flags not yet taken into a plan, on cases the actor may see."""
    return (
        ReviewFlag.objects.filter(plan__isnull=True)
        .filter(case_visible_exists(actor))  # per row: no list of every visible case first
        .select_related("case", "body", "flagged_by")
        .order_by("-created_at", "-pk")
    )
