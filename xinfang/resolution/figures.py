"""The one-stop centre's figures (访、调、裁、审、处), by month, organisation and referring body.

Definitions (docs/resolution.md says the same):
- 接待群众来访（批次）visits received: cases registered through the 来访 channel by the bodies in scope, by the
  day they were registered (one registration = one 批次; a group visit is one).
- 调解纠纷（起）disputes mediated: mediation referrals (人民/行政/司法调解) concluded in the period, by outcome
  date, whatever the outcome (不予受理 excluded: nothing was mediated); 调解成功 those ending in an agreement;
  调解成功率 = 成功 ÷ 调解纠纷.
- 审理诉讼（起）cases tried: fast-track / court referrals concluded with a judgment, ruling or court mediation.
- 仲裁（起）arbitrations concluded with an award or arbitral mediation.
- 心理疏导（人次）counselling sessions held (each session × its attendees).
- 法律咨询（人次）legal consultations answered.
Scope: referrals whose referring body lies under the acting body (bodies_under), the same rule as every figure.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext_noop

from xinfang.cases.models import Channel
from xinfang.cases.selectors import cases_unscoped
from xinfang.core.keyset import Key
from xinfang.orgs.models import Body
from xinfang.orgs.selectors import bodies_under
from xinfang.resolution.models import Referral, Session, Status
from xinfang.resolution.rules import AGREEMENTS, KIND_RULES, TRIED, Effect, Outcome, ReferralKind

MEDIATION_KINDS = [k for k, r in KIND_RULES.items() if r.effect == Effect.MEDIATION]
ARBITRATION_KINDS = [ReferralKind.LABOUR_ARBITRATION, ReferralKind.ARBITRATION]
ARBITRATED = [Outcome.AWARD, Outcome.ARBITRAL_MEDIATION]

# (key, label) of each column, in order; the drill-down filter each one opens.
COLUMNS = (
    ("visits", gettext_noop("接待群众来访（批次）")),
    ("mediated", gettext_noop("调解纠纷（起）")),
    ("mediated_ok", gettext_noop("调解成功（起）")),
    ("success_rate", gettext_noop("调解成功率")),
    ("tried", gettext_noop("审理诉讼（起）")),
    ("arbitrated", gettext_noop("仲裁结案（起）")),
    ("counselling", gettext_noop("心理疏导（人次）")),
    ("consultations", gettext_noop("法律咨询（人次）")),
)
DRILL = {
    "mediated": {"kind_in": MEDIATION_KINDS, "outcome_not": [Outcome.NOT_TAKEN]},
    "mediated_ok": {"kind_in": MEDIATION_KINDS, "outcome_in": list(AGREEMENTS)},
    "tried": {"outcome_in": list(TRIED)},
    "arbitrated": {"kind_in": ARBITRATION_KINDS, "outcome_in": ARBITRATED},
    "consultations": {"kind_in": [ReferralKind.LEGAL_CONSULTATION], "outcome_in": [Outcome.ADVICE_GIVEN]},
    "counselling": {"kind_in": [ReferralKind.COUNSELLING]},
}


@dataclass
class Row:
    label: str
    key: str = ""  # month "YYYY-MM", organisation pk or body pk, for the drill-down link
    visits: int = 0
    mediated: int = 0
    mediated_ok: int = 0
    tried: int = 0
    arbitrated: int = 0
    counselling: int = 0
    consultations: int = 0

    @property
    def success_rate(self) -> str:
        return f"{self.mediated_ok / self.mediated:.1%}" if self.mediated else "—"

    def values(self) -> list:
        return [getattr(self, k) for k, _ in COLUMNS]


@dataclass
class CentreFigures:
    body: Body
    year: int
    total: Row
    by_month: list[Row] = field(default_factory=list)
    by_organisation: list[Row] = field(default_factory=list)
    by_body: list[Row] = field(default_factory=list)
    columns: tuple = COLUMNS


def _span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def referrals_in_scope(*, body: Body) -> QuerySet[Referral]:
    return Referral.objects.filter(referring_body__in=bodies_under(body).values("pk"))


def closed_in(qs: QuerySet[Referral], year: int) -> QuerySet[Referral]:
    start, end = _span(year)
    return qs.filter(status=Status.CLOSED, outcome_on__gte=start, outcome_on__lte=end)


# The drill-down's order as keyset keys (core/keyset.py): latest outcome first, a referral without one last.
DRILL_KEYS = (Key("outcome_on", "date", desc=True, nulls_last=True), Key("id", desc=True))


def drill_down(
    *,
    body: Body,
    year: int,
    column: str,
    month: int | None = None,
    organisation: int | None = None,
    referring_body: int | None = None,
) -> QuerySet[Referral]:
    """The referrals behind one cell: a column, and the row's month, organisation or referring body (always
    within the acting body's scope: another body's id just finds nothing)."""
    spec = DRILL.get(column)
    if spec is None:
        return Referral.objects.none()
    qs = referrals_in_scope(body=body)
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if referring_body:
        qs = qs.filter(referring_body_id=referring_body)
    if column == "counselling":
        start, end = _span(year)
        sessions = Session.objects.filter(held_on__gte=start, held_on__lte=end)
        if month:
            sessions = sessions.filter(held_on__month=month)
        qs = qs.filter(kind__in=spec["kind_in"], pk__in=sessions.values("referral_id"))
    else:
        qs = closed_in(qs, year)
        if month:
            qs = qs.filter(outcome_on__month=month)
        if "kind_in" in spec:
            qs = qs.filter(kind__in=spec["kind_in"])
        if "outcome_in" in spec:
            qs = qs.filter(outcome__in=spec["outcome_in"])
        if "outcome_not" in spec:
            qs = qs.exclude(outcome__in=spec["outcome_not"])
    return qs.select_related("organisation", "referring_body").order_by("-outcome_on", "-id")


_OUTCOME_COUNTS = {
    "mediated": Count("id", filter=Q(kind__in=MEDIATION_KINDS) & ~Q(outcome=Outcome.NOT_TAKEN)),
    "mediated_ok": Count("id", filter=Q(kind__in=MEDIATION_KINDS, outcome__in=list(AGREEMENTS))),
    "tried": Count("id", filter=Q(outcome__in=list(TRIED))),
    "arbitrated": Count("id", filter=Q(kind__in=ARBITRATION_KINDS, outcome__in=ARBITRATED)),
    "consultations": Count(
        "id", filter=Q(kind=ReferralKind.LEGAL_CONSULTATION, outcome=Outcome.ADVICE_GIVEN)
    ),
}


def _add(row: Row, values: dict) -> None:
    for name, n in values.items():
        setattr(row, name, getattr(row, name) + (n or 0))


# The visits by month and registering body, [{"m": 1–12, "registering_body": id, "bn": name, "n": count}], of
# the visit cases registered in the year by the bodies under `body`: the analytics app registers a reader of
# its case tally here (AnalyticsConfig.ready; a hook, as analytics sits above resolution), so the card never
# reads the case rows. Without one, the cases are counted below.
VISIT_COUNTS: list[Callable[..., Iterable[dict]]] = []


def centre_figures(*, body: Body, year: int) -> CentreFigures:
    """Three grouped queries whatever the volume — outcomes, counselling sessions and visits, each grouped by
    month × organisation × body at once — rolled up here into the three breakdowns and the total."""
    start, end = _span(year)
    scope = referrals_in_scope(body=body)
    closed = closed_in(scope, year)
    sessions = Session.objects.filter(
        referral__in=scope, referral__kind=ReferralKind.COUNSELLING, held_on__gte=start, held_on__lte=end
    )
    visits = cases_unscoped(reason="visits counted by body").filter(
        registering_body__in=bodies_under(body).values("pk"),
        channel=Channel.VISIT,
        created_at__gte=datetime.combine(start, time.min, tzinfo=timezone.get_current_timezone()),
        created_at__lt=datetime.combine(
            end + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
        ),
    )
    months = {m: Row(label=f"{year}年{m}月", key=f"{m}") for m in range(1, 13)}
    orgs: dict[int, Row] = {}
    bodies: dict[int, Row] = {}

    def org_row(pk, name):
        return orgs.setdefault(pk, Row(label=name, key=str(pk)))

    def body_row(pk, name):
        return bodies.setdefault(pk, Row(label=name, key=str(pk)))

    outcome_rows = (
        closed.annotate(m=ExtractMonth("outcome_on"))
        .values(
            "m", "organisation", "referring_body", on=F("organisation__name"), bn=F("referring_body__name")
        )
        .annotate(**_OUTCOME_COUNTS)
        .order_by()
    )
    for r in outcome_rows:
        values = {k: r[k] for k in _OUTCOME_COUNTS}
        _add(months[r["m"]], values)
        _add(org_row(r["organisation"], r["on"]), values)
        _add(body_row(r["referring_body"], r["bn"]), values)
    session_rows = (
        sessions.annotate(m=ExtractMonth("held_on"))
        .values(
            "m",
            org=F("referral__organisation"),
            on=F("referral__organisation__name"),
            b=F("referral__referring_body"),
            bn=F("referral__referring_body__name"),
        )
        .annotate(n=Sum("attendees"))
        .order_by()
    )
    for r in session_rows:
        values = {"counselling": r["n"]}
        _add(months[r["m"]], values)
        _add(org_row(r["org"], r["on"]), values)
        _add(body_row(r["b"], r["bn"]), values)
    visit_rows = (
        VISIT_COUNTS[0](body=body, year=year)
        if VISIT_COUNTS
        else visits.annotate(m=ExtractMonth("created_at"))
        .values("m", "registering_body", bn=F("registering_body__name"))
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in visit_rows:
        _add(months[r["m"]], {"visits": r["n"]})
        _add(body_row(r["registering_body"], r["bn"]), {"visits": r["n"]})

    total = Row(label=f"{year}年合计")
    for row in months.values():
        _add(total, {name: getattr(row, name) for name, _ in COLUMNS if name != "success_rate"})
    return CentreFigures(
        body=body,
        year=year,
        total=total,
        by_month=list(months.values()),
        by_organisation=sorted(orgs.values(), key=lambda r: r.label),
        by_body=sorted(bodies.values(), key=lambda r: r.label),
    )


def centre_figures_xlsx(figures: CentreFigures) -> bytes:
    """The Excel 台账 of the figures: one sheet per breakdown, the year's total first."""

    # openpyxl takes ~0.4 s to import: loaded only when a workbook is read or written
    from openpyxl import Workbook
    from openpyxl.styles import Font  # openpyxl, as above

    wb = Workbook()
    sheets = (
        ("按月", "月份", figures.by_month),
        ("按解纷组织", "解纷组织", figures.by_organisation),
        ("按移送机关", "机关", figures.by_body),
    )
    first = True
    for title, head, rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        ws.append([f"{figures.body.name}{figures.year}年多元解纷情况（{title}）"])
        ws["A1"].font = Font(bold=True)
        ws.append([head, *[label for _, label in COLUMNS]])
        for row in [figures.total, *rows]:
            ws.append([row.label, *row.values()])
        ws.column_dimensions["A"].width = 28
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
