"""Reads over the organisation tree."""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import QuerySet

from xinfang.core.db import related
from xinfang.orgs.models import Body, BodyKind, Membership, Region, User


def body_superior(body: Body) -> Body | None:
    """The body one level up: the explicit parent (county 住建局 → city 住建局, county 信访局 → city 信访局)."""
    return related(body, "parent")  # its read compiled once (the hot path of an answer)


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


# `User.objects.get(pk=…)` as the ORM compiles it, once per database: (SQL, where the id goes among the
# parameters, the parameters, the columns' attribute names, the value converters).
_USER_BY_ID: dict[tuple[str, str], tuple[str, int, list[Any], list[str], dict]] = {}
_STAND_IN = -7_354_921_886_311  # an id no user has, where the compiled query takes the user's


def user_get_for_session(user_id: Any) -> User | None:
    """The user with this id as `User._default_manager.get(pk=user_id)` reads it (None if there is none), by a
    statement compiled once per database (the authentication backend's per-request read, issue 14)."""
    pk = User._meta.pk.to_python(user_id)
    using = router.db_for_read(User)
    connection = connections[using]
    key = (using, connection.vendor)
    compiled = _USER_BY_ID.get(key)
    if compiled is None:
        compiler = User._default_manager.filter(pk=_STAND_IN).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        places = [i for i, p in enumerate(params) if p == _STAND_IN]
        assert len(places) == 1 and not compiler.klass_info.get("related_klass_infos")
        columns = [column for column, _sql, _alias in compiler.select]
        attnames = [column.target.attname for column in columns]
        compiled = _USER_BY_ID[key] = (
            sql,
            places[0],
            list(params),
            attnames,
            compiler.get_converters(columns),
        )
    sql, at, params, attnames, converters = compiled
    params = params.copy()
    params[at] = pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchmany(2)
    if len(rows) != 1:
        return None
    row = list(rows[0])
    for position, (functions, expression) in converters.items():
        for function in functions:
            row[position] = function(row[position], expression, connection)
    return User.from_db(using, attnames, row)


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
