"""Quality scores per body and period, from the committee's reviews (docs/figures.md "质效评价").

For each body: how many of its cases were reviewed in the period, the shares judged 合格 / 基本合格 / 不合格,
a review score (each result worth the points of XINFANG_REVIEW_RESULT_POINTS), and the share of reviewed
cases whose procedure (the checks computed and stored at review time, xinfang/evaluation/procedural.py)
passed. The two sides of docs/domain.md §8 are counted apart:

- 有权处理机关: the reviews of the cases it handled (the sample item's body), judged on the handling checks
  (acceptance, answer, extension, notices, 意见书, 复查/复核);
- 信访部门: the reviews of the cases it registered, judged on its own checks (the registration period and a
  lawful route, Art. 22).

A review belongs to the period in which it was given (`reviewed_at`). The analytics app combines these
with the existing figures into the annual assessment (xinfang/analytics/assessment.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.utils import timezone

from xinfang.evaluation.models import Review, ReviewResult
from xinfang.orgs.models import Body, BodyKind

HUNDREDTH = Decimal("0.01")
# Which procedural checks are whose duty (the keys of xinfang/evaluation/procedural.py CHECKS).
XINFANG_CHECKS = frozenset({"registration_in_time", "route_lawful"})
DEFAULT_RESULT_POINTS = {ReviewResult.PASS: 100, ReviewResult.BASIC: 60, ReviewResult.FAIL: 0}


class ScoreSide:
    XINFANG = "xinfang"  # 信访部门
    HANDLER = "handler"  # 有权处理机关


def side_of(body: Body) -> str:
    return ScoreSide.XINFANG if body.kind == BodyKind.XINFANG else ScoreSide.HANDLER


def result_points() -> dict[str, int]:
    """What each review result is worth (0–100): settings.XINFANG_REVIEW_RESULT_POINTS over the default."""
    return {**DEFAULT_RESULT_POINTS, **(getattr(settings, "XINFANG_REVIEW_RESULT_POINTS", None) or {})}


def _pct(numerator: Decimal | int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass
class QualityScore:
    """One body's (or a sum of bodies') reviews in a period, on one side."""

    side: str
    reviewed: int = 0
    passed: int = 0  # 合格
    basic: int = 0  # 基本合格
    failed: int = 0  # 不合格
    procedural_decided: int = 0  # reviews whose procedure was decided (passed or failed)
    procedural_passed: int = 0
    points: int = 0  # the sum of result points
    body_ids: set[int] = field(default_factory=set)

    def add(self, other: QualityScore) -> None:
        for name in (
            "reviewed",
            "passed",
            "basic",
            "failed",
            "procedural_decided",
            "procedural_passed",
            "points",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.body_ids |= other.body_ids

    @property
    def pass_share(self) -> Decimal | None:
        return _pct(self.passed, self.reviewed)

    @property
    def basic_share(self) -> Decimal | None:
        return _pct(self.basic, self.reviewed)

    @property
    def fail_share(self) -> Decimal | None:
        return _pct(self.failed, self.reviewed)

    @property
    def review_score(self) -> Decimal | None:
        """The mean of the result points (0–100)."""
        if not self.reviewed:
            return None
        return (Decimal(self.points) / Decimal(self.reviewed)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)

    @property
    def procedural_rate(self) -> Decimal | None:
        return _pct(self.procedural_passed, self.procedural_decided)

    def as_dict(self) -> dict:
        def text(v: Decimal | None) -> str | None:
            return None if v is None else str(v)

        return {
            "side": self.side,
            "reviewed": self.reviewed,
            "pass": self.passed,
            "basic": self.basic,
            "fail": self.failed,
            "pass_share": text(self.pass_share),
            "basic_share": text(self.basic_share),
            "fail_share": text(self.fail_share),
            "review_score": text(self.review_score),
            "procedural_passed": self.procedural_passed,
            "procedural_decided": self.procedural_decided,
            "procedural_rate": text(self.procedural_rate),
        }


def procedure_passed(
    checks: Iterable[dict], *, keys: frozenset[str] | None, exclude: frozenset[str] = frozenset()
):
    """The stored checks (Review.procedural) as one verdict: False if a check of these keys failed, True if
    one passed and none failed, None if none was decided."""
    results = [
        c.get("passed")
        for c in checks
        if (keys is None or c.get("key") in keys) and c.get("key") not in exclude
    ]
    if False in results:
        return False
    return True if True in results else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
    )


def _ids(bodies: QuerySet[Body] | list[int]):
    return bodies.values("pk") if isinstance(bodies, QuerySet) else bodies


def reviews_in(
    *, start: date, end: date, bodies: QuerySet[Body] | list[int] | None = None
) -> QuerySet[Review]:
    """The reviews given in [start, end] of cases handled or registered by `bodies` (all when None)."""
    since, before = _bounds(start, end)
    qs = Review.objects.filter(reviewed_at__gte=since, reviewed_at__lt=before)
    if bodies is not None:
        ids = _ids(bodies)
        qs = qs.filter(Q(item__body_id__in=ids) | Q(case__registering_body_id__in=ids))
    return qs


def quality_scores(
    *, start: date, end: date, bodies: QuerySet[Body] | list[int] | None = None
) -> dict[int, QualityScore]:
    """Each body's quality score in [start, end], in one query: handling bodies by the cases they handled,
    信访部门 by the cases they registered (see the module's docstring). `bodies` limits the result."""
    points = result_points()
    qs = reviews_in(start=start, end=end, bodies=bodies).order_by()
    if bodies is not None:
        ids = _ids(bodies)
        qs = qs.annotate(
            handler_in=ExpressionWrapper(Q(item__body_id__in=ids), output_field=BooleanField()),
            registering_in=ExpressionWrapper(
                Q(case__registering_body_id__in=ids), output_field=BooleanField()
            ),
        )
    else:
        qs = qs.annotate(handler_in=Value(True), registering_in=Value(True))
    rows = qs.values_list(
        "item__body_id",
        "item__body__kind",
        "case__registering_body_id",
        "result",
        "procedural",
        "handler_in",
        "registering_in",
    )
    out: dict[int, QualityScore] = {}

    def add(body_id: int, side: str, result: str, verdict: bool | None) -> None:
        score = out.setdefault(body_id, QualityScore(side=side, body_ids={body_id}))
        score.reviewed += 1
        score.passed += result == ReviewResult.PASS
        score.basic += result == ReviewResult.BASIC
        score.failed += result == ReviewResult.FAIL
        score.points += int(points.get(result, 0))
        if verdict is not None:
            score.procedural_decided += 1
            score.procedural_passed += verdict is True

    for handling_id, handling_kind, registering_id, result, procedural, handler_in, registering_in in rows:
        checks = procedural or []
        if handler_in and handling_kind != BodyKind.XINFANG:
            add(
                handling_id,
                ScoreSide.HANDLER,
                result,
                procedure_passed(checks, keys=None, exclude=XINFANG_CHECKS),
            )
        elif handler_in and handling_id != registering_id:
            add(handling_id, ScoreSide.XINFANG, result, procedure_passed(checks, keys=None))
        if registering_in and registering_id:
            add(registering_id, ScoreSide.XINFANG, result, procedure_passed(checks, keys=XINFANG_CHECKS))
    return out


def quality_summary(
    *, start: date, end: date, bodies: QuerySet[Body] | list[int] | None = None
) -> dict[str, QualityScore]:
    """The sums by side over `bodies` (the dashboard's card): one query."""
    sides = {
        ScoreSide.XINFANG: QualityScore(ScoreSide.XINFANG),
        ScoreSide.HANDLER: QualityScore(ScoreSide.HANDLER),
    }
    for score in quality_scores(start=start, end=end, bodies=bodies).values():
        sides[score.side].add(score)
    return sides
