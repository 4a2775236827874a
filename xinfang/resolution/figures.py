"""The one-stop centre's figures (访、调、裁、审、处), by month, organisation and referring body.

Definitions (docs/resolution.md says the same):
- 接待群众来访（批次）visits received: cases registered through the 来访 channel by the bodies in scope, by the
  day they arrived (one registration = one 批次; a group visit is one).
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

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from xinfang.cases.models import Case, Channel
from xinfang.orgs.models import Body
from xinfang.orgs.selectors import bodies_under
from xinfang.resolution.models import Referral, Session, Status
from xinfang.resolution.rules import AGREEMENTS, KIND_RULES, TRIED, Effect, Outcome, ReferralKind

MEDIATION_KINDS = [k for k, r in KIND_RULES.items() if r.effect == Effect.MEDIATION]
ARBITRATION_KINDS = [ReferralKind.LABOUR_ARBITRATION, ReferralKind.ARBITRATION]
ARBITRATED = [Outcome.AWARD, Outcome.ARBITRAL_MEDIATION]

# (key, label) of each column, in order; the drill-down filter each one opens.
COLUMNS = (
    ("visits", "接待群众来访（批次）"),
    ("mediated", "调解纠纷（起）"),
    ("mediated_ok", "调解成功（起）"),
    ("success_rate", "调解成功率"),
    ("tried", "审理诉讼（起）"),
    ("arbitrated", "仲裁结案（起）"),
    ("counselling", "心理疏导（人次）"),
    ("consultations", "法律咨询（人次）"),
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


def _span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def referrals_in_scope(*, body: Body) -> QuerySet[Referral]:
    return Referral.objects.filter(referring_body__in=bodies_under(body).values("pk"))


def closed_in(qs: QuerySet[Referral], year: int) -> QuerySet[Referral]:
    start, end = _span(year)
    return qs.filter(status=Status.CLOSED, outcome_on__gte=start, outcome_on__lte=end)


def drill_down(*, body: Body, year: int, column: str, month: int | None = None) -> QuerySet[Referral]:
    """The referrals behind one cell (a column, optionally one month)."""
    spec = DRILL.get(column)
    if spec is None:
        return Referral.objects.none()
    qs = referrals_in_scope(body=body)
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


def _fill(rows: dict, key, values: dict) -> None:
    row = rows.get(key)
    if row is None:
        return
    for name, n in values.items():
        if name in _OUTCOME_COUNTS or name in ("visits", "counselling"):
            setattr(row, name, getattr(row, name) + (n or 0))


def centre_figures(*, body: Body, year: int) -> CentreFigures:
    """Five grouped queries whatever the volume: outcomes and sessions by month, by organisation, by body,
    and the visits by month and by body."""
    start, end = _span(year)
    scope = referrals_in_scope(body=body)
    closed = closed_in(scope, year)
    sessions = Session.objects.filter(
        referral__in=scope, referral__kind=ReferralKind.COUNSELLING, held_on__gte=start, held_on__lte=end
    )
    visits = Case.objects.filter(
        registering_body__in=bodies_under(body).values("pk"),
        channel=Channel.VISIT,
        arrived_at__date__gte=start,
        arrived_at__date__lte=end,
    )

    months = {m: Row(label=f"{year}年{m}月", key=f"{m}") for m in range(1, 13)}
    for r in closed.annotate(m=ExtractMonth("outcome_on")).values("m").annotate(**_OUTCOME_COUNTS).order_by():
        _fill(months, r["m"], r)
    for r in sessions.annotate(m=ExtractMonth("held_on")).values("m").annotate(n=Sum("attendees")).order_by():
        _fill(months, r["m"], {"counselling": r["n"]})
    for r in visits.annotate(m=ExtractMonth("arrived_at")).values("m").annotate(n=Count("id")).order_by():
        _fill(months, r["m"], {"visits": r["n"]})

    orgs: dict = {}
    for r in (
        closed.values("organisation", name=F("organisation__name"))
        .annotate(**_OUTCOME_COUNTS)
        .order_by("name")
    ):
        orgs[r["organisation"]] = Row(label=r["name"], key=str(r["organisation"]))
        _fill(orgs, r["organisation"], r)
    for r in (
        sessions.values("referral__organisation", name=F("referral__organisation__name"))
        .annotate(n=Sum("attendees"))
        .order_by()
    ):
        org = r["referral__organisation"]
        orgs.setdefault(org, Row(label=r["name"], key=str(org)))
        _fill(orgs, org, {"counselling": r["n"]})

    bodies: dict = {}
    for r in (
        closed.values("referring_body", name=F("referring_body__name")).annotate(**_OUTCOME_COUNTS).order_by()
    ):
        bodies[r["referring_body"]] = Row(label=r["name"], key=str(r["referring_body"]))
        _fill(bodies, r["referring_body"], r)
    for r in (
        sessions.values("referral__referring_body", name=F("referral__referring_body__name"))
        .annotate(n=Sum("attendees"))
        .order_by()
    ):
        b = r["referral__referring_body"]
        bodies.setdefault(b, Row(label=r["name"], key=str(b)))
        _fill(bodies, b, {"counselling": r["n"]})
    for r in (
        visits.values("registering_body", name=F("registering_body__name")).annotate(n=Count("id")).order_by()
    ):
        b = r["registering_body"]
        bodies.setdefault(b, Row(label=r["name"], key=str(b)))
        _fill(bodies, b, {"visits": r["n"]})

    total = Row(label=f"{year}年合计")
    for row in months.values():
        for name, _ in COLUMNS:
            if name != "success_rate":
                setattr(total, name, getattr(total, name) + getattr(row, name))
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
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

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
