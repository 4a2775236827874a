"""Excel exports: the campaign ledger (清零 progress case by case, with the per-batch and per-body summary),
the leaders' 领办台账, and the supervision figures. Write-only workbooks, built in memory and returned as bytes;
no personal data (case numbers, bodies, results only)."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.db.models import QuerySet
from openpyxl import Workbook

from xinfang.supervision.figures import SupervisionFigures, figures_sheet
from xinfang.supervision.models import Campaign, CampaignCase, CampaignResult, LeaderCase
from xinfang.supervision.selectors import campaign_progress

CAMPAIGN_HEADERS = [
    "批次",
    "事项编号",
    "标题",
    "责任单位",
    "包案领导",
    "化解期限",
    "化解结果",
    "报结时间",
    "审核销号时间",
]
RESULT_LABELS = dict(CampaignResult.choices)


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def campaign_ledger_xlsx(*, campaign: Campaign, items: QuerySet[CampaignCase]) -> bytes:
    return _bytes(campaign_ledger_workbook(campaign=campaign, items=items))


def campaign_ledger_workbook(
    *, campaign: Campaign, items: QuerySet[CampaignCase], on_rows: Callable[[int], None] | None = None
) -> Workbook:
    """The workbook, for the bytes above or for a background job to save (supervision/export_jobs.py);
    `on_rows(rows written)` every 5,000 rows and at the end."""
    wb = Workbook(write_only=True)
    summary = wb.create_sheet("清零进度")
    progress = campaign_progress(campaign=campaign)
    summary.append([campaign.name, f"清零期限 {campaign.ends_on.isoformat()}"])
    summary.append(
        [
            "合计",
            progress["total"],
            "已报结",
            progress["reported"],
            "已销号",
            progress["signed"],
            "清零率（%）",
            progress["rate"],
        ]
    )
    summary.append([])
    summary.append(["批次", "事项", "已报结", "已销号", "清零率（%）"])
    for r in progress["batches"]:
        summary.append([r["batch__number"], r["total"], r["reported"], r["signed"], r["rate"]])
    summary.append([])
    summary.append(["责任单位", "事项", "已报结", "已销号", "清零率（%）"])
    for r in progress["bodies"]:
        summary.append([r["responsible_body__name"], r["total"], r["reported"], r["signed"], r["rate"]])
    ws = wb.create_sheet("事项台账")
    ws.append(CAMPAIGN_HEADERS)
    rows = items.values_list(
        "batch__number",
        "case__number",
        "case__title",
        "responsible_body__name",
        "leader_name",
        "due_on",
        "result",
        "result_at",
        "signed_off_at",
    ).order_by("batch__number", "pk")
    done = 0
    for b, number, title, body, leader, due, result, result_at, signed in rows.iterator(chunk_size=5000):
        done += 1
        if on_rows is not None and done % 5000 == 0:
            on_rows(done)
        ws.append(
            [
                b,
                number,
                title,
                body,
                leader,
                due.isoformat(),
                str(RESULT_LABELS.get(result, "")),
                result_at.strftime("%Y-%m-%d %H:%M") if result_at else "",
                signed.strftime("%Y-%m-%d %H:%M") if signed else "",
            ]
        )
    if on_rows is not None:
        on_rows(done)
    return wb


def leader_ledger_xlsx(qs: QuerySet[LeaderCase]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("领办台账")
    ws.append(["包案领导", "所在机关", "事项编号", "类别", "包案时间", "已完成环节", "状态", "化解结果"])
    for lc in qs:
        ws.append(
            [
                lc.leader.get_full_name(),
                lc.leader_body.name,
                lc.case.number,
                str(lc.get_level_display()),
                lc.opened_at.strftime("%Y-%m-%d"),
                f"{lc.steps_done}/4",
                str(lc.get_status_display()),
                lc.outcome_note,
            ]
        )
    return _bytes(wb)


def figures_xlsx(figures: SupervisionFigures) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    figures_sheet(wb, figures)
    return _bytes(wb)
