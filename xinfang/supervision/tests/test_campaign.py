"""Backlog campaigns: a batch from Excel (all rows checked first, one clear error per bad row, nothing written
when any row is bad), batches by rule, results signed off by the higher level, and 清零 only when every case
has a signed-off result."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook

from xinfang.cases.models import Case, PetitionType
from xinfang.core.errors import NotFound, TransitionNotAllowed, ValidationFailed
from xinfang.supervision import services
from xinfang.supervision.models import Batch, CampaignCase
from xinfang.supervision.selectors import campaign_progress

pytestmark = pytest.mark.django_db

DUE = (timezone.localdate() + timedelta(days=60)).isoformat()


def xlsx(rows, header=services.IMPORT_HEADERS) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


@pytest.fixture
def campaign(world):
    return services.campaign_create(
        actor=world.supervisor,
        name="集中治理重复信访、化解信访积案专项行动",
        ends_on=timezone.localdate() + timedelta(days=90),
    )


def test_import_a_batch(world, campaign):
    cases = [world.held_case() for _ in range(3)]
    rows = [(c.number, "990101-housing", "何副区长", DUE) for c in cases]
    rows[1] = (
        cases[1].number,
        "东城区住房和城乡建设局",
        "",
        date.fromisoformat(DUE),
    )  # by name, a real date cell
    batch = services.campaign_import_excel(actor=world.supervisor, campaign=campaign, file=xlsx(rows))
    assert batch.number == 1 and batch.items.count() == 3
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("is_backlog", flat=True)) == {
        True
    }
    second = services.campaign_import_excel(
        actor=world.supervisor,
        campaign=campaign,
        file=xlsx([(world.held_case().number, "990101-housing", "", DUE)]),
    )
    assert second.number == 2


@pytest.mark.parametrize("large", [False, True], ids=["per-chunk visibility", "one-pass visibility"])
def test_bad_rows_each_named_and_nothing_half_imported(world, campaign, monkeypatch, large):
    if large:
        monkeypatch.setattr(services, "LARGE_BATCH", 0)
    good = world.held_case()
    accused = world.held_case()
    # 检举控告 about the city 信访局 itself: it may not see it, so it cannot hand it down either
    Case.objects.filter(pk=accused.pk).update(
        petition_type=PetitionType.ACCUSATION, subject_body=world.supervisor.body
    )
    rows = [
        (good.number, "990101-housing", "何副区长", DUE),  # row 2: fine
        ("990101-xinfang-2026-999999", "990101-housing", "", DUE),  # row 3: no such case
        (accused.number, "990101-housing", "", DUE),  # row 4: not visible
        (good.number, "990101-housing", "", DUE),  # row 5: duplicate of row 2
        (world.held_case().number, "不存在的单位", "", DUE),  # row 6
        (world.held_case().number, "990101-housing", "", "下个月"),  # row 7
        (world.held_case().number, "990101-housing", "", "2000-01-01"),  # row 8: before the campaign
    ]
    with pytest.raises(ValidationFailed) as err:
        services.campaign_import_excel(actor=world.supervisor, campaign=campaign, file=xlsx(rows))
    assert err.value.code == "import_rows_invalid"
    by_row = {r["row"]: r["message"] for r in err.value.extra["rows"]}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8]
    assert "不存在或无权查看" in by_row[3] and "不存在或无权查看" in by_row[4]
    assert "第2行重复" in by_row[5]
    assert "不存在" in by_row[6] and "不是日期" in by_row[7] and "早于" in by_row[8]
    assert "第3行" in err.value.message
    assert not Batch.objects.exists() and not CampaignCase.objects.exists()
    assert not Case.objects.filter(is_backlog=True).exists()


def test_not_a_workbook_and_a_wrong_header(world, campaign):
    with pytest.raises(ValidationFailed) as err:
        services.campaign_import_excel(
            actor=world.supervisor, campaign=campaign, file=io.BytesIO(b"not excel")
        )
    assert err.value.code == "not_a_workbook"
    with pytest.raises(ValidationFailed) as err:
        services.campaign_import_excel(
            actor=world.supervisor, campaign=campaign, file=xlsx([], header=("编号", "单位", "领导", "期限"))
        )
    assert err.value.code == "bad_header"


def test_only_the_issuing_body_hands_down(world, campaign):
    with pytest.raises(NotFound):
        services.campaign_import_excel(actor=world.county_supervisor, campaign=campaign, file=xlsx([]))


def test_batch_by_rule(world, campaign):
    old = world.held_case()
    Case.objects.filter(pk=old.pk).update(registered_at=timezone.now() - timedelta(days=200))
    world.held_case()  # recent: not chosen
    batch = services.campaign_batch_by_rule(
        actor=world.supervisor, campaign=campaign, open_days_over=180, due_on=date.fromisoformat(DUE)
    )
    assert list(batch.items.values_list("case_id", flat=True)) == [old.pk]
    assert batch.rule == {"open_days_over": 180, "repeated_at_least": 0}
    with pytest.raises(ValidationFailed):  # nothing left to pick
        services.campaign_batch_by_rule(
            actor=world.supervisor, campaign=campaign, open_days_over=180, due_on=date.fromisoformat(DUE)
        )


def test_clear_only_when_every_case_has_a_signed_off_result(world, campaign):
    cases = [world.held_case() for _ in range(2)]
    services.campaign_import_excel(
        actor=world.supervisor,
        campaign=campaign,
        file=xlsx([(c.number, "990101-housing", "", DUE) for c in cases]),
    )
    first, second = CampaignCase.objects.filter(campaign=campaign).order_by("pk")
    with pytest.raises(TransitionNotAllowed):
        services.campaign_clear(actor=world.supervisor, campaign=campaign)
    with pytest.raises(TransitionNotAllowed):  # nothing to sign off before a result is reported
        services.campaign_sign_off(actor=world.supervisor, item=first, approve=True)
    services.campaign_progress_add(actor=world.housing_head, item=first, text="已入户走访")
    for item in (first, second):
        services.campaign_result_report(
            actor=world.housing_head,
            item=item,
            result="resolved",
            text="达成协议",
            evidence="协议书、回访记录",
        )
    services.campaign_sign_off(actor=world.supervisor, item=first, approve=True)
    # refused: back to the body; a reported but unsigned result does not count
    services.campaign_sign_off(actor=world.supervisor, item=second, approve=False, note="佐证不足")
    second.refresh_from_db()
    assert second.result == ""
    with pytest.raises(TransitionNotAllowed) as err:
        services.campaign_clear(actor=world.supervisor, campaign=campaign)
    assert err.value.extra == {"left": 1, "total": 2}
    services.campaign_result_report(
        actor=world.housing_head, item=second, result="stopped", text="息诉", evidence="承诺书"
    )
    services.campaign_sign_off(actor=world.supervisor, item=second, approve=True)
    assert campaign_progress(campaign=campaign)["rate"] == 100.0
    cleared = services.campaign_clear(actor=world.supervisor, campaign=campaign)
    assert cleared.cleared_at is not None


def test_an_empty_campaign_is_not_cleared(world, campaign):
    with pytest.raises(TransitionNotAllowed):
        services.campaign_clear(actor=world.supervisor, campaign=campaign)


def test_progress_per_batch_and_body(world, campaign):
    cases = [world.held_case() for _ in range(3)]
    services.campaign_import_excel(
        actor=world.supervisor,
        campaign=campaign,
        file=xlsx([(c.number, "990101-housing", "", DUE) for c in cases[:2]]),
    )
    services.campaign_import_excel(
        actor=world.supervisor, campaign=campaign, file=xlsx([(cases[2].number, "990101-labour", "", DUE)])
    )
    item = CampaignCase.objects.filter(campaign=campaign, responsible_body__code="990101-housing").first()
    services.campaign_result_report(
        actor=world.housing_head, item=item, result="resolved", text="t", evidence="e"
    )
    services.campaign_sign_off(actor=world.supervisor, item=item, approve=True)
    p = campaign_progress(campaign=campaign)
    assert [(r["batch__number"], r["total"], r["signed"]) for r in p["batches"]] == [(1, 2, 1), (2, 1, 0)]
    assert {r["responsible_body__name"]: r["rate"] for r in p["bodies"]} == {
        "东城区住房和城乡建设局": 50.0,
        "东城区人力资源和社会保障局": 0.0,
    }
    # the responsible body sees its own share only
    own = campaign_progress(campaign=campaign, body=world.housing)
    assert own["total"] == 2
