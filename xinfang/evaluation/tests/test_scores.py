"""Quality scores per body and period (xinfang/evaluation/scores.py) and the annual assessment that combines them
with the figures (xinfang/analytics/assessment.py): in the Excel ledger, the annual report and on the dashboard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from docx import Document as Docx
from openpyxl import load_workbook

from xinfang.analytics.annual import annual_report_write
from xinfang.analytics.assessment import assessment_table, weighted_score
from xinfang.analytics.figures import Period, figures_all_bodies
from xinfang.analytics.ledger import figures_export
from xinfang.cases.tests.factories import actor
from xinfang.evaluation.models import ReviewResult, ScoreLevel
from xinfang.evaluation.quality_services import review_plan_create, review_plan_draw, review_submit
from xinfang.evaluation.scores import ScoreSide, quality_scores, quality_summary
from xinfang.evaluation.tests.conftest import CITY_BUREAU, evaluator
from xinfang.orgs.models import Body, Role
from xinfang.orgs.selectors import bodies_under

pytestmark = pytest.mark.django_db
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def reviewed(quarter):
    """Three of the quarter's cases (handled by the district 住建局, registered by the district 信访局) reviewed
    in April: 合格, 基本合格, 不合格. Their opinions cite no legal basis, so each one's procedure fails."""
    ev = evaluator()
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False):
        plan = review_plan_create(
            actor=ev,
            name="2026年第一季度",
            body=Body.objects.get(code=CITY_BUREAU),
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            all_cases=True,
            seed=7,
        )
        plan = review_plan_draw(actor=ev, plan=plan)
        scores = {
            c.pk: {"level": ScoreLevel.MET, "note": "见办理记录"} for c in plan.criteria_set.criteria.all()
        }
        items = list(plan.items.order_by("pk"))[:3]
        for item, result in zip(
            items, [ReviewResult.PASS, ReviewResult.BASIC, ReviewResult.FAIL], strict=True
        ):
            review_submit(
                actor=ev, item=item, result=result, summary="见评价记录", scores=scores, requirement="整改"
            )
    return {
        "housing": Body.objects.get(code="990101-housing"),
        "bureau": Body.objects.get(code="990101-xinfang"),
    }


def test_scores_per_body_on_each_side(reviewed, settings, django_assert_num_queries):
    housing, bureau = reviewed["housing"], reviewed["bureau"]
    with django_assert_num_queries(1):
        scores = quality_scores(start=YEAR[0], end=YEAR[1])
    h, b = scores[housing.pk], scores[bureau.pk]
    assert h.side == ScoreSide.HANDLER and (h.reviewed, h.passed, h.basic, h.failed) == (3, 1, 1, 1)
    assert h.review_score == Decimal("53.33")  # (100 + 60 + 0) / 3
    assert h.procedural_rate == Decimal("0.00")  # no 意见书 names its legal basis (Art. 32)
    # The 信访局 answers for its own steps of the cases it registered: on time and lawfully routed.
    assert b.side == ScoreSide.XINFANG and b.reviewed == 3 and b.procedural_rate == Decimal("100.00")
    assert quality_scores(start=date(2026, 1, 1), end=date(2026, 3, 31)) == {}  # reviewed in April
    settings.XINFANG_REVIEW_RESULT_POINTS = {ReviewResult.BASIC: 50}
    assert quality_scores(start=YEAR[0], end=YEAR[1])[housing.pk].review_score == Decimal("50.00")
    # limited to some bodies, still one query; the other side's body is left out
    with django_assert_num_queries(1):
        only = quality_scores(start=YEAR[0], end=YEAR[1], bodies=[housing.pk])
    assert set(only) == {housing.pk}
    sides = quality_summary(start=YEAR[0], end=YEAR[1], bodies=bodies_under(bureau))
    assert sides[ScoreSide.HANDLER].reviewed == 3 and sides[ScoreSide.XINFANG].reviewed == 3


def test_weighted_score_drops_indicators_with_nothing_to_count():
    weights = {"a": 30, "b": 70, "c": 10}
    assert weighted_score({"a": Decimal(100), "b": Decimal(50), "c": None}, weights) == Decimal("65.00")
    assert weighted_score({"a": None, "b": None}, weights) is None
    assert weighted_score({"a": Decimal(80), "b": Decimal(0)}, {"a": 1, "b": 0}) == Decimal("80.00")


def test_assessment_in_the_ledger_the_annual_report_and_the_dashboard(reviewed, settings, tmp_path, client):
    housing, bureau = reviewed["housing"], reviewed["bureau"]
    with time_machine.travel("2026-12-31 18:00 +0800", tick=False):
        rows = assessment_table(body=bureau, year=2026)
        by_body = {r.body.pk: r for r in rows}
        assert rows[0].side == ScoreSide.XINFANG
        h = by_body[housing.pk]
        assert h.values["review_score"] == Decimal("53.33") and h.values["procedural_rate"] == Decimal("0.00")
        assert set(h.values) >= {"timely_acceptance", "answered_on_time", "satisfaction"}
        assert h.score is not None
        # the weights are local practice: all on the review score, the score is the review score
        settings.XINFANG_ASSESSMENT_WEIGHTS = {
            ScoreSide.HANDLER: dict.fromkeys(h.values, 0) | {"review_score": 1}
        }
        again = {r.body.pk: r for r in assessment_table(body=bureau, year=2026)}
        assert again[housing.pk].score == Decimal("53.33")

        figs = figures_all_bodies(period=Period.year(2026), bodies=bodies_under(bureau))
        book = load_workbook(figures_export(figs, path=tmp_path / "figures.xlsx"), read_only=True)
        sheet = list(book["年度考核"].iter_rows(values_only=True))
        header, found = sheet[0], [r for r in sheet if r[0] == housing.code]
        assert "质效评价得分" in header and "综合得分" in header
        assert (
            found and found[0][header.index("评价件数")] == 3 and found[0][header.index("综合得分")] == 53.33
        )
        assert "考核权重" in book.sheetnames

        annual_report_write(body=bureau, year=2026, output=tmp_path / "annual.docx")
        text = "\n".join(p.text for p in Docx(str(tmp_path / "annual.docx")).paragraphs)
        assert "七、年度考核（质效评价，第三十九条）" in text and "权重" in text

        registrar = actor("990101-xinfang", Role.REGISTRAR)
        client.force_login(registrar.user)
        page = client.get(reverse("analytics:dashboard") + "?year=2026").content.decode()
        assert 'data-testid="quality-scores"' in page and 'data-testid="quality-handler"' in page
        assert "53.33" in page
