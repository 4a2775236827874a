"""What the dashboard shows, each in one grouped query (the page's query count does not grow with data).

Nothing here reads case or clock rows: the figures, the lights and the counts by field come from the
trigger-kept tallies (analytics.tally, analytics.volume). `volume_and_totals` is the same count over the case
rows, kept so that the tests can compare the two."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext, gettext_noop

from xinfang.analytics.assessment import SIDE_LABELS, assessment_weights, side_values, weighted_score
from xinfang.analytics.figures import (
    DEFINITIONS,
    Figures,
    Period,
    _under_ids,
    figures_all_bodies,
    rate,
    rate_text,
    sum_figures,
)
from xinfang.analytics.models import ClockTally
from xinfang.analytics.volume import CaseCounts, case_counts
from xinfang.cases.models import Channel, PetitionType
from xinfang.cases.workflow import CLOCK_LABELS
from xinfang.deadlines.lights import Light, yellow_days_setting
from xinfang.deadlines.selectors import LAPSING_WINDOWS
from xinfang.evaluation.scores import QualityScore, quality_summary
from xinfang.orgs.models import Body
from xinfang.orgs.selectors import bodies_under

# (title, field, choice labels); titles and choice labels are translated where the page is built
VOLUME_FIELDS = {
    "channel": (gettext_noop("来源渠道"), "channel", dict(Channel.choices)),
    "petition_type": (gettext_noop("信访类型"), "petition_type", dict(PetitionType.choices)),
    "category": (gettext_noop("内容分类"), "category__name", None),
    "region": (gettext_noop("问题属地"), "problem_region__name", None),
}


@dataclass
class Series:
    title: str
    months: list[str]
    names: list[str]
    data: dict[str, list[int]]  # name → count per month
    totals: list[tuple[str, int]]

    def as_chart(self) -> dict:
        return {
            "title": self.title,
            "months": self.months,
            "series": [{"name": n, "data": self.data[n]} for n in self.names],
        }


def volume_by_month(cases, months: list[str]) -> dict[str, Series]:
    """Cases per month by channel, type, category and region: one grouped pass (month truncation is the
    costly part, so it is done once for all four)."""
    return volume_and_totals(cases, months)[0]


def volume_and_totals(cases, months: list[str]) -> tuple[dict[str, Series], int, int]:
    """volume_by_month, plus the number of cases and of 越级 cases read from the same grouped pass: every
    case falls in exactly one group, so the sums are exact, and the two extra scans of the year's cases
    (count, skipped-levels share) are saved — at a million cases each cost as much as the pass itself."""
    fields = {key: spec[1] for key, spec in VOLUME_FIELDS.items()}
    data: dict[str, dict[str, list[int]]] = {key: {} for key in fields}
    rows = (
        cases.order_by()
        .annotate(month=TruncMonth("registered_at"))
        .values("month", "skipped_levels", *fields.values())
        .annotate(n=Count("id"))
    )
    total = skipped = 0
    for r in rows:
        total += r["n"]
        if r["skipped_levels"]:
            skipped += r["n"]
        m = r["month"].strftime("%Y-%m")
        if m not in months:
            continue
        i = months.index(m)
        for key, field_name in fields.items():
            data[key].setdefault(_label(key, r[field_name]), [0] * len(months))[i] += r["n"]
    return _series(data, months), total, skipped


def _label(key: str, raw) -> str:
    labels = VOLUME_FIELDS[key][2] or {}
    # choice labels are translated; names that are data (categories, places) stay as they are
    return gettext(labels[raw]) if raw in labels else gettext("未填写") if raw is None else str(raw)


def volume_from_tally(counts: CaseCounts, months: list[str]) -> dict[str, Series]:
    """The same series as volume_by_month, from the case tally (analytics.volume)."""
    data: dict[str, dict[str, list[int]]] = {}
    for key in VOLUME_FIELDS:
        per_name = data.setdefault(key, {})
        for value, per_month in counts.data.get(key, {}).items():
            if not any(per_month):
                continue
            row = per_name.setdefault(_label(key, counts.name(key, value)), [0] * len(months))
            for i, n in enumerate(per_month):
                row[i] += n
    return _series(data, months)


def _series(data: dict[str, dict[str, list[int]]], months: list[str]) -> dict[str, Series]:
    out = {}
    for key, per_name in data.items():
        totals = sorted(((n, sum(v)) for n, v in per_name.items()), key=lambda t: (-t[1], t[0]))
        out[key] = Series(
            title=gettext(VOLUME_FIELDS[key][0]),
            months=months,
            names=[n for n, _ in totals],
            data=per_name,
            totals=totals,
        )
    return out


def lights_now(*, body: Body, today: date, ids: list[int] | None = None) -> list[dict]:
    """Open clocks of the body and everything under it (`ids`, when already known), by kind and light
    (docs/domain.md §5)."""
    yellow_until = today + timedelta(days=yellow_days_setting())
    # From the clock tally (open clocks by body, kind and due date — exact, see analytics/tally.py): a few
    # rows per body and day instead of every open clock.
    rows = (
        ClockTally.objects.filter(open_count__gt=0, body__in=bodies_under(body) if ids is None else ids)
        # the ledger's red: duties only, not the rights that lapse (deadlines.selectors.LAPSING_WINDOWS)
        .exclude(kind__in=LAPSING_WINDOWS)
        .order_by()
        .values("kind")
        .annotate(
            red=Sum("open_count", filter=Q(due_on__lte=today), default=0),
            yellow=Sum("open_count", filter=Q(due_on__gt=today, due_on__lte=yellow_until), default=0),
            green=Sum("open_count", filter=Q(due_on__gt=yellow_until), default=0),
        )
    )
    out = [
        {
            "kind": r["kind"],
            "label": gettext(CLOCK_LABELS[r["kind"]]) if r["kind"] in CLOCK_LABELS else r["kind"],
            **{k: r[k] for k in ("red", "yellow", "green")},
        }
        for r in rows
    ]
    return sorted(out, key=lambda r: (-r["red"], -r["yellow"], r["kind"]))


def ranked(figures: list[Figures], key: str) -> list[Figures]:
    """Best first by the chosen figure; bodies with nothing to count (—) go last."""
    with_rate = [f for f in figures if f[key].rate is not None]
    without = [f for f in figures if f[key].rate is None]
    with_rate.sort(key=lambda f: (-f[key].rate, -f[key].denominator, f.body.code))
    return with_rate + without


@dataclass
class QualityCard:
    side: str
    label: str
    score: QualityScore
    assessment: Decimal | None


def quality_cards(*, own: Figures, period: Period, ids: list[int]) -> list[QualityCard]:
    """The dashboard's quality card: one query (the period's reviews of the bodies in scope), the figures
    already counted for the page."""
    weights = assessment_weights()
    out = []
    for side, score in quality_summary(start=period.start, end=period.end, bodies=ids).items():
        values = side_values(side, own, score)
        out.append(QualityCard(side, SIDE_LABELS[side], score, weighted_score(values, weights[side])))
    return out


@dataclass
class Dashboard:
    body: Body
    period: Period
    volume: dict[str, Series]
    total: int
    skipped_levels: str
    own: Figures
    ranking: list[Figures]
    rank_key: str
    lights: list[dict]
    lights_total: dict[str, int]
    complained: list[tuple[str, int]]
    # 质效评价 by side (xinfang/evaluation/scores.py) and its weighted assessment score (analytics/assessment.py)
    quality: list[QualityCard] = field(default_factory=list)

    def charts(self) -> dict:
        return {
            "volume": {k: s.as_chart() for k, s in self.volume.items()},
            "lights": {
                "labels": [r["label"] for r in self.lights],
                "red": [r["red"] for r in self.lights],
                "yellow": [r["yellow"] for r in self.lights],
                "green": [r["green"] for r in self.lights],
            },
            "complained": {
                "names": [n for n, _ in self.complained],
                "counts": [c for _, c in self.complained],
            },
        }


def dashboard_data(*, body: Body, year: int, today: date, rank_key: str = "answered_on_time") -> Dashboard:
    if rank_key not in DEFINITIONS:
        rank_key = "answered_on_time"
    period = Period.year(year)
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    # Every body once (the ranking's names, the complained-about names), and the ones under this body.
    all_bodies = list(Body.objects.select_related("region").order_by("code"))
    under = _under_ids(body, all_bodies)
    # Each body alone; the acting body's own row (with everything under it) is their sum.
    all_figs = figures_all_bodies(period=period, today=today, bodies=under, all_bodies=all_bodies)
    own = Figures(body=body, period=period, with_under=True, items=sum_figures(f.items for f in all_figs))
    active = [f for f in all_figs if any(fig.denominator for fig in f)]
    lights = lights_now(body=body, today=today, ids=under)
    counts = case_counts(viewer=body, period=period, ids=under, bodies=all_bodies)
    volume = volume_from_tally(counts, months)
    total, skipped = counts.total, counts.skipped
    return Dashboard(
        body=body,
        period=period,
        volume=volume,
        total=total,
        skipped_levels=rate_text(rate(skipped, total)),
        own=own,
        ranking=ranked(active, rank_key),
        rank_key=rank_key,
        lights=lights,
        lights_total={c: sum(r[c] for r in lights) for c in (Light.RED, Light.YELLOW, Light.GREEN)},
        complained=counts.complained(),
        quality=quality_cards(own=own, period=period, ids=under),
    )
