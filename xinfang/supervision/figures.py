"""Supervision figures (条例 Art. 41 (二)(三): 督办情况, 建议及采纳情况), per body and period: 督办 by kind and
rung, replies on time, 包案 化解率, 倒流 count, campaign 清零率. Counts only — no case content — over what the
acting body issued (or, for a body that is supervised, what it received). A handful of grouped queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from xinfang.cases.selectors import cases_unscoped
from xinfang.orgs.models import Body
from xinfang.supervision.models import (
    Backflow,
    CampaignTally,
    LeaderCase,
    LeaderCaseStatus,
    ReceivedCase,
    Recommendation,
    RecommendationKind,
    Supervision,
)
from xinfang.supervision.services import DONE_STATES  # 办结: answered or ended (the 倒流 rule's own set)


def _pct(n: int, d: int) -> float | None:
    return round(100 * n / d, 1) if d else None


@dataclass
class SupervisionFigures:
    body: Body
    start: date
    end: date
    by_kind: list[dict] = field(default_factory=list)  # kind name, rung, issued, replied, on_time, closed
    issued: int = 0
    replied: int = 0
    replied_on_time: int = 0
    by_body: list[dict] = field(default_factory=list)  # supervised body, issued, replied on time
    recommendations: list[dict] = field(default_factory=list)  # kind, issued, feedback, adopted
    leader_cases: int = 0
    leader_cases_closed: int = 0
    leader_cases_resolved: int = 0
    raised: int = 0
    backflows: int = 0
    campaign_items: int = 0
    campaign_signed: int = 0
    received: int = 0
    received_done: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return _pct(self.replied_on_time, self.replied)

    @property
    def resolution_rate(self) -> float | None:
        return _pct(self.leader_cases_resolved, self.leader_cases_closed)

    @property
    def clear_rate(self) -> float | None:
        return _pct(self.campaign_signed, self.campaign_items)

    def rows(self) -> list[tuple[str, object]]:
        """The headline figures as (name, value) for the Excel sheet and the annual report."""
        return [
            ("督办总数", self.issued),
            ("已回复", self.replied),
            ("按期回复", self.replied_on_time),
            ("按期回复率（%）", self.on_time_rate if self.on_time_rate is not None else "—"),
            ("领导包案", self.leader_cases),
            ("其中提级包案", self.raised),
            ("包案化解率（%）", self.resolution_rate if self.resolution_rate is not None else "—"),
            ("倒流", self.backflows),
            ("专项行动事项", self.campaign_items),
            ("已审核销号", self.campaign_signed),
            ("清零率（%）", self.clear_rate if self.clear_rate is not None else "—"),
            ("领导接访受理事项", self.received),
            ("其中已办结", self.received_done),
        ]


def _counts(body: Body, **querysets) -> dict[str, int]:
    """Several counts in one query: each a scalar subquery on the body's row — COUNT(*) of a queryset, or for
    (queryset, column) the SUM of that column (a tally's rows)."""

    def one(qs) -> Coalesce:
        qs, column = qs if isinstance(qs, tuple) else (qs, None)
        n = Count("pk") if column is None else Sum(column)
        return Coalesce(
            Subquery(
                qs.order_by().annotate(_one=Value(1)).values("_one").annotate(n=n).values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )

    subqueries = {name: one(qs) for name, qs in querysets.items()}
    return Body.objects.filter(pk=body.pk).annotate(**subqueries).values(*querysets).get()


def _local_days(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end] as local days, as the instants [start 00:00, end + 1 day 00:00) in the current time zone —
    what `__date__range` means, as a range an index can read (no date computed per row)."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def supervision_figures(*, body: Body, start: date, end: date, detail: bool = True) -> SupervisionFigures:
    """Figures of the 督办 issued by `body` (or addressed to it) with an issue date in [start, end]; 包案 of
    leaders in its region opened in the period; 倒流 detected in the period on cases registered in its region;
    campaign items of campaigns it runs (or its own items)."""
    f = SupervisionFigures(body=body, start=start, end=end)
    sups = Supervision.objects.filter(Q(issuing_body=body) | Q(body=body), issued_on__range=(start, end))
    agg = {
        "issued": Count("pk"),
        "replied": Count("pk", filter=Q(replied_at__isnull=False)),
        "on_time": Count("pk", filter=Q(replied_on_time=True)),
        "closed": Count("pk", filter=Q(status="closed")),
        "escalated": Count("pk", filter=Q(status="escalated")),
    }
    f.by_kind = list(sups.values("kind__name", "kind__rung").annotate(**agg).order_by("kind__rung"))
    for row in f.by_kind:
        f.issued += row["issued"]
        f.replied += row["replied"]
        f.replied_on_time += row["on_time"]
        row["rate"] = _pct(row["on_time"], row["replied"])
    if not detail:  # the dashboard's card: the headline figures and the ladder only
        f.by_body, f.recommendations = [], []
        return _rest(f, body, start, end)
    f.by_body = list(
        sups.filter(issuing_body=body)
        .values("body__name")
        .annotate(**agg)
        .order_by("-issued", "body__name")[:50]
    )
    for row in f.by_body:
        row["rate"] = _pct(row["on_time"], row["replied"])
    f.recommendations = list(
        Recommendation.objects.filter(Q(issuing_body=body) | Q(body=body), issued_on__range=(start, end))
        .values("kind")
        .annotate(
            issued=Count("pk"),
            feedback=Count("pk", filter=Q(feedback_at__isnull=False)),
            adopted=Count("pk", filter=Q(adoption__in=["adopted", "partly"])),
        )
        .order_by("kind")
    )
    return _rest(f, body, start, end)
    return f


def _rest(f: SupervisionFigures, body: Body, start: date, end: date) -> SupervisionFigures:
    """包案, 倒流, 清零 and leader receptions, in one query. Its cost follows the period's 包案 and 倒流 and the tally's
    rows, not the cases or campaign items (issue 14: the dashboard at 1M cases): each 包案's open instant is
    compared with the period's bounds (no local date computed per row), a 倒流's case is checked per 倒流 by
    its primary key (a join let SQLite walk every case of the region), and the campaign items are summed
    from CampaignTally (the same counts as the items: total, signed off)."""
    region = body.region.path
    since, before = _local_days(start, end)
    lcs = LeaderCase.objects.filter(
        leader_body__region__path__startswith=region, opened_at__gte=since, opened_at__lt=before
    )
    items = CampaignTally.objects.filter(Q(campaign__issuing_body=body) | Q(responsible_body=body))
    in_region = cases_unscoped(reason="倒流 counted by region").filter(
        pk=OuterRef("case_id"), problem_region__path__startswith=region
    )
    backflows = Backflow.objects.filter(detected_at__gte=since, detected_at__lt=before).filter(
        Exists(in_region)
    )
    # cases received at leaders' reception days, 下访 and 联合接访 in the period, and how many are 办结
    received = ReceivedCase.objects.filter(
        reception__leader_body__region__path__startswith=region, reception__date__range=(start, end)
    )
    counts = _counts(
        body,
        leader_cases=lcs,
        closed=lcs.exclude(status=LeaderCaseStatus.ACTIVE),
        resolved=lcs.filter(status=LeaderCaseStatus.RESOLVED),
        raised=lcs.filter(level="raised"),
        backflows=backflows,
        campaign_items=(items, "total"),
        campaign_signed=(items, "signed"),
        received=received,
        received_done=received.filter(case__state__in=list(DONE_STATES)),
    )
    f.received, f.received_done = counts["received"], counts["received_done"]
    f.leader_cases, f.leader_cases_closed = counts["leader_cases"], counts["closed"]
    f.leader_cases_resolved, f.raised = counts["resolved"], counts["raised"]
    f.backflows = counts["backflows"]
    f.campaign_items, f.campaign_signed = counts["campaign_items"], counts["campaign_signed"]
    return f


def figures_sheet(wb, figures: SupervisionFigures) -> None:
    """Write the figures as a sheet of an openpyxl workbook (the analytics Excel and our own export)."""
    ws = wb.create_sheet("督查督办")
    ws.append([f"{figures.body.name} 督查督办统计 {figures.start.isoformat()} 至 {figures.end.isoformat()}"])
    for name, value in figures.rows():
        ws.append([name, value])
    ws.append([])
    ws.append(["督办方式", "层级", "督办", "已回复", "按期回复", "按期回复率（%）", "已办结", "已升级"])
    for r in figures.by_kind:
        ws.append(
            [
                r["kind__name"],
                r["kind__rung"],
                r["issued"],
                r["replied"],
                r["on_time"],
                r["rate"],
                r["closed"],
                r["escalated"],
            ]
        )
    ws.append([])
    ws.append(["被督办单位", "督办", "已回复", "按期回复", "按期回复率（%）"])
    for r in figures.by_body:
        ws.append([r["body__name"], r["issued"], r["replied"], r["on_time"], r["rate"]])
    ws.append([])
    ws.append(["建议类别", "提出", "已反馈", "采纳（含部分）"])

    for r in figures.recommendations:
        ws.append([RecommendationKind(r["kind"]).label, r["issued"], r["feedback"], r["adopted"]])
    ws.column_dimensions["A"].width = 28


def supervision_figures_year(*, body: Body, year: int, detail: bool = False) -> SupervisionFigures:
    return supervision_figures(body=body, start=date(year, 1, 1), end=date(year, 12, 31), detail=detail)


def annual_section(doc, *, body: Body, year: int, table) -> None:
    """The annual report's section on 督办 and the Art. 40 建议 and their adoption (Art. 41 (二)(三))."""

    f = supervision_figures_year(body=body, year=year, detail=True)
    doc.add_heading("六、督查督办及建议采纳情况", level=1)
    table(doc, ["项目", "数值"], [[name, value] for name, value in f.rows()])
    doc.add_heading("督办方式", level=2)
    table(
        doc,
        ["督办方式", "督办", "已回复", "按期回复", "已办结", "已升级"],
        [
            [r["kind__name"], r["issued"], r["replied"], r["on_time"], r["closed"], r["escalated"]]
            for r in f.by_kind
        ]
        or [["（无）", 0, 0, 0, 0, 0]],
    )
    doc.add_heading("改进工作、完善政策、追究责任的建议及采纳情况", level=2)
    table(
        doc,
        ["建议类别", "提出", "已书面反馈", "采纳（含部分采纳）"],
        [
            [RecommendationKind(r["kind"]).label, r["issued"], r["feedback"], r["adopted"]]
            for r in f.recommendations
        ]
        or [["（无）", 0, 0, 0]],
    )
