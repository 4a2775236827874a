"""Reads for supervision and leadership, always through the actor: lists are scoped by the acting body, and a
case shown inside one of them is shown only if `cases_visible_to(actor)` has it (检举控告 never reaches the
body it accuses)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible_exists, cases_visible_to
from xinfang.core.errors import NotFound
from xinfang.core.keyset import Key, KeysetPage, keyset_page, keyset_page_merged
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, Role
from xinfang.supervision.models import (
    Backflow,
    BackflowStatus,
    Batch,
    Campaign,
    CampaignCase,
    CampaignTally,
    FollowUp,
    LeaderCase,
    LeaderCaseStep,
    LeaderReception,
    Meeting,
    ReceptionSlot,
    Recommendation,
    Supervision,
    SupervisionStatus,
)


def _visible_cases_prefetch(actor: Actor, through: str = "cases") -> Prefetch:
    return Prefetch(through, queryset=cases_visible_to(actor).only("pk", "number", "title", "state"))


def supervision_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Supervision]:
    """The 督办 the acting body issued or received, newest first; the cases in each are the visible ones only."""
    if actor.body is None:
        return Supervision.objects.none()
    filters = filters or {}
    qs = Supervision.objects.filter(Q(issuing_body=actor.body) | Q(body=actor.body))
    if filters.get("side") == "issued":
        qs = qs.filter(issuing_body=actor.body)
    elif filters.get("side") == "received":
        qs = qs.filter(body=actor.body)
    if filters.get("status") in SupervisionStatus.values:
        qs = qs.filter(status=filters["status"])
    if filters.get("kind"):
        qs = qs.filter(kind__code=filters["kind"])
    if filters.get("late"):
        qs = qs.filter(status=SupervisionStatus.OPEN, reply_due__lt=timezone.localdate())
    return qs.select_related("kind", "body", "issuing_body", "proposed_kind").prefetch_related(
        _visible_cases_prefetch(actor)
    )


# Newest first; indexes sup_issuing_at_idx (issuing_body, issued_at) and sup_body_at_idx (body, issued_at).
SUPERVISION_KEYS = (Key("issued_at", "datetime", desc=True), Key("id", desc=True))


def supervision_page(
    *, actor: Actor, filters: dict | None = None, after: str | None, size: int
) -> KeysetPage:
    """A keyset page of `supervision_list` (issue 14). Both sides at once ("issued OR received", which no one
    index reads in order) are two index runs merged (core.keyset.keyset_page_merged). BadCursor for a cursor
    this list did not give out."""
    filters = filters or {}
    qs = supervision_list(actor=actor, filters=filters).prefetch_related(None)
    if actor.body is None or filters.get("side") in ("issued", "received"):
        page = keyset_page(qs, SUPERVISION_KEYS, after=after, size=size)
    else:
        parts = [qs.filter(issuing_body=actor.body), qs.filter(body=actor.body)]
        page = keyset_page_merged(qs, parts, SUPERVISION_KEYS, after=after, size=size)
    supervisions_visible_cases(actor=actor, rows=page.rows)
    return page


def supervisions_visible_cases(*, actor: Actor, rows: list[Supervision]) -> None:
    """The visible cases of a page of 督办, as `_visible_cases_prefetch` gives them, read by the page's case ids:
    the prefetch's own join (cases ⋈ link table WHERE supervision IN page) let PostgreSQL scan every visible
    case in primary-key order and merge (180 ms at 100k cases, growing with them: issue 14); the ids of the
    page's cases (≤ a few per 督办) make it a lookup by primary key on either database."""
    if not rows:
        return
    link = Supervision.cases.through
    ids = list(link.objects.filter(supervision_id__in=[r.pk for r in rows]).values_list("case_id", flat=True))
    visible = cases_visible_to(actor).filter(pk__in=ids).only("pk", "number", "title", "state")
    prefetch_related_objects(rows, Prefetch("cases", queryset=visible))


