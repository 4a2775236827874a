"""The annual assessment (年度考核, 条例 Art. 39) per body: the figures (xinfang/analytics/figures.py) beside the
quality review's scores (xinfang/evaluation/scores.py), combined into one weighted score per side.

Each side has its own indicators (docs/figures.md "年度考核"):

- 信访部门: 及时受理率（信访部门）, the review score and the procedural pass rate of the cases it registered;
- 有权处理机关: 及时受理率（有权处理机关）, 按期答复率, 参评率, 满意率, the review score and the procedural pass
  rate of the cases it handled.

The weights are local practice: ``settings.XINFANG_ASSESSMENT_WEIGHTS`` ({side: {indicator: weight}}) overrides
DEFAULT_WEIGHTS side by side (a weight of 0 leaves an indicator out). The score is the weighted mean of the
indicators that have a value: an indicator with nothing to count (a rate of "—") drops out and the others'
weights are renormalised, so a body is not marked down for cases it never had; with no indicator at all there
is no score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from xinfang.analytics.figures import DEFINITIONS, Figures, Period, figures_all_bodies
from xinfang.evaluation.scores import QualityScore, ScoreSide, quality_scores, side_of
from xinfang.orgs.models import Body
from xinfang.orgs.selectors import bodies_under

HUNDREDTH = Decimal("0.01")

# Indicator → label: the figures' own names (docs/figures.md), then the quality review's two.
FIGURE_INDICATORS = (
    "timely_registration",
    "timely_acceptance",
    "answered_on_time",
    "evaluation_participation",
    "satisfaction",
)
INDICATORS: dict[str, str] = {
    **{key: DEFINITIONS[key].name for key in FIGURE_INDICATORS},
    "review_score": gettext_noop("质效评价得分"),
    "procedural_rate": gettext_noop("程序合规率"),
}
DEFAULT_WEIGHTS: dict[str, dict[str, int]] = {
    ScoreSide.XINFANG: {"timely_registration": 40, "review_score": 30, "procedural_rate": 30},
    ScoreSide.HANDLER: {
        "timely_acceptance": 15,
        "answered_on_time": 25,
        "evaluation_participation": 10,
        "satisfaction": 20,
        "review_score": 15,
        "procedural_rate": 15,
    },
}
SIDE_LABELS = {ScoreSide.XINFANG: gettext_noop("信访部门"), ScoreSide.HANDLER: gettext_noop("有权处理机关")}


def assessment_weights() -> dict[str, dict[str, int]]:
    configured = getattr(settings, "XINFANG_ASSESSMENT_WEIGHTS", None) or {}
    return {side: {**weights, **(configured.get(side) or {})} for side, weights in DEFAULT_WEIGHTS.items()}


@dataclass
class AssessmentRow:
    body: Body
    side: str
    figures: Figures
    quality: QualityScore
    values: dict[str, Decimal | None]  # indicator → 0–100, only this side's indicators
    score: Decimal | None

    @property
    def side_label(self) -> str:
        return SIDE_LABELS[self.side]


def side_values(side: str, figures: Figures, quality: QualityScore) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {}
    for key in assessment_weights()[side]:
        if key == "review_score":
            out[key] = quality.review_score
        elif key == "procedural_rate":
            out[key] = quality.procedural_rate
        else:
            out[key] = figures[key].rate if key in figures.items else None
    return out


def weighted_score(values: dict[str, Decimal | None], weights: dict[str, int]) -> Decimal | None:
    counted = [(Decimal(weights[k]), v) for k, v in values.items() if v is not None and weights.get(k)]
    total = sum((w for w, _ in counted), Decimal(0))
    if not total:
        return None
    return (sum((w * v for w, v in counted), Decimal(0)) / total).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def assessment_rows(
    *, figures: list[Figures], period: Period, bodies: QuerySet[Body] | list[int] | None = None
) -> list[AssessmentRow]:
    """The assessment of the bodies whose figures are given (one more query, for the reviews). Bodies with
    nothing to count on either part are left out; 信访部门 first, then by score, best first."""
    if bodies is None:
        bodies = [f.body.pk for f in figures if f.body is not None]
    quality = quality_scores(start=period.start, end=period.end, bodies=bodies)
    weights = assessment_weights()
    rows = []
    for figs in figures:
        if figs.body is None:
            continue
        side = side_of(figs.body)
        q = quality.get(figs.body.pk) or QualityScore(side=side)
        values = side_values(side, figs, q)
        if not q.reviewed and not any(f.denominator for f in figs):
            continue
        rows.append(AssessmentRow(figs.body, side, figs, q, values, weighted_score(values, weights[side])))
    order = {ScoreSide.XINFANG: 0, ScoreSide.HANDLER: 1}
    rows.sort(key=lambda r: (order[r.side], r.score is None, -(r.score or 0), r.body.code))
    return rows


def assessment_table(*, body: Body, year: int, today: date | None = None) -> list[AssessmentRow]:
    """The Art. 39 table of `body` and every body under it, for a year."""
    period = Period.year(year)
    scope = bodies_under(body)
    figures = figures_all_bodies(period=period, today=today, bodies=scope)
    return assessment_rows(figures=figures, period=period, bodies=scope)
