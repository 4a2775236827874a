"""The figures (docs/domain.md §8): each defined once here, in the words of docs/figures.md.

A figure is a numerator over a denominator, both counted in the database and never estimated. The rate is
a Decimal percentage rounded half-up to two decimals; with a denominator of 0 there is no rate ("—"),
because "0%" and "100%" would both claim something that did not happen.

Clock-based figures count clocks (one legal duty each), taken into a period by their due date: a duty
belongs to the period in which it fell due. "Now" (``today``) matters only for open clocks: an open
clock past its due date is already late (or its window already lapsed); an open clock not yet due is
in no count at all — it can still go either way.

The 信访部门 figures read the registration clocks of the body that registered the case; the
有权处理机关 figures read the acceptance, handling, 复查 and 复核 clocks and the evaluation windows of
the body that owed them. A case moved between bodies leaves each body its own clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Case as When_Case
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import gettext_noop

from xinfang.analytics.models import BacklogTally, ClockTally, EvaluationTally, RegistrationTally
from xinfang.cases.models import Case, State
from xinfang.cases.selectors import confidential_exclusion_q
from xinfang.cases.workflow import ClockKind
from xinfang.deadlines.models import Clock
from xinfang.evaluation.models import Evaluation, Satisfaction, Stage
from xinfang.orgs.models import Body, BodyKind
from xinfang.orgs.selectors import bodies_under

NO_RATE = "—"
HUNDREDTH = Decimal("0.01")


class Side:
    XINFANG = "xinfang"  # 信访部门: the registering / transferring side
    HANDLER = "handler"  # 有权处理机关: the accepting and answering side
    BOTH = "both"

    LABELS = {
        XINFANG: gettext_noop("信访部门"),
        HANDLER: gettext_noop("有权处理机关"),
        BOTH: gettext_noop("综合"),
    }


@dataclass(frozen=True)
class Definition:
    key: str
    name: str
    side: str
    numerator: str
    denominator: str


# The definitions, word for word as in docs/figures.md (a test compares them).
DEFINITIONS: dict[str, Definition] = {
    d.key: d
    for d in (
        Definition(
            "timely_registration",
            gettext_noop("及时受理率（信访部门）"),
            Side.XINFANG,
            gettext_noop("登记期限（第二十二条）内转送、交办或告知的件数"),
            gettext_noop("登记期限到期日在统计期内、且已处理或已逾期的件数"),
        ),
        Definition(
            "timely_acceptance",
            gettext_noop("及时受理率（有权处理机关）"),
            Side.HANDLER,
            gettext_noop("受理告知期限（第二十三条）内书面告知受理或不予受理的件数"),
            gettext_noop("受理告知期限到期日在统计期内、且已告知或已逾期的件数"),
        ),
        Definition(
            "answered_on_time",
            gettext_noop("按期答复率（按期办结率）"),
            Side.HANDLER,
            gettext_noop("办理、复查、复核期限内出具意见的件数"),
            gettext_noop("办理、复查、复核期限到期日在统计期内的按期答复、逾期答复和逾期未答复件数之和"),
        ),
        Definition(
            "evaluation_participation",
            gettext_noop("参评率"),
            Side.HANDLER,
            gettext_noop("评价期限到期日在统计期内、信访人已评价的件数"),
            gettext_noop("已评价件数与评价期限已届满（或已关闭）而未评价的件数之和"),
        ),
        Definition(
            "satisfaction",
            gettext_noop("满意率"),
            Side.HANDLER,
            gettext_noop("统计期内评价为满意或基本满意的件数（设置为只计满意时，仅满意）"),
            gettext_noop("统计期内的评价件数"),
        ),
        Definition(
            "repeat",
            gettext_noop("重复信访率"),
            Side.BOTH,
            gettext_noop("统计期内登记的重复信访件数"),
            gettext_noop("统计期内登记的全部信访件数"),
        ),
        Definition(
            "backlog_cleared",
            gettext_noop("积案化解率"),
            Side.BOTH,
            gettext_noop("截至统计期末已办结、终结或归档的积案件数"),
            gettext_noop("截至统计期末登记的积案件数"),
        ),
    )
}

ACCEPTANCE_KINDS = {
    "timely_registration": (ClockKind.REGISTRATION,),
    "timely_acceptance": (ClockKind.ACCEPTANCE,),
    # The reviewing bodies answer too: a 复查/复核 opinion owed late is a late answer (documented choice).
    "answered_on_time": (ClockKind.HANDLING, ClockKind.REVIEW_DECISION, ClockKind.REREVIEW_DECISION),
}
CLEARED_STATES = (State.CONCLUDED, State.TERMINATED, State.ARCHIVED)
EVALUATED_BY = "evaluate"


def rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def rate_text(value: Decimal | None) -> str:
    return NO_RATE if value is None else f"{value}%"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_before(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def __str__(self) -> str:
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"


@dataclass
class Figure:
    key: str
    numerator: int = 0
    denominator: int = 0

    @property
    def definition(self) -> Definition:
        return DEFINITIONS[self.key]

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def side_label(self) -> str:
        return Side.LABELS[self.definition.side]

    @property
    def rate(self) -> Decimal | None:
        return rate(self.numerator, self.denominator)

    @property
    def text(self) -> str:
        return rate_text(self.rate)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "side": Side.LABELS[self.definition.side],
            "numerator": self.numerator,
            "denominator": self.denominator,
            "rate": None if self.rate is None else str(self.rate),
            "text": self.text,
        }


@dataclass
class Figures:
    body: Body | None
    period: Period
    with_under: bool
    items: dict[str, Figure] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Figure:
        return self.items[key]

    def __iter__(self):
        return iter(self.items[k] for k in DEFINITIONS)


# —— the conditions, once ——


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def on_time_q() -> Q:
    return Q(is_open=False, on_time=True)


def late_q(today: date) -> Q:
    """Stopped after its due date, or still open with the due date behind us."""
    return Q(is_open=False, on_time=False) | Q(is_open=True, due_on__lt=today)


def evaluated_q() -> Q:
    return Q(is_open=False, stopped_by=EVALUATED_BY)


def lapsed_unevaluated_q(today: date) -> Q:
    """The window closed without an evaluation: stopped by something else, or open past its due date."""
    return (Q(is_open=False) & ~Q(stopped_by=EVALUATED_BY)) | Q(is_open=True, due_on__lt=today)


def satisfied_results() -> tuple[str, ...]:
    if getattr(settings, "XINFANG_SATISFACTION_COUNTS_BASIC", True):
        return (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
    return (Satisfaction.SATISFIED,)


def evaluation_body_expr() -> When_Case:
    """The body whose answer the evaluation judges: the handler, the 复查 or the 复核 body."""
    return When_Case(
        When(stage=Stage.ANSWER, then=F("case__handling_body_id")),
        When(stage=Stage.REVIEW, then=F("case__review_body_id")),
        When(stage=Stage.REREVIEW, then=F("case__rereview_body_id")),
        output_field=IntegerField(),
    )


def case_scope_body_expr() -> When_Case:
    """Whose case it is for case counts: the handling body once there is one, else the registering body."""
    return When_Case(
        When(handling_body_id__isnull=False, then=F("handling_body_id")),
        default=F("registering_body_id"),
        output_field=IntegerField(),
    )


# —— querysets (the drill-down) ——


def scope_body_ids(body: Body, *, with_under: bool) -> list[int]:
    if not with_under:
        return [body.pk]
    return list(bodies_under(body).values_list("pk", flat=True))


def _clocks(kinds: Iterable[str], ids: list[int], period: Period) -> QuerySet[Clock]:
    return Clock.objects.filter(
        kind__in=list(kinds), body_id__in=ids, due_on__gte=period.start, due_on__lte=period.end
    )


def _evaluations(ids: list[int], period: Period) -> QuerySet[Evaluation]:
    return Evaluation.objects.annotate(judged_body=evaluation_body_expr()).filter(
        judged_body__in=ids, created_at__gte=period.start_at, created_at__lt=period.end_before
    )


def _cases_of(qs: QuerySet) -> QuerySet[Case]:
    return Case.objects.filter(pk__in=qs.values("case_id"))


def figure_cases(
    key: str, *, body: Body, period: Period, with_under: bool = False, today: date | None = None
) -> tuple[QuerySet[Case], QuerySet[Case]]:
    """The cases behind a figure: (numerator cases, denominator cases)."""
    today = _today(today)
    ids = scope_body_ids(body, with_under=with_under)
    if key in ACCEPTANCE_KINDS:
        clocks = _clocks(ACCEPTANCE_KINDS[key], ids, period)
        return _cases_of(clocks.filter(on_time_q())), _cases_of(clocks.filter(on_time_q() | late_q(today)))
    if key == "evaluation_participation":
        clocks = _clocks((ClockKind.EVALUATION,), ids, period)
        return _cases_of(clocks.filter(evaluated_q())), _cases_of(
            clocks.filter(evaluated_q() | lapsed_unevaluated_q(today))
        )
    if key == "satisfaction":
        evaluations = _evaluations(ids, period)
        return _cases_of(evaluations.filter(result__in=satisfied_results())), _cases_of(evaluations)
    if key == "repeat":
        cases = Case.objects.filter(
            registering_body_id__in=ids,
            registered_at__gte=period.start_at,
            registered_at__lt=period.end_before,
        )
        return cases.filter(is_repeat=True), cases
    if key == "backlog_cleared":
        cases = Case.objects.annotate(scope_body=case_scope_body_expr()).filter(
            scope_body__in=ids, is_backlog=True, registered_at__lt=period.end_before
        )
        return cases.filter(state__in=CLEARED_STATES), cases
    raise KeyError(key)


# —— the counts, grouped by body (one pass per source table) ——


def _new_counts() -> dict[int, dict[str, Figure]]:
    return defaultdict(lambda: {k: Figure(k) for k in DEFINITIONS})


def _counts_by_body(period: Period, today: date, ids: list[int] | None) -> dict[int, dict[str, Figure]]:
    """The counts by body, read from the tallies (analytics.models, kept by database triggers — see
    analytics/tally.py): a few rows per body and day instead of every clock, evaluation and case.

    Exact, not estimated: each tally row counts the source rows of its key by the same conditions as
    the raw count (_counts_by_body_raw), and the open clocks are kept by due date, so "open past due" is
    the open count of the days before `today` — whatever today is."""
    out = _new_counts()
    kind_to_key = {kind: key for key, kinds in ACCEPTANCE_KINDS.items() for kind in kinds}
    clocks = ClockTally.objects.filter(
        due_on__gte=period.start, due_on__lte=period.end, kind__in=[*kind_to_key, ClockKind.EVALUATION]
    )
    if ids is not None:
        clocks = clocks.filter(body_id__in=ids)
    rows = clocks.values("body_id", "kind").annotate(
        on_time=Sum("on_time_count"),
        late=Sum("late_count"),
        evaluated=Sum("evaluated_count"),
        closed=Sum("closed_count"),
        overdue_open=Sum("open_count", filter=Q(due_on__lt=today), default=0),
    )
    for r in rows.order_by():
        figs = out[r["body_id"]]
        if r["kind"] == ClockKind.EVALUATION:
            # evaluated + lapsed = every closed window (evaluated or closed otherwise) + open past due
            f = figs["evaluation_participation"]
            f.numerator += r["evaluated"]
            f.denominator += r["closed"] + r["overdue_open"]
        else:
            f = figs[kind_to_key[r["kind"]]]
            f.numerator += r["on_time"]
            f.denominator += r["on_time"] + r["late"] + r["overdue_open"]

    evaluations = EvaluationTally.objects.filter(day__gte=period.start, day__lte=period.end)
    if ids is not None:
        evaluations = evaluations.filter(body_id__in=ids)
    for r in (
        evaluations.values("body_id")
        .annotate(total=Sum("count"), good=Sum("count", filter=Q(result__in=satisfied_results()), default=0))
        .order_by()
    ):
        f = out[r["body_id"]]["satisfaction"]
        f.numerator += r["good"]
        f.denominator += r["total"]

    registered = RegistrationTally.objects.filter(day__gte=period.start, day__lte=period.end)
    if ids is not None:
        registered = registered.filter(body_id__in=ids)
    for r in registered.values("body_id").annotate(total=Sum("total"), repeats=Sum("repeats")).order_by():
        f = out[r["body_id"]]["repeat"]
        f.numerator += r["repeats"]
        f.denominator += r["total"]

    _backlog_counts(out, period, ids)
    return _without_empty(out)


def _without_empty(out: dict[int, dict[str, Figure]]) -> dict[int, dict[str, Figure]]:
    """Tally rows whose counts went back to 0 (a clock moved to another day or body) leave an all-zero
    entry that the raw count would not have: drop it, so both give the same bodies."""
    return {b: figs for b, figs in out.items() if any(f.numerator or f.denominator for f in figs.values())}


def _counts_by_body_raw(period: Period, today: date, ids: list[int] | None) -> dict[int, dict[str, Figure]]:
    """The counts straight from the source rows (what the tallies must equal; the tests compare)."""
    out = _new_counts()
    kind_to_key = {kind: key for key, kinds in ACCEPTANCE_KINDS.items() for kind in kinds}
    clocks = Clock.objects.filter(
        due_on__gte=period.start,
        due_on__lte=period.end,
        kind__in=[*kind_to_key, ClockKind.EVALUATION],
    )
    if ids is not None:
        clocks = clocks.filter(body_id__in=ids)
    # Counted over `due_on` (never NULL, so the same as counting rows) rather than `id`: every column the
    # query reads is then in the (kind, due_on) INCLUDE (body, is_open, on_time, stopped_by) index and
    # PostgreSQL answers from the index alone. (Django refuses COUNT(*) with a filter.)
    rows = clocks.values("body_id", "kind").annotate(
        n_on_time=Count("due_on", filter=on_time_q()),
        n_late=Count("due_on", filter=late_q(today)),
        n_evaluated=Count("due_on", filter=evaluated_q()),
        n_lapsed=Count("due_on", filter=lapsed_unevaluated_q(today)),
    )
    for r in rows.order_by():
        figs = out[r["body_id"]]
        if r["kind"] == ClockKind.EVALUATION:
            f = figs["evaluation_participation"]
            f.numerator += r["n_evaluated"]
            f.denominator += r["n_evaluated"] + r["n_lapsed"]
        else:
            f = figs[kind_to_key[r["kind"]]]
            f.numerator += r["n_on_time"]
            f.denominator += r["n_on_time"] + r["n_late"]

    evaluations = Evaluation.objects.annotate(judged_body=evaluation_body_expr()).filter(
        created_at__gte=period.start_at, created_at__lt=period.end_before
    )
    if ids is not None:
        evaluations = evaluations.filter(judged_body__in=ids)
    for r in (
        evaluations.values("judged_body")
        .annotate(total=Count("id"), good=Count("id", filter=Q(result__in=satisfied_results())))
        .order_by()
    ):
        if r["judged_body"] is None:
            continue
        f = out[r["judged_body"]]["satisfaction"]
        f.numerator += r["good"]
        f.denominator += r["total"]

    registered = Case.objects.filter(registered_at__gte=period.start_at, registered_at__lt=period.end_before)
    if ids is not None:
        registered = registered.filter(registering_body_id__in=ids)
    for r in (
        registered.values("registering_body_id")
        # Over `registered_at` (never NULL) so that the (registered_at, registering_body, is_repeat) index
        # covers the query.
        .annotate(total=Count("registered_at"), repeats=Count("registered_at", filter=Q(is_repeat=True)))
        .order_by()
    ):
        f = out[r["registering_body_id"]]["repeat"]
        f.numerator += r["repeats"]
        f.denominator += r["total"]

    _backlog_counts_raw(out, period, ids)
    return _without_empty(out)


def _backlog_counts(out: dict[int, dict[str, Figure]], period: Period, ids: list[int] | None) -> None:
    """积案化解率, a stock: the backlog cases registered up to the end of the period, from BacklogTally (by the
    body that answers for them and the local day they were registered)."""
    rows = BacklogTally.objects.filter(day__lte=period.end)
    if ids is not None:
        rows = rows.filter(body_id__in=ids)
    for r in rows.values("body_id").annotate(total=Sum("total"), cleared=Sum("cleared")).order_by():
        f = out[r["body_id"]]["backlog_cleared"]
        f.numerator += r["cleared"]
        f.denominator += r["total"]


def _backlog_counts_raw(out: dict[int, dict[str, Figure]], period: Period, ids: list[int] | None) -> None:
    """The same from the cases (what the tally must equal)."""
    backlog = Case.objects.annotate(scope_body=case_scope_body_expr()).filter(
        is_backlog=True, registered_at__lt=period.end_before
    )
    if ids is not None:
        backlog = backlog.filter(scope_body__in=ids)
    for r in (
        backlog.values("scope_body")
        .annotate(total=Count("id"), cleared=Count("id", filter=Q(state__in=CLEARED_STATES)))
        .order_by()
    ):
        f = out[r["scope_body"]]["backlog_cleared"]
        f.numerator += r["cleared"]
        f.denominator += r["total"]


def sum_figures(parts: Iterable[dict[str, Figure]]) -> dict[str, Figure]:
    total = {k: Figure(k) for k in DEFINITIONS}
    for figs in parts:
        for k, f in figs.items():
            total[k].numerator += f.numerator
            total[k].denominator += f.denominator
    return total


def figures_for(
    *, body: Body, period: Period, with_under: bool = False, today: date | None = None
) -> Figures:
    """The figures of one body, alone or with every body under it (orgs.selectors.bodies_under)."""
    today = _today(today)
    ids = scope_body_ids(body, with_under=with_under)
    counts = _counts_by_body(period, today, ids)
    return Figures(body=body, period=period, with_under=with_under, items=sum_figures(counts.values()))


def _under_ids(body: Body, bodies: list[Body]) -> list[int]:
    """bodies_under, computed in memory over a loaded list (same rule as orgs.selectors.bodies_under)."""
    if body.kind in (BodyKind.XINFANG, BodyKind.GOVERNMENT):
        prefix = body.region.path
        return [b.pk for b in bodies if b.region.path.startswith(prefix)]
    return [b.pk for b in bodies if b.path.startswith(body.path)]


def figures_all_bodies(
    *,
    period: Period,
    today: date | None = None,
    with_under: bool = False,
    bodies: QuerySet[Body] | Iterable[int] | None = None,
    all_bodies: list[Body] | None = None,
) -> list[Figures]:
    """Every body's figures in a handful of grouped queries (the dashboard ranking, the bench). `bodies`: those
    wanted (a queryset or ids); `all_bodies`: every body, with its region, when the caller has loaded them."""
    today = _today(today)
    if all_bodies is None:
        all_bodies = list(Body.objects.select_related("region").order_by("code"))
    if bodies is None:
        wanted_ids = None
    elif isinstance(bodies, QuerySet):
        wanted_ids = set(bodies.values_list("pk", flat=True))
    else:
        wanted_ids = set(bodies)
    wanted = [b for b in all_bodies if wanted_ids is None or b.pk in wanted_ids]
    counts = _counts_by_body(period, today, None)
    empty: dict[str, Figure] = {k: Figure(k) for k in DEFINITIONS}
    result = []
    for b in wanted:
        parts = [counts.get(i, empty) for i in (_under_ids(b, all_bodies) if with_under else [b.pk])]
        result.append(Figures(body=b, period=period, with_under=with_under, items=sum_figures(parts)))
    return result


# —— counts by field (Art. 41 statistics) ——


def cases_in_scope(*, body: Body, period: Period, with_under: bool = True) -> QuerySet[Case]:
    """Cases registered in the period that the body (or a body under it) registered or handles — the figures
    scope of the body that reads them, so never a 检举控告 about that body or one above it (Art. 30, 46)."""
    ids = scope_body_ids(body, with_under=with_under)
    return Case.objects.filter(
        Q(registering_body_id__in=ids) | Q(handling_body_id__in=ids),
        registered_at__gte=period.start_at,
        registered_at__lt=period.end_before,
    ).exclude(confidential_exclusion_q(body))


def counts_by(qs: QuerySet[Case], field_name: str, label_field: str | None = None) -> list[tuple[str, int]]:
    """(label, count) by a field, largest first. Choice fields show their Chinese label."""
    model_field = Case._meta.get_field(field_name.split("__")[0])
    key = label_field or field_name
    rows = qs.order_by().values(key).annotate(n=Count("id")).order_by("-n", key)
    choices = dict(model_field.choices) if getattr(model_field, "choices", None) and not label_field else {}
    return [(str(choices.get(r[key], r[key] if r[key] is not None else "未填写")), r["n"]) for r in rows]


def skipped_levels_share(qs: QuerySet[Case]) -> Figure:
    agg = qs.aggregate(total=Count("id"), skipped=Count("id", filter=Q(skipped_levels=True)))
    return _adhoc(agg["skipped"], agg["total"])


def _adhoc(numerator: int, denominator: int) -> Figure:
    f = Figure("repeat", numerator, denominator)  # only the arithmetic is used
    return f


def complained_about(
    qs: QuerySet[Case], *, viewer: Body | None = None, limit: int = 10
) -> list[tuple[str, int]]:
    """Bodies most complained about (Case.subject_body). 检举控告 about the viewer or a body above it in its
    own line never counts toward what the viewer sees (Art. 30, 46)."""
    if viewer is not None:
        qs = qs.exclude(confidential_exclusion_q(viewer))
    rows = (
        qs.filter(subject_body__isnull=False)
        .order_by()
        .values("subject_body__name")
        .annotate(n=Count("id"))
        .order_by("-n", "subject_body__name")[:limit]
    )
    return [(r["subject_body__name"], r["n"]) for r in rows]


__all__ = [
    "DEFINITIONS",
    "NO_RATE",
    "Figure",
    "Figures",
    "Period",
    "Side",
    "cases_in_scope",
    "complained_about",
    "counts_by",
    "figure_cases",
    "figures_all_bodies",
    "figures_for",
    "rate",
    "rate_text",
    "skipped_levels_share",
    "sum_figures",
]
