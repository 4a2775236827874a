"""The figures: 督办 by kind and rung, replies on time, 包案 化解率, 倒流, 清零率 — on the page, in Excel, on the
analytics dashboard and in the annual report (Art. 41 (二)(三))."""

from __future__ import annotations

import io
from datetime import timedelta

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
