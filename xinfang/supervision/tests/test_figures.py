"""The figures: 督办 by kind and rung, replies on time, 包案 化解率, 倒流, 清零率 — on the page, in Excel, on the
analytics dashboard and in the annual report (Art. 41 (二)(三))."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from xinfang.supervision import services
from xinfang.supervision.figures import supervision_figures
from xinfang.supervision.models import SupervisionKind

pytestmark = pytest.mark.django_db


def test_figures_count_what_happened(world, tmp_path):
    kinds = {k.code: k for k in SupervisionKind.objects.all()}
    today = timezone.localdate()
    on_time = services.supervision_issue(
        actor=world.supervisor,
        kind=kinds["phone"],
        body=world.housing,
        case_numbers=[world.held_case().number],
        reason="delay",
        requirement="x",
    )
    services.supervision_reply(actor=world.housing_head, supervision=on_time, measures="m", result="r")
    late = services.supervision_issue(
        actor=world.supervisor,
        kind=kinds["system"],
        body=world.housing,
        case_numbers=[world.held_case().number],
        reason="delay",
        requirement="x",
        issued_on=today - timedelta(days=30),
    )
    services.supervision_reply(actor=world.housing_head, supervision=late, measures="m", result="r")
    for resolved in (True, False):
        lc = services.leader_case_open(actor=world.county_leader, case=world.held_case(), plan="p")
        services.leader_case_close(actor=world.county_leader, leader_case=lc, resolved=resolved, outcome="o")
    services.leader_case_open(actor=world.county_leader, case=world.held_case(), plan="p")  # still active
    services.recommendation_issue(actor=world.supervisor, kind="policy", body=world.housing, text="t")
    reception = services.reception_record(
        actor=world.supervisor, kind="down", on=today, place="东华街道", leader=world.county_leader.user
    )
    tagged = world.held_case()
    services.reception_case_tag(actor=world.supervisor, reception=reception, case_number=tagged.number)

    f = supervision_figures(body=world.supervisor.body, start=today - timedelta(days=60), end=today)
    assert (f.issued, f.replied, f.replied_on_time, f.on_time_rate) == (2, 2, 1, 50.0)
    assert [(r["kind__name"], r["kind__rung"], r["issued"]) for r in f.by_kind] == [
        ("系统督办", 1, 1),
        ("电话督办", 2, 1),
    ]
    assert (f.leader_cases, f.leader_cases_closed, f.leader_cases_resolved, f.resolution_rate) == (
        3,
        2,
        1,
        50.0,
    )
    assert f.backflows == 0 and f.clear_rate is None
    assert (f.received, f.received_done) == (1, 0)
    assert [r["kind"] for r in f.recommendations] == ["policy"]
    # a body that was supervised sees its own
    own = supervision_figures(body=world.housing, start=today - timedelta(days=60), end=today)
    assert own.issued == 2

    from openpyxl import load_workbook

    from xinfang.supervision.exports import figures_xlsx

    wb = load_workbook(io.BytesIO(figures_xlsx(f)))
    assert wb.sheetnames == ["督查督办"] and wb["督查督办"]["B2"].value == 2

    from docx import Document

    from xinfang.analytics.annual import annual_report_write

    out = tmp_path / "annual.docx"
    annual_report_write(body=world.supervisor.body, year=today.year, output=out)
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "六、督查督办及建议采纳情况" in text


def _recount(body, start, end) -> dict:
    """The card's counts over the rows, by the rule as written before issue 14's cut: local dates per row,
    every campaign item, the 倒流's case joined."""
    from django.db.models import Q

    from xinfang.supervision.models import Backflow, CampaignCase, LeaderCase

    region = body.region.path
    lcs = LeaderCase.objects.filter(
        leader_body__region__path__startswith=region, opened_at__date__range=(start, end)
    )
    items = CampaignCase.objects.filter(Q(campaign__issuing_body=body) | Q(responsible_body=body))
    return {
        "leader_cases": lcs.count(),
        "closed": lcs.exclude(status="active").count(),
        "resolved": lcs.filter(status="resolved").count(),
        "raised": lcs.filter(level="raised").count(),
        "backflows": Backflow.objects.filter(
            case__problem_region__path__startswith=region, detected_at__date__range=(start, end)
        ).count(),
        "campaign_items": items.count(),
        "campaign_signed": items.filter(signed_off_at__isnull=False).count(),
    }