def supervision_get(*, actor: Actor, pk: int) -> Supervision:
    sup = (
        supervision_list(actor=actor)
        .select_related("issued_by", "replied_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if sup is None:
        raise NotFound()
    return sup


def recommendation_list(*, actor: Actor) -> QuerySet[Recommendation]:
    if actor.body is None:
        return Recommendation.objects.none()
    return (
        Recommendation.objects.filter(Q(issuing_body=actor.body) | Q(body=actor.body))
        .select_related("body", "issuing_body")
        .prefetch_related(_visible_cases_prefetch(actor))
    )


def recommendation_get(*, actor: Actor, pk: int) -> Recommendation:
    rec = recommendation_list(actor=actor).filter(pk=pk).first()
    if rec is None:
        raise NotFound()
    return rec


def _visible_ids(actor: Actor) -> QuerySet:
    return cases_visible_to(actor).values("pk")


def leader_case_list(*, actor: Actor, mine: bool = False) -> QuerySet[LeaderCase]:
    """领办台账: a leader's own cases; a supervisor's view: the cases held by leaders in the body's region. Only
    cases the actor may see."""
    if actor.body is None or actor.user is None:
        return LeaderCase.objects.none()
    if mine or not actor.has_role(Role.SUPERVISOR):
        qs = LeaderCase.objects.filter(leader=actor.user)
    else:
        # the region's bodies as an uncorrelated list, no join: the list reads (status, opened_at) in order
        qs = LeaderCase.objects.filter(
            leader_body_id__in=Body.objects.filter(region__path__startswith=actor.body.region.path).values(
                "pk"
            )
        )
    done = (
        LeaderCaseStep.objects.filter(leader_case=OuterRef("pk"), done_on__isnull=False)
        .order_by()
        .values("leader_case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        qs.filter(case_visible_exists(actor))
        .select_related("case", "leader", "leader_body")
        # per row shown, not a GROUP BY over every case of the region (issue 14)
        .annotate(steps_done=Coalesce(Subquery(done), 0))
        .order_by("status", "-opened_at", "-pk")
    )


# indexes leadercase_status_at_idx (status, opened_at) and leadercase_leader_idx (leader, status, opened_at)
LEADER_CASE_KEYS = (Key("status", "str"), Key("opened_at", "datetime", desc=True), Key("id", desc=True))


def leader_case_get(*, actor: Actor, pk: int) -> LeaderCase:
    lc = leader_case_list(actor=actor).filter(pk=pk).first()
    if lc is None and actor.user is not None:
        lc = leader_case_list(actor=actor, mine=True).filter(pk=pk).first()
    if lc is None:
        raise NotFound()
    return lc


BACKFLOW_KEYS = (Key("detected_at", "datetime", desc=True), Key("id", desc=True))


def backflow_list(*, actor: Actor, status: str | None = BackflowStatus.FLAGGED) -> QuerySet[Backflow]:
    if actor.body is None:
        return Backflow.objects.none()
    qs = Backflow.objects.filter(case_id__in=_visible_ids(actor)).select_related("case", "earlier")
    if status:
        qs = qs.filter(status=status)
    return qs


def backflow_get(*, actor: Actor, pk: int) -> Backflow:
    bf = backflow_list(actor=actor, status=None).filter(pk=pk).first()
    if bf is None:
        raise NotFound()
    return bf


def campaign_list(*, actor: Actor) -> QuerySet[Campaign]:
    """Campaigns the body runs or has cases in."""
    if actor.body is None:
        return Campaign.objects.none()
    ids = CampaignCase.objects.filter(responsible_body=actor.body).values("campaign_id")
    return (
        Campaign.objects.filter(Q(issuing_body=actor.body) | Q(pk__in=ids))
        .select_related("issuing_body")
        .order_by("-started_on", "-pk")
    )


def campaign_get(*, actor: Actor, pk: int) -> Campaign:
    c = campaign_list(actor=actor).filter(pk=pk).first()
    if c is None:
        raise NotFound()
    return c


def campaign_items(
    *, actor: Actor, campaign: Campaign, filters: dict | None = None
) -> QuerySet[CampaignCase]:
    """The campaign's cases the actor may see: all of them for the issuing body, its own for a responsible body."""
    filters = filters or {}
    qs = CampaignCase.objects.filter(campaign=campaign)
    if campaign.issuing_body_id != actor.body.pk:
        qs = qs.filter(responsible_body=actor.body)
    qs = qs.filter(case_visible_exists(actor))
    if filters.get("batch"):
        qs = qs.filter(
            batch_id__in=Batch.objects.filter(campaign=campaign, number=filters["batch"]).values("pk")
        )
    if filters.get("body"):
        qs = qs.filter(responsible_body_id=filters["body"])
    state = filters.get("state")
    if state == "open":
        qs = qs.filter(result="")
    elif state == "reported":
        qs = qs.filter(~Q(result=""), signed_off_at__isnull=True)
    elif state == "signed":
        qs = qs.filter(signed_off_at__isnull=False)
    # batch ids grow with the batch number within a campaign: (batch, id) is the batches' order, and keyset
    # keys CAMPAIGN_ITEM_KEYS on indexes campaigncase_batch_idx / campaigncase_body_batch_idx (issue 14)
    return qs.select_related("case", "responsible_body", "batch").order_by("batch_id", "pk")


CAMPAIGN_ITEM_KEYS = (Key("batch_id"), Key("id"))


def campaign_item_get(*, actor: Actor, pk: int) -> CampaignCase:
    item = (
        CampaignCase.objects.select_related("campaign", "case", "responsible_body", "batch")
        .filter(pk=pk)
        .first()
    )
    if item is None or actor.body is None:
        raise NotFound()
    if item.campaign.issuing_body_id != actor.body.pk and item.responsible_body_id != actor.body.pk:
        raise NotFound()
    if not cases_visible_to(actor).filter(pk=item.case_id).exists():
        raise NotFound()
    return item


def campaign_progress(*, campaign: Campaign, body=None) -> dict:
    """清零 progress per batch and per responsible body (counts only: no case content), from the campaign's
    tally (CampaignTally, kept by triggers: a few rows per campaign, not a GROUP BY over its items — issue 14).
    Two queries."""

    base = CampaignTally.objects.filter(campaign=campaign, total__gt=0)
    if body is not None and campaign.issuing_body_id != body.pk:
        base = base.filter(responsible_body=body)
    agg = {"total": Sum("total"), "reported": Sum("reported"), "signed": Sum("signed")}
    # rows of values(): plain dicts that get a "rate" below (the stubs type them as closed TypedDicts)
    batches: list[Any] = list(base.values("batch__number").annotate(**agg).order_by("batch__number"))
    bodies: list[Any] = list(
        base.values("responsible_body_id", "responsible_body__name")
        .annotate(**agg)
        .order_by("responsible_body__name")
    )
    for row in batches + bodies:
        row["rate"] = round(100 * row["signed"] / row["total"], 1) if row["total"] else 0.0
    total = sum(r["total"] for r in batches)
    signed = sum(r["signed"] for r in batches)
    reported = sum(r["reported"] for r in batches)
    return {
        "batches": batches,
        "bodies": bodies,
        "total": total,
        "signed": signed,
        "reported": reported,
        "rate": round(100 * signed / total, 1) if total else 0.0,
    }


def campaigns_totals(*, campaigns: list[Campaign], body) -> dict[int, dict]:
    """The campaigns list's figures (items, signed off, rate) for many campaigns in one grouped query over their
    tallies — as `campaign_progress` counts them: every item for the issuing body, its own for a responsible
    body."""
    ids = [c.pk for c in campaigns]
    rows = (
        CampaignTally.objects.filter(campaign_id__in=ids)
        .filter(Q(campaign__issuing_body=body) | Q(responsible_body=body))
        .values("campaign_id")
        .annotate(total=Sum("total"), signed=Sum("signed"))
        .order_by()
    )
    out = {pk: {"total": 0, "signed": 0, "rate": 0.0} for pk in ids}
    for row in rows:
        total, signed = row["total"], row["signed"]
        out[row["campaign_id"]] = {
            "total": total,
            "signed": signed,
            "rate": round(100 * signed / total, 1) if total else 0.0,
        }
    return out


def reception_list(*, actor: Actor, upcoming_only: bool = False) -> QuerySet[LeaderReception]:
    if actor.body is None:
        return LeaderReception.objects.none()
    qs = LeaderReception.objects.filter(
        Q(leader=actor.user) | Q(leader_body__region__path__startswith=actor.body.region.path)
    )
    if upcoming_only:
        qs = qs.filter(date__gte=timezone.localdate())
    return (
        qs.select_related("leader", "leader_body")
        .annotate(
            slots_total=Count("slots", distinct=True),
            slots_booked=Count("slots", filter=Q(slots__booked_at__isnull=False), distinct=True),
            cases_received=Count("received", distinct=True),
        )
        .order_by("date", "pk")
    )


def reception_get(*, actor: Actor, pk: int) -> LeaderReception:
    r = reception_list(actor=actor).filter(pk=pk).first()
    if r is None:
        raise NotFound()
    return r


def reception_received_cases(*, actor: Actor, reception: LeaderReception) -> QuerySet[Case]:
    return (
        cases_visible_to(actor)
        .filter(pk__in=reception.received.values("case_id"))
        .only("pk", "number", "title", "state")
    )


def reception_public_list(*, today: date | None = None) -> QuerySet[LeaderReception]:
    """The portal's published reception days from today, with their free slots: no personal data."""
    today = today or timezone.localdate()
    return (
        LeaderReception.objects.filter(published=True, date__gte=today)
        .select_related("leader", "leader_body")
        .prefetch_related(Prefetch("slots", queryset=ReceptionSlot.objects.filter(booked_at__isnull=True)))
        .order_by("date", "pk")
    )


def meeting_list(*, actor: Actor) -> QuerySet[Meeting]:
    if actor.body is None:
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(body=actor.body)
        .annotate(
            cases_count=Count("discussed", distinct=True),
            followups_open=Count("followups", filter=Q(followups__done_at__isnull=True), distinct=True),
        )
        .order_by("-held_on", "-pk")
    )


def meeting_get(*, actor: Actor, pk: int) -> Meeting:
    m = (
        Meeting.objects.filter(pk=pk)
        .filter(Q(body=actor.body) | Q(followups__owner_body=actor.body))
        .distinct()
        .first()
    )
    if m is None:
        raise NotFound()
    return m


def meeting_cases(*, actor: Actor, meeting: Meeting):
    visible = set(
        cases_visible_to(actor)
        .filter(pk__in=meeting.discussed.values("case_id"))
        .values_list("pk", flat=True)
    )
    return [mc for mc in meeting.discussed.select_related("case") if mc.case_id in visible]


def followups_for(*, actor: Actor, open_only: bool = True) -> QuerySet[FollowUp]:
    """The 调度会 follow-ups this body owes (its to-dos)."""
    if actor.body is None:
        return FollowUp.objects.none()
    qs = FollowUp.objects.filter(owner_body=actor.body).filter(
        Q(case__isnull=True) | Q(case_id__in=_visible_ids(actor))
    )
    if open_only:
        qs = qs.filter(done_at__isnull=True)
    return qs.select_related("meeting", "case", "owner").order_by("due_on", "pk")
