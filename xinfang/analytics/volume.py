"""Counts of cases by field (条例 Art. 41): the dashboard's volume charts, totals, 越级 share and the bodies
most complained about, and the annual report's tables — read from CaseTally (analytics.models), never from
the case rows, so their cost depends on the number of bodies, months and values, not on the number of cases.

The scope is the figures' own (`figures.cases_in_scope`): cases registered in the period that a body in scope
registered or handles, never a 检举控告 about the reading body or a body above it (Art. 30, 46). A tally row
carries the registering, handling and accused body, so the same three conditions are applied to tally rows
and every case is counted exactly once per measure. `figures.counts_by`, `complained_about` and
`dashboard.volume_and_totals` are the same counts over the case rows; the tests compare the two.

Periods are whole local months (the tally's unit): a year, or any run of months.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import OuterRef, Q, Subquery, Sum, Value

from xinfang.analytics.figures import Period
from xinfang.analytics.models import CaseTally
from xinfang.cases.models import Case, Category, Channel
from xinfang.orgs.models import Body, Region
from xinfang.orgs.selectors import bodies_under

UNSET = "未填写"  # what the counts over the case rows show for a NULL (figures.counts_by)


def _months(period: Period) -> list[date]:
    if period.start.day != 1 or (period.end + timedelta(days=1)).day != 1:
        raise ValueError(f"CaseTally counts whole months: {period}")
    out, m = [], period.start
    while m <= period.end:
        out.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def _accused(viewer: Body):
    """The bodies whose 检举控告 the viewer never counts: itself and the bodies above it in its line (the
    same subquery as cases.confidentiality.confidential_exclusion_q)."""
    ancestors = [p for p in viewer.path.strip("/").split("/") if p]
    return Body.objects.filter(code__in=ancestors).values("pk")


def _rows(*, viewer: Body, period: Period, ids: Iterable[int]):
    ids = list(ids)
    months = _months(period)
    return (
        CaseTally.objects.filter(month__gte=months[0], month__lte=months[-1])
        .filter(Q(registering__in=ids) | Q(handling__in=ids))
        .exclude(accused__in=_accused(viewer))
        .order_by()
    )


@dataclass
class CaseCounts:
    """measure → value → count per month (the period's months in order); value '' is "none"."""

    months: list[date]
    data: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    category_names: dict[str, str] = field(default_factory=dict)
    region_names: dict[str, str] = field(default_factory=dict)
    body_names: dict[str, str] = field(default_factory=dict)
    handling: dict[int, int] | None = None  # handling body id (0: none) → count, when asked for

    def per_value(self, measure: str) -> dict[str, int]:
        return {v: sum(ns) for v, ns in self.data.get(measure, {}).items() if sum(ns)}

    @property
    def total(self) -> int:
        return sum(self.per_value("channel").values())

    @property
    def skipped(self) -> int:
        return self.per_value("skipped").get("1", 0)

    def name(self, measure: str, value: str) -> str | None:
        """The name the counts over the case rows group by (None where the case has none)."""
        if value == "":
            return None
        if measure == "category":
            return self.category_names.get(value, value)
        if measure == "region":
            return self.region_names.get(value, value)
        if measure == "subject":
            return self.body_names.get(value, value)
        return value

    def complained(self, limit: int = 10) -> list[tuple[str, int]]:
        """figures.complained_about: bodies most complained about, largest first, then by name."""
        merged: dict[str, int] = defaultdict(int)
        for value, n in self.per_value("subject").items():
            name = self.name("subject", value)
            if name is not None:
                merged[name] += n
        return sorted(merged.items(), key=lambda t: (-t[1], t[0]))[:limit]


def case_counts(
    *,
    viewer: Body,
    period: Period,
    ids: Iterable[int],
    bodies: Iterable[Body] | None = None,
    with_handling: bool = False,
) -> CaseCounts:
    """The counts of the cases in scope (registered or handled by a body in `ids`, not a 检举控告 about the
    viewer or above it): one grouped query over the tally, one for the category and region names, and — when
    `bodies` (already loaded) is not given — one for the body names; `with_handling` adds the counts by
    handling body (the annual report's 有权处理机关 table)."""
    ids = list(ids)
    months = _months(period)
    index = {m: i for i, m in enumerate(months)}
    counts = CaseCounts(months=months)
    rows = (
        _rows(viewer=viewer, period=period, ids=ids)
        .values("measure", "value", "month")
        .annotate(n=Sum("count"))
    )
    for r in rows:
        per = counts.data.setdefault(r["measure"], {}).setdefault(r["value"], [0] * len(months))
        per[index[r["month"]]] += r["n"]
    if with_handling:
        handling = (
            _rows(viewer=viewer, period=period, ids=ids)
            .filter(measure="channel")
            .values("handling")
            .annotate(n=Sum("count"))
        )
        counts.handling = {r["handling"]: r["n"] for r in handling if r["n"]}
    cat_ids = [int(v) for v in counts.per_value("category") if v]
    region_ids = [int(v) for v in counts.per_value("region") if v]
    if cat_ids or region_ids:
        names = (
            Category.objects.filter(pk__in=cat_ids)
            .order_by()
            .annotate(t=Value("c"))
            .values_list("t", "pk", "name")
        )
        names = names.union(
            Region.objects.filter(pk__in=region_ids)
            .order_by()
            .annotate(t=Value("r"))
            .values_list("t", "pk", "name"),
            all=True,
        )
        for kind, pk, name in names:
            (counts.category_names if kind == "c" else counts.region_names)[str(pk)] = name
    body_ids = {int(v) for v in counts.per_value("subject") if v} | set(counts.handling or ())
    body_ids.discard(0)
    if body_ids:
        if bodies is None:
            bodies = Body.objects.filter(pk__in=body_ids).only("pk", "name")
        counts.body_names = {str(b.pk): b.name for b in bodies if b.pk in body_ids}
    return counts


def _sort_key(item: tuple[str | None, int, str | None]) -> tuple:
    # largest first, then by the stored value or name, "none" last (the same on every database)
    _label, n, key = item
    return (-n, key is None, key or "")


def counts_by_field(counts: CaseCounts, measure: str) -> list[tuple[str, int]]:
    """figures.counts_by from the tally: (label, count), largest first. Choice fields show their label."""
    if measure == "handling":
        merged: dict[str | None, int] = defaultdict(int)
        for pk, n in (counts.handling or {}).items():
            merged[counts.body_names.get(str(pk), str(pk)) if pk else None] += n
        items = [(k if k is not None else UNSET, n, k) for k, n in merged.items()]
        return [(label, n) for label, n, _ in sorted(items, key=_sort_key)]
    if measure in ("category", "region"):
        merged = defaultdict(int)
        for value, n in counts.per_value(measure).items():
            merged[counts.name(measure, value)] += n
        items = [(k if k is not None else UNSET, n, k) for k, n in merged.items()]
        return [(label, n) for label, n, _ in sorted(items, key=_sort_key)]
    choices = dict(Case._meta.get_field(measure).choices or ())
    items = [(str(choices.get(v, v)), n, v) for v, n in counts.per_value(measure).items()]
    return [(label, n) for label, n, _ in sorted(items, key=_sort_key)]


def visits_by_month(*, body: Body, year: int) -> list[dict]:
    """The 多元解纷 card's visits (resolution.figures.VISIT_COUNTS): visit cases registered in the year by the
    bodies under `body`, by month and registering body — from the tally, in one query. A case counts in the
    month it was registered (registered_at; the rows' count took created_at, the same instant when a case is
    registered through the services or the generator)."""
    rows = (
        CaseTally.objects.filter(
            month__gte=date(year, 1, 1),
            month__lte=date(year, 12, 1),
            registering__in=bodies_under(body).values("pk"),
            measure="channel",
            value=Channel.VISIT,
        )
        .order_by()
        .values(
            "month",
            "registering",
            bn=Subquery(Body.objects.filter(pk=OuterRef("registering")).values("name")),
        )
        .annotate(n=Sum("count"))
    )
    return [
        {"m": r["month"].month, "registering_body": r["registering"], "bn": r["bn"], "n": r["n"]}
        for r in rows
        if r["n"]
    ]


__all__ = ["CaseCounts", "case_counts", "counts_by_field", "visits_by_month"]