def test_the_dashboards_supervision_card_equals_the_recount_without_reading_items_or_dates_per_row(world):
    """The dashboard's card (supervision_figures_year, detail=False) at a 1M-case bench read every campaign item,
    computed a local date per 包案 and joined every case of the region to find the 倒流: now the items come from
    CampaignTally and the periods are instant ranges — the same figures as the recount over the rows, including
    a 包案 and a 倒流 a minute either side of local midnight on the period's bounds."""
    from datetime import datetime, time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinfang.orgs.models import Body, Region
    from xinfang.supervision.figures import supervision_figures_year
    from xinfang.supervision.models import Backflow, Batch, Campaign, CampaignCase, LeaderCase

    today = timezone.localdate()
    year = today.year
    zone = timezone.get_current_timezone()
    first = datetime.combine(today.replace(month=1, day=1), time.min, tzinfo=zone)
    after = datetime.combine(today.replace(year=year + 1, month=1, day=1), time.min, tzinfo=zone)
    minute = timedelta(minutes=1)
    at = [first - minute, first, first + minute, after - minute, after, after + minute]
    leader_body = world.county_leader.body
    for i, when in enumerate(at):
        LeaderCase.objects.create(
            case=world.held_case(),
            leader=world.county_leader.user,
            leader_body=leader_body,
            plan="p",
            opened_at=when,
            status=["active", "resolved", "unresolved"][i % 3],
            level=["own", "raised"][i % 2],
        )
    elsewhere = (
        Region.objects.exclude(path__startswith=world.housing.region.path).exclude(level="city").first()
    )
    for i, when in enumerate(at):
        case = world.held_case()
        if i % 2:
            case.__class__.objects.filter(pk=case.pk).update(problem_region=elsewhere)
        Backflow.objects.create(
            case=case, earlier=world.held_case(), found_by="repeat_link", detected_at=when
        )
    campaign = Campaign.objects.create(
        name="清零", issuing_body=world.supervisor.body, started_on=today, ends_on=today + timedelta(days=30)
    )
    batch = Batch.objects.create(campaign=campaign, number=1, handed_down_on=today, source="excel")
    for i in range(5):
        CampaignCase.objects.create(
            campaign=campaign,
            batch=batch,
            case=world.held_case(),
            responsible_body=world.housing,
            due_on=today + timedelta(days=30),
            signed_off_at=timezone.now() if i % 2 else None,
        )
    seen = set()
    for body in (world.supervisor.body, world.county_supervisor.body, world.housing):
        body = Body.objects.select_related("region").get(pk=body.pk)
        with CaptureQueriesContext(connection) as ctx:
            f = supervision_figures_year(body=body, year=year)
        shown = {
            "leader_cases": f.leader_cases,
            "closed": f.leader_cases_closed,
            "resolved": f.leader_cases_resolved,
            "raised": f.raised,
            "backflows": f.backflows,
            "campaign_items": f.campaign_items,
            "campaign_signed": f.campaign_signed,
        }
        assert shown == _recount(body, date(year, 1, 1), date(year, 12, 31)), body.code
        seen.add(tuple(shown.values()))
        sql = "\n".join(q["sql"] for q in ctx.captured_queries)
        assert "supervision_campaigncase" not in sql  # the items' tally, not the items
        assert "cast_date" not in sql and "AT TIME ZONE" not in sql  # no local date computed per row
    # the boundaries matter: the city sees 包案 and 倒流 of the period only, the items of its campaign
    assert (3, 1, 5, 2) in {(s[0], s[4], s[5], s[6]) for s in seen}, seen
