"""Reads over the organisation tree."""

from __future__ import annotations

from django.db.models import QuerySet

from xinfang.orgs.models import Body, BodyKind, Membership, Region, User


def body_superior(body: Body) -> Body | None:
    """The body one level up: the explicit parent (county 住建局 → city 住建局, county 信访局 → city 信访局)."""
    return body.parent


def bodies_under(body: Body, *, include_self: bool = True) -> QuerySet[Body]:
    """All bodies under X. A 信访部门 or a government oversees every body in its region's subtree; any other
    body oversees its own subtree of the body tree."""
    if body.kind in (BodyKind.XINFANG, BodyKind.GOVERNMENT):
        qs = Body.objects.filter(region__path__startswith=body.region.path)
    else:
        qs = Body.objects.filter(path__startswith=body.path)
    if not include_self:
        qs = qs.exclude(pk=body.pk)
    return qs


def body_of_kind_for_region(
    *, region: Region, kind: str | None = None, sector: str | None = None
) -> Body | None:
    """The body of a kind (and/or line of work) serving a region: searched from the region upwards (a township
    has no 纪委, its county's serves it)."""
    current: Region | None = region
    while current is not None:
        qs = Body.objects.filter(region=current, is_active=True)
        if kind:
            qs = qs.filter(kind=kind)
        if sector:
            qs = qs.filter(sector=sector)
        found = qs.order_by("code").first()
        if found:
            return found
        current = current.parent
    return None


def memberships_for(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, body__is_active=True).select_related("body", "body__region")


def bodies_common_superior(bodies: list[Body]) -> Body | None:
    """Art. 24 ¶1: the common level above several bodies — for departments of one region, that region's
    people's government (the level that directs them all); for bodies of several regions, the government
    of the nearest region above them all. None when there is none (then the joint meeting coordinates)."""
    bodies = [b for b in bodies if b is not None]
    if not bodies:
        return None
    paths = [b.region.path for b in bodies]
    common = paths[0]
    for p in paths[1:]:
        while not p.startswith(common):
            common = common.rstrip("/").rsplit("/", 1)[0] + "/"
            if common == "/":
                return None
    region = Region.objects.filter(path=common).first()
    if region is None:
        return None
    government = body_of_kind_for_region(region=region, kind=BodyKind.GOVERNMENT)
    if government is not None and any(b.pk == government.pk for b in bodies):
        return body_superior(government)
    return government
