"""Reads of referrals, always through the actor.

Two sides see a referral: the receiving organisation (its mediators, clerks and liaison officers act for the
organisation's own body, with Role.MEDIATOR) and the body that referred it. An organisation sees only what was
referred to it — the referral's summary, parties, sessions and outcome, never the case file: it is not one of
the case's bodies, so nothing here hands it a case. Anyone else gets NotFound (404), whether it exists or not.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xinfang.core.errors import NotFound
from xinfang.core.keyset import Key
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, Region, Role
from xinfang.resolution.models import OPEN_STATUSES, Organisation, Referral
from xinfang.resolution.rules import KIND_RULES

ORGANISATION = "organisation"
REFERRER = "referrer"
REFERRER_ROLES = (Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD, Role.LEADER, Role.SUPERVISOR)


def organisation_of(actor: Actor) -> Organisation | None:
    """The organisation the actor works for (its body), if the actor is one of its mediators/clerks."""
    if actor.body is None or not actor.has_role(Role.MEDIATOR):
        return None
    return Organisation.objects.filter(body=actor.body).first()


def side_of(actor: Actor) -> str | None:
    if organisation_of(actor) is not None:
        return ORGANISATION
    if actor.body is not None and actor.has_role(*REFERRER_ROLES):
        return REFERRER
    return None


def _visible_q(actor: Actor) -> Q:
    q = Q(pk__in=[])
    if actor.body is None:
        return q
    if actor.has_role(Role.MEDIATOR):
        q |= Q(organisation__body=actor.body)
    if actor.has_role(*REFERRER_ROLES):
        q |= Q(referring_body=actor.body)
    return q


def referrals_visible(*, actor: Actor) -> QuerySet[Referral]:
    return Referral.objects.filter(_visible_q(actor))


# Newest first (keyset keys, core/keyset.py, issue 14) on the referred_on index.
REFERRAL_KEYS = (Key("referred_on", "date", desc=True), Key("id", desc=True))


def referral_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Referral]:
    """The actor's queue (organisation) or the referrals its body sent, newest first.

    filters: status ("open" or a Status value), kind, outcome, organisation (pk), month ("YYYY-MM", by the
    outcome date for closed outcomes, else the referral date), q (number or party name)."""
    filters = filters or {}
    qs = referrals_visible(actor=actor).select_related("organisation", "referring_body")
    status = filters.get("status")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if filters.get("kind") in KIND_RULES:
        qs = qs.filter(kind=filters["kind"])
    if filters.get("outcome"):
        qs = qs.filter(outcome=filters["outcome"])
    if str(filters.get("organisation") or "").isdigit():
        qs = qs.filter(organisation_id=int(filters["organisation"]))
    term = (filters.get("q") or "").strip()
    if term:
        qs = qs.filter(Q(number__icontains=term) | Q(parties__name__icontains=term)).distinct()
    return qs.prefetch_related("parties").order_by("-referred_on", "-id")


def referral_get_for_actor(*, actor: Actor, pk: int) -> tuple[Referral, str]:
    """One referral and the side the actor sees it from, or NotFound."""
    referral = (
        referrals_visible(actor=actor)
        .select_related("organisation", "referring_body", "referred_by", "case", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise NotFound()
    side = (
        ORGANISATION
        if actor.has_role(Role.MEDIATOR) and referral.organisation.body_id == actor.body.pk
        else REFERRER
    )
    return referral, side


def organisations_for(*, body: Body, kind: str | None = None) -> QuerySet[Organisation]:
    """The directory an officer picks from: organisations serving the body's region, the regions above it
    (a city arbitration commission serves its counties) and below it (a township's mediation committee)."""
    region = body.region
    ancestors = [c for c in region.path.strip("/").split("/") if c]
    qs = Organisation.objects.filter(is_active=True).filter(
        Q(region__code__in=ancestors) | Q(region__path__startswith=region.path)
    )
    if kind in KIND_RULES:
        qs = qs.filter(kind__in=KIND_RULES[kind].organisations)
    return qs.select_related("region").order_by("kind", "region__code", "name")


def regions_with_organisations() -> QuerySet[Region]:
    return Region.objects.filter(dispute_organisations__isnull=False).distinct()
