"""The annual report of 条例 Art. 41 as a .docx, ready to paste into the bureau's report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, Sum
from docx import Document

from xinfang.analytics.assessment import INDICATORS, SIDE_LABELS, assessment_table, assessment_weights
from xinfang.analytics.figures import Period, figures_for, rate, rate_text, scope_body_ids
from xinfang.analytics.models import ActTally
from xinfang.analytics.volume import case_counts, counts_by_field
from xinfang.cases.models import Outcome
from xinfang.core.models import Event
from xinfang.orgs.models import Body

# The 信访部门's own acts of Art. 41 (二); 督办 actions are counted by whatever name supervision records.
SENDING_ACTIONS = {"transfer": "转送", "assign": "交办", "tell": "告知"}
SUPERVISION_PREFIXES = ("supervis", "duban")


@dataclass
class AnnualStats:
    body: Body
    period: Period
    total: int
    by_field: dict[str, list[tuple[str, int]]]
    skipped_levels: str
    complained: list[tuple[str, int]]
    acts: list[tuple[str, int]]
    outcomes: list[tuple[str, int]]
    figures: list


def acts_by_action(*, ids: list[int], period: Period) -> dict[str, int]:
    """转送, 交办, 告知 and 督办 events on cases recorded by the bodies in the period, by action: from ActTally
    (kept by a trigger on the event log), not the log itself."""
    rows = ActTally.objects.filter(body_id__in=ids, day__gte=period.start, day__lte=period.end)
    return {r["action"]: r["n"] for r in rows.values("action").annotate(n=Sum("count")).order_by() if r["n"]}


def acts_by_action_raw(*, ids: list[int], period: Period) -> dict[str, int]:
    """The same counted in the event log (what the tally must equal; the tests compare)."""
    events = Event.objects.filter(
        object_type="cases.case",
        body_id__in=ids,
        occurred_at__gte=period.start_at,
        occurred_at__lt=period.end_before,
    )
    counts = dict(events.order_by().values_list("action").annotate(n=Count("id")))
    return {a: n for a, n in counts.items() if a in SENDING_ACTIONS or a.startswith(SUPERVISION_PREFIXES)}


def annual_stats(*, body: Body, year: int) -> AnnualStats:
    period = Period.year(year)
    ids = scope_body_ids(body, with_under=True)
    by_action = acts_by_action(ids=ids, period=period)
    acts = [(label, by_action.get(action, 0)) for action, label in SENDING_ACTIONS.items()]
    supervision = sum(n for a, n in by_action.items() if a.startswith(SUPERVISION_PREFIXES))
    acts.append(("督办", supervision))
    # The counts by field from the case tally (analytics.volume), never the case rows.
    counts = case_counts(viewer=body, period=period, ids=ids, with_handling=True)
    outcome_labels = dict(Outcome.choices)
    outcomes = [(outcome_labels.get(o, o), n) for o, n in sorted(counts.per_value("outcome").items()) if o]
    return AnnualStats(
        body=body,
        period=period,
        total=counts.total,
        by_field={
            "来源渠道": counts_by_field(counts, "channel"),
            "信访类型": counts_by_field(counts, "petition_type"),
            "内容分类（涉及领域）": counts_by_field(counts, "category"),
            "问题属地": counts_by_field(counts, "region"),
            "有权处理机关": counts_by_field(counts, "handling"),
        },
        skipped_levels=rate_text(rate(counts.skipped, counts.total)),
        complained=counts.complained(),
        acts=acts,
        outcomes=outcomes,
        figures=list(figures_for(body=body, period=period, with_under=True)),
    )


def _table(doc, headers: list[str], rows: list[list]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, h in zip(table.rows[0].cells, headers, strict=True):
        cell.text = h
    for row in rows:
        cells = table.add_row().cells
        for cell, v in zip(cells, row, strict=True):
            cell.text = str(v)


def annual_report_write(*, body: Body, year: int, output: str | Path) -> AnnualStats:
    s = annual_stats(body=body, year=year)
    doc = Document()
    doc.add_heading(f"{body.name}{year}年度信访情况统计", level=0)
    doc.add_paragraph(
        f"统计范围：{body.name}及其所辖机关单位；统计期间：{s.period}。依据《信访工作条例》第四十一条。"
    )
    doc.add_heading("一、信访事项数据统计与涉及领域", level=1)
    doc.add_paragraph(f"全年登记（含所辖机关办理）信访事项{s.total}件，其中越级信访占比{s.skipped_levels}。")
    for name, rows in s.by_field.items():
        doc.add_heading(name, level=2)
        _table(doc, [name, "件数"], [[label, n] for label, n in rows] or [["（无）", 0]])
    doc.add_heading("被投诉较多的机关、单位", level=2)
    _table(doc, ["被反映单位", "件数"], [[label, n] for label, n in s.complained] or [["（无）", 0]])
    doc.add_heading("二、转送、交办、督办情况", level=1)
    _table(doc, ["事项", "件数"], [[label, n] for label, n in s.acts])
    doc.add_heading("处理结果", level=2)
    _table(doc, ["处理意见", "件数"], [[label, n] for label, n in s.outcomes] or [["（无）", 0]])
    doc.add_heading("三、主要指标", level=1)
    _table(
        doc,
        ["指标", "分子", "分母", "比率"],
        [[f.name, f.numerator, f.denominator, f.text] for f in s.figures],
    )
    doc.add_paragraph("注：分母为0的指标以“—”表示；口径见 docs/figures.md。")
    from xinfang.reception.figures import hall_figures_year  # the hall's figures (issue #13)

    hall = hall_figures_year(body=body, year=year)
    doc.add_heading("四、来访接待", level=1)
    _table(doc, ["项目", "数值"], [[label, value] for label, value in hall.rows()])
    from xinfang.resolution.figures import COLUMNS, centre_figures  # 多元解纷 (issue #14)

    centre = centre_figures(body=body, year=year)
    doc.add_heading("五、多元解纷（访、调、裁、审、处）", level=1)
    rows = [[row.label, *row.values()] for row in [centre.total, *centre.by_organisation]]
    _table(doc, ["", *[label for _, label in COLUMNS]], rows)
    from xinfang.supervision.figures import annual_section  # 督办 and Art. 40 建议 (issue #12)

    annual_section(doc, body=body, year=year, table=_table)
    assessment_section(doc, body=body, year=year)
    doc.save(str(output))
    return s


def assessment_section(doc, *, body: Body, year: int) -> None:
    """六、年度考核 (Art. 39): the figures beside the quality review's scores, weighted per side
    (xinfang/analytics/assessment.py; weights in XINFANG_ASSESSMENT_WEIGHTS)."""
    rows = assessment_table(body=body, year=year)
    weights = assessment_weights()
    doc.add_heading("七、年度考核（质效评价，第三十九条）", level=1)
    for side, label in SIDE_LABELS.items():
        keys = [k for k, w in weights[side].items() if w]
        doc.add_heading(label, level=2)
        side_rows = [r for r in rows if r.side == side]
        _table(
            doc,
            ["单位", *[INDICATORS[k] for k in keys], "评价件数", "合格/基本合格/不合格", "综合得分"],
            [
                [
                    r.body.name,
                    *[rate_text(r.values.get(k)) for k in keys],
                    r.quality.reviewed,
                    f"{r.quality.passed}/{r.quality.basic}/{r.quality.failed}",
                    "—" if r.score is None else str(r.score),
                ]
                for r in side_rows
            ]
            or [["（无）", *["—"] * len(keys), 0, "0/0/0", "—"]],
        )
        doc.add_paragraph(
            "权重："
            + "，".join(f"{INDICATORS[k]}{weights[side][k]}" for k in keys)
            + "；无数据的指标不计，其余按权重折算。"
        )
