"""Hand-computed figures over cases made through the real services, placed in time with time-machine.

The story (district 信访局 990101-xinfang registers everything; today = 2026-09-30):
  c1 registered 3-02, transferred 3-05, received, accepted 3-06, answered 3-20, evaluated 基本满意 3-25,
     concluded 3-26 — a backlog case (积案), cleared
  c2 registered 3-02, transferred late 3-30, received, accepted 4-01, answered late 7-15, never evaluated
     (its window lapsed 8-14)
  c3 registered 7-15, sent to 人社局 who objects; the objection is agreed, then transferred to 住建局
     (moved between bodies), accepted 7-20, answered on time 9-15: its evaluation window is still open
  c4 registered 9-20, not yet due (in no rate)
  c5 registered 3-02, never transferred: past due; a backlog case, not cleared
  c6 the same petitioner and matter as c1 again on 4-01: a repeat
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings

from xinfang.analytics.figures import DEFINITIONS, Period, figure_cases, figures_all_bodies, figures_for
from xinfang.cases.models import Outcome, Route
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import head, officer, register, registrar
from xinfang.evaluation.services import evaluation_record
from xinfang.orgs.models import Body

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 30)
YEAR = Period.year(2026)


def at(day: str):
    return time_machine.travel(f"2026-{day} 10:00 +0800", tick=False)


def _through_acceptance(case, reg, target, sent, accepted):
    with at(sent):
        case = case_act(case=case, actor=reg, action="transfer", target_body=target)
        case = case_act(case=case, actor=officer(target.code), action="receive")
    with at(accepted):
        case = case_act(case=case, actor=officer(target.code), action="accept", route=Route.HANDLE)
    return case


def _answer(case, day, code="990101-housing"):
    with at(day):
        return case_act(
            case=case, actor=head(code), action="answer", outcome=Outcome.SUPPORT, text="已解决。"
        )


@pytest.fixture
def story(demo_city):
    reg = registrar()
    housing = Body.objects.get(code="990101-housing")
    labour = Body.objects.get(code="990101-labour")
    cases = {}
    with at("03-02"):
        c1 = register(by=reg, seed=1, flags={"is_backlog": True}).case
        c2 = register(by=reg, seed=2).case
        c5 = register(by=reg, seed=5, flags={"is_backlog": True}).case
    c1 = _through_acceptance(c1, reg, housing, "03-05", "03-06")
    c1 = _answer(c1, "03-20")
    with at("03-25"):
        evaluation_record(case=c1, actor=reg, result="basically")
    with at("03-26"):
        c1 = case_act(case=c1, actor=officer(), action="conclude")
    c2 = _through_acceptance(c2, reg, housing, "03-30", "04-01")
    c2 = _answer(c2, "07-15")
    with at("04-01"):
        c6 = register(by=reg, seed=1).case
    assert c6.is_repeat
    with at("07-15"):
        c3 = register(by=reg, seed=3).case
        c3 = case_act(case=c3, actor=reg, action="transfer", target_body=labour)
    with at("07-16"):
        c3 = case_act(case=c3, actor=officer(labour.code), action="receive")
    with at("07-17"):
        c3 = case_act(case=c3, actor=officer(labour.code), action="object", reason="不属于本机关职权")
        c3 = case_act(case=c3, actor=head("990101-xinfang"), action="objection_agree", reason="同意")
    c3 = _through_acceptance(c3, reg, housing, "07-18", "07-20")
    c3 = _answer(c3, "09-15")
    with at("09-20"):
        c4 = register(by=reg, seed=4).case
    cases.update(c1=c1, c2=c2, c3=c3, c4=c4, c5=c5, c6=c6)
    return cases


def _pairs(figs):
    return {f.key: (f.numerator, f.denominator, f.text) for f in figs}


def test_hand_computed_figures(story):
    xinfang = Body.objects.get(code="990101-xinfang")
    housing = Body.objects.get(code="990101-housing")
    labour = Body.objects.get(code="990101-labour")

    # registration clocks at the 信访局: c1 ✓, c2 ✗ (late), c3 ✓✓ (twice, before and after the objection),
    # c5 ✗ (open past due); c4 is not yet due
    reg = _pairs(figures_for(body=xinfang, period=YEAR, today=TODAY))
    assert reg["timely_registration"] == (3, 5, "60.00%")
    assert reg["repeat"] == (1, 6, "16.67%")
    assert reg["backlog_cleared"] == (0, 1, "0.00%")  # c5 only: c1's backlog belongs to its handler
    assert reg["answered_on_time"] == (0, 0, "—")  # the 信访局 answers nothing: no rate, not 0% or 100%

    h = _pairs(figures_for(body=housing, period=YEAR, today=TODAY))
    assert h["timely_acceptance"] == (3, 3, "100.00%")
    assert h["answered_on_time"] == (2, 3, "66.67%")  # c2 answered late
    assert h["evaluation_participation"] == (1, 2, "50.00%")  # c3's window is still open: not counted
    assert h["satisfaction"] == (1, 1, "100.00%")
    assert h["backlog_cleared"] == (1, 1, "100.00%")
    assert h["timely_registration"] == (0, 0, "—")

    # the body the case moved away from keeps its own acceptance clock, stopped when its objection was agreed
    assert _pairs(figures_for(body=labour, period=YEAR, today=TODAY))["timely_acceptance"] == (
        1,
        1,
        "100.00%",
    )

    whole = _pairs(figures_for(body=xinfang, period=YEAR, today=TODAY, with_under=True))
    assert whole["timely_acceptance"] == (4, 4, "100.00%")
    assert whole["backlog_cleared"] == (1, 2, "50.00%")

    city = Body.objects.get(code="990100-xinfang")
    assert _pairs(figures_for(body=city, period=YEAR, today=TODAY))["timely_registration"] == (0, 0, "—")
    assert _pairs(figures_for(body=city, period=YEAR, today=TODAY, with_under=True))[
        "timely_registration"
    ] == (
        3,
        5,
        "60.00%",
    )


def test_today_decides_open_clocks(story):
    housing = Body.objects.get(code="990101-housing")
    # on 8-01 c2's evaluation window was still open: nothing to count yet but c1
    early = figures_for(body=housing, period=YEAR, today=date(2026, 8, 1))
    assert (early["evaluation_participation"].numerator, early["evaluation_participation"].denominator) == (
        1,
        1,
    )
    # next spring c3's window has lapsed too
    late = figures_for(body=housing, period=YEAR, today=date(2027, 3, 1))
    assert late["evaluation_participation"].text == "33.33%"


@override_settings(XINFANG_SATISFACTION_COUNTS_BASIC=False)
def test_satisfied_only_setting(story):
    housing = Body.objects.get(code="990101-housing")
    assert figures_for(body=housing, period=YEAR, today=TODAY)["satisfaction"].text == "0.00%"


def test_drill_down_matches_the_counts(story):
    xinfang = Body.objects.get(code="990101-xinfang")
    num, den = figure_cases("timely_registration", body=xinfang, period=YEAR, today=TODAY)
    assert set(num) == {story["c1"], story["c3"]}  # c3 owed twice and was on time twice: one case
    assert set(den) == {story["c1"], story["c2"], story["c3"], story["c5"]}
    housing = Body.objects.get(code="990101-housing")
    num, den = figure_cases("answered_on_time", body=housing, period=YEAR, today=TODAY)
    assert set(num) == {story["c1"], story["c3"]} and set(den) == {story["c1"], story["c2"], story["c3"]}
    num, den = figure_cases("repeat", body=xinfang, period=YEAR, today=TODAY)
    assert list(num) == [story["c6"]] and den.count() == 6
    for key in DEFINITIONS:
        num, den = figure_cases(key, body=housing, period=YEAR, today=TODAY)
        assert set(num) <= set(den)


def test_all_bodies_agree_with_one_body(story):
    ranked = {f.body.code: f for f in figures_all_bodies(period=YEAR, today=TODAY)}
    housing = Body.objects.get(code="990101-housing")
    one = figures_for(body=housing, period=YEAR, today=TODAY)
    assert _pairs(ranked["990101-housing"]) == _pairs(one)
    city = {f.body.code: f for f in figures_all_bodies(period=YEAR, today=TODAY, with_under=True)}
    assert _pairs(city["990100-xinfang"])["timely_registration"] == (3, 5, "60.00%")


def test_rate_is_decimal_half_up():
    from xinfang.analytics.figures import rate

    assert (
        rate(1, 8) == Decimal("12.50") and rate(1, 3) == Decimal("33.33") and rate(2, 3) == Decimal("66.67")
    )
    assert rate(1, 200) == Decimal("0.50") and rate(1, 0) is None


def test_seed_report_participation_and_satisfaction(demo_city):
    """The seed report's 参评率 86.86% and 满意率 97.21%: 681 evaluated of 784 due (103 windows lapsed),
    662 of the 681 满意 or 基本满意. Rows bulk-made on top of one real answered case."""
    from xinfang.cases.models import Case
    from xinfang.deadlines.models import Clock
    from xinfang.evaluation.models import Evaluation, Stage

    housing = Body.objects.get(code="990101-housing")
    with at("03-02"):
        real = register(seed=1).case
    real = _through_acceptance(real, registrar(), housing, "03-03", "03-04")
    real = _answer(real, "03-10")
    Clock.objects.filter(case=real).delete()
    clones = []
    for i in range(681):
        c = Case.objects.get(pk=real.pk)
        c.pk = None
        c.number = f"SEED-{i:04d}"
        clones.append(c)
    clones = Case.objects.bulk_create(clones)
    due = date(2026, 6, 30)
    clocks = [
        Clock(
            case=c,
            kind="evaluation",
            body=housing,
            started_on=date(2026, 6, 1),
            days=30,
            due_on=due,
            is_open=False,
            stopped_on=date(2026, 6, 10),
            on_time=True,
            stopped_by="evaluate",
        )
        for c in clones
    ] + [
        Clock(
            case=real,
            kind="evaluation",
            body=housing,
            started_on=date(2026, 6, 1),
            days=30,
            due_on=due,
            is_open=(i % 2 == 0),
            stopped_on=None if i % 2 == 0 else date(2026, 6, 20),
            stopped_by="" if i % 2 == 0 else "request_rereview",
        )
        for i in range(103)
    ]
    Clock.objects.bulk_create(clocks)
    with at("06-10"):
        Evaluation.objects.bulk_create(
            Evaluation(
                case=c,
                stage=Stage.ANSWER,
                result=("satisfied", "basically", "unsatisfied")[0 if i < 600 else 1 if i < 662 else 2],
                channel="online",
            )
            for i, c in enumerate(clones)
        )
    figs = figures_for(body=housing, period=YEAR, today=TODAY)
    assert figs["evaluation_participation"].text == "86.86%"
    assert (figs["evaluation_participation"].numerator, figs["evaluation_participation"].denominator) == (
        681,
        784,
    )
    assert figs["satisfaction"].text == "97.21%"
    assert (figs["satisfaction"].numerator, figs["satisfaction"].denominator) == (662, 681)
