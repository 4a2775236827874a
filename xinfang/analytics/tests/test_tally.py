"""The figure tallies (analytics.models, kept by database triggers) against the source rows.

After every walk of real case actions — transfers with several bodies and a lead designated, 交办 with an
objection agreed (the 交办 clock closed by a bulk update), extensions, hearings (the due date moves), late
and on-time answers, 复查, evaluations — each tally equals a fresh GROUP BY over the rows it counts, and
the figures read from the tallies equal the figures counted over the raw tables, for every body, alone
and with the bodies under it, for several "todays".
"""

import itertools
from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.analytics.figures import (
    Period,
    _counts_by_body,
    _counts_by_body_raw,
    evaluation_body_expr,
    figures_all_bodies,
    figures_for,
    scope_body_ids,
)
from xinfang.analytics.models import ClockTally, EvaluationTally, RegistrationTally
from xinfang.analytics.tally import tally_rebuild
from xinfang.analytics.tests.test_figures import story  # noqa: F401  (the hand-computed fixture)
from xinfang.cases.models import Case, Outcome, Route
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import head, officer, register, registrar
from xinfang.core.errors import ApplicationError
from xinfang.deadlines.models import Clock
from xinfang.evaluation.models import Evaluation
from xinfang.evaluation.services import evaluation_record
from xinfang.orgs.models import Body

pytestmark = pytest.mark.django_db

YEAR = Period.year(2026)


def at(day: str):
    return time_machine.travel(f"2026-{day} 10:00 +0800", tick=False)


# —— the source rows, counted afresh ——


def fresh_clocks() -> dict:
    rows = Clock.objects.values("body_id", "kind", "due_on").annotate(
        n_open=Count("id", filter=Q(is_open=True)),
        n_on_time=Count("id", filter=Q(is_open=False, on_time=True)),
        n_late=Count("id", filter=Q(is_open=False, on_time=False)),
        n_evaluated=Count("id", filter=Q(is_open=False, stopped_by="evaluate")),
        n_closed=Count("id", filter=Q(is_open=False)),
    )
    return {
        (r["body_id"], r["kind"], r["due_on"]): (
            r["n_open"],
            r["n_on_time"],
            r["n_late"],
            r["n_evaluated"],
            r["n_closed"],
        )
        for r in rows.order_by()
    }


def tallied_clocks() -> dict:
    out = {}
    for t in ClockTally.objects.all():
        counts = (t.open_count, t.on_time_count, t.late_count, t.evaluated_count, t.closed_count)
        if any(counts):  # a row emptied by a moved clock stays at zero
            out[(t.body_id, t.kind, t.due_on)] = counts
    return out


def fresh_evaluations() -> dict:
    rows = (
        Evaluation.objects.annotate(body=evaluation_body_expr(), day=TruncDate("created_at"))
        .filter(body__isnull=False)
        .values("body", "day", "result")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["body"], r["day"], r["result"]): r["n"] for r in rows}


def tallied_evaluations() -> dict:
    return {(t.body_id, t.day, t.result): t.count for t in EvaluationTally.objects.exclude(count=0)}


def fresh_registrations() -> dict:
    rows = (
        Case.objects.annotate(day=TruncDate("registered_at"))
        .values("registering_body_id", "day")
        .annotate(n=Count("id"), rep=Count("id", filter=Q(is_repeat=True)))
        .order_by()
    )
    return {(r["registering_body_id"], r["day"]): (r["n"], r["rep"]) for r in rows}


def tallied_registrations() -> dict:
    return {
        (t.body_id, t.day): (t.total, t.repeats)
        for t in RegistrationTally.objects.exclude(total=0, repeats=0)
    }


def assert_tallies_match_the_rows() -> None:
    assert tallied_clocks() == fresh_clocks()
    assert tallied_evaluations() == fresh_evaluations()
    assert tallied_registrations() == fresh_registrations()


def _pairs(counts: dict) -> dict:
    return {
        body: {k: (f.numerator, f.denominator) for k, f in figs.items()}
        for body, figs in counts.items()
        if any(f.numerator or f.denominator for f in figs.values())
    }


# A district's and the city's 信访局 (with the bodies under them), the agencies the walks involve.
SAMPLE_BODIES = [
    "990101-xinfang",
    "990100-xinfang",
    "990101-housing",
    "990101-labour",
    "990101-urban_management",
    "990100-urban_management",
]


def assert_figures_match_the_raw_count(todays) -> None:
    bodies = list(Body.objects.filter(code__in=SAMPLE_BODIES))
    for today in todays:
        assert _pairs(_counts_by_body(YEAR, today, None)) == _pairs(_counts_by_body_raw(YEAR, today, None))
        for b in bodies:
            ids = scope_body_ids(b, with_under=True)
            assert _pairs(_counts_by_body(YEAR, today, ids)) == _pairs(_counts_by_body_raw(YEAR, today, ids))


# —— the walks ——


def test_hand_computed_story_tallies_and_figures_match_the_raw_count(story):  # noqa: F811
    assert_tallies_match_the_rows()
    assert_figures_match_the_raw_count(
        [date(2026, 3, 15), date(2026, 8, 1), date(2026, 9, 30), date(2027, 3, 1)]
    )
    # and the rebuild from scratch gives the same rows as the triggers kept
    kept = (tallied_clocks(), tallied_evaluations(), tallied_registrations())
    call_command("figures_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (tallied_clocks(), tallied_evaluations(), tallied_registrations()) == kept


@pytest.fixture
def scripted(demo_city):
    """A walk touching every way a clock changes."""
    reg = registrar()
    housing = Body.objects.get(code="990101-housing")
    urban = Body.objects.get(code="990101-urban_management")
    with at("02-02"):
        a = register(by=reg, seed=21).case
        b = register(by=reg, seed=22).case
        c = register(by=reg, seed=23).case
    # a: several bodies, received by 住建局, then 城管局 named to lead — the open acceptance clock moves body
    with at("02-03"):
        a = case_act(case=a, actor=reg, action="transfer", target_body=housing, co_bodies=[urban])
        a = case_act(case=a, actor=officer(housing.code), action="receive")
    with at("02-04"):
        a = case_act(case=a, actor=reg, action="designate_lead", target_body=urban, reason="主要涉及占道经营")
    assert Clock.objects.get(case=a, kind="acceptance").body == urban
    with at("02-06"):
        a = case_act(case=a, actor=officer(urban.code), action="accept", route=Route.HANDLE)
    # an extension and a hearing move the handling due date (twice)
    with at("03-01"):
        a = case_act(case=a, actor=head(urban.code), action="extend", days=30, reason="需要现场勘验")
    with at("03-05"):
        a = case_act(case=a, actor=officer(urban.code), action="hearing_start", reason="听证")
    with at("03-20"):
        a = case_act(case=a, actor=officer(urban.code), action="hearing_end", reason="听证结束")
    with at("06-30"):  # late
        a = case_act(
            case=a, actor=head(urban.code), action="answer", outcome=Outcome.SUPPORT, text="已解决。"
        )
    with at("07-05"):
        a = case_act(case=a, actor=reg, action="request_review", reason="不服")
    with at("07-20"):
        a = case_act(
            case=a,
            actor=head("990100-urban_management"),
            action="decide_review",
            outcome=Outcome.EXPLAIN,
            text="说明",
        )
    with at("07-25"):
        evaluation_record(case=a, actor=reg, result="unsatisfied")
    # b: 交办 with a date, objected to and the objection agreed: the 交办 clock is closed by a bulk update
    with at("02-03"):
        b = case_act(case=b, actor=reg, action="assign", target_body=housing, due_date=date(2026, 3, 1))
        b = case_act(case=b, actor=officer(housing.code), action="receive")
    with at("02-05"):
        b = case_act(case=b, actor=officer(housing.code), action="object", reason="不属于本机关")
        b = case_act(case=b, actor=head("990101-xinfang"), action="objection_agree", reason="异议成立")
    assert Clock.objects.filter(case=b, stopped_by="objection_agree").exists()
    # c: answered on time and evaluated
    with at("02-03"):
        c = case_act(case=c, actor=reg, action="transfer", target_body=housing)
        c = case_act(case=c, actor=officer(housing.code), action="receive")
        c = case_act(case=c, actor=officer(housing.code), action="accept", route=Route.HANDLE)
    with at("03-01"):
        c = case_act(case=c, actor=head(housing.code), action="answer", outcome=Outcome.SUPPORT, text="好")
    with at("03-05"):
        evaluation_record(case=c, actor=reg, result="satisfied")
    return {"a": a, "b": b, "c": c}


def test_scripted_walk_tallies_and_figures_match_the_raw_count(scripted):
    assert_tallies_match_the_rows()
    assert_figures_match_the_raw_count([date(2026, 2, 10), date(2026, 5, 1), date(2026, 12, 31)])
    urban = Body.objects.get(code="990101-urban_management")
    figs = figures_for(body=urban, period=YEAR, today=date(2026, 12, 31))
    assert (figs["timely_acceptance"].numerator, figs["timely_acceptance"].denominator) == (1, 1)
    assert (figs["answered_on_time"].numerator, figs["answered_on_time"].denominator) == (0, 1)


def test_a_case_deleted_or_moved_takes_its_counts_along(scripted):
    a = scripted["a"]
    # the 复查 body's evaluation follows the case if the case's 复查 body is changed (by any write)
    Case.objects.filter(pk=a.pk).update(review_body=Body.objects.get(code="990100-government"))
    assert_tallies_match_the_rows()
    # clocks rewritten in bulk, then the case deleted with everything hanging on it
    Clock.objects.filter(case=scripted["c"]).update(due_on=date(2026, 4, 30), is_open=True)
    assert_tallies_match_the_rows()
    Clock.objects.filter(case=a).delete()
    Evaluation.objects.filter(case=a).delete()
    Case.objects.filter(pk=a.pk).delete()
    assert_tallies_match_the_rows()
    assert_figures_match_the_raw_count([date(2026, 12, 31)])


def test_rebuild_since_a_day_recounts_only_from_that_day(scripted):
    ClockTally.objects.update(open_count=99)  # spoil every row
    tally_rebuild(since=date(2026, 3, 1))
    assert ClockTally.objects.filter(due_on__lt=date(2026, 3, 1), open_count=99).exists()
    tally_rebuild()
    assert_tallies_match_the_rows()


def test_figures_all_bodies_read_the_tallies(scripted, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):  # bodies, clocks, evaluations, registrations, backlog
        ranked = figures_all_bodies(period=YEAR, today=date(2026, 12, 31))
    assert {f.body.code for f in ranked if f["answered_on_time"].denominator} >= {"990101-urban_management"}


# —— random walks ——

STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "transfer",
                "assign",
                "designate_lead",
                "receive",
                "object",
                "objection_agree",
                "objection_refuse",
                "accept",
                "extend",
                "hearing_start",
                "hearing_end",
                "answer",
                "request_review",
                "decide_review",
                "conclude",
                "archive",
                "evaluate",
            ]
        ),
        st.sampled_from(["registrar", "officer", "head", "city_officer", "other_officer"]),
        st.integers(min_value=0, max_value=40),  # days passing before the step: on time or late
    ),
    min_size=1,
    max_size=12,
)
_seeds = itertools.count(3000)
ACTORS = {
    "registrar": registrar,
    "officer": officer,
    "head": head,
    "city_officer": lambda: officer("990100-housing"),
    "other_officer": lambda: officer("990101-urban_management"),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_random_walks_keep_the_tallies_equal_to_the_rows(demo_city, steps):
    urban = Body.objects.get(code="990101-urban_management")
    housing = Body.objects.get(code="990101-housing")
    day = date(2026, 1, 5)
    with time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False):
        case = register(seed=next(_seeds)).case
    for action, who, wait in steps:
        day += timedelta(days=wait)
        inputs = {
            "target_body": urban if action == "designate_lead" else housing,
            "co_bodies": [urban],
            "due_date": day + timedelta(days=20),
            "route": Route.HANDLE,
            "outcome": Outcome.EXPLAIN,
            "text": "意见正文",
            "days": 10,
            "reason": "理由",
        }
        with time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False):
            try:
                if action == "evaluate":
                    evaluation_record(case=case, actor=registrar(), result="satisfied")
                else:
                    case = case_act(case=case, actor=ACTORS[who](), action=action, **inputs)
            except ApplicationError:
                case.refresh_from_db()
    assert_tallies_match_the_rows()
    today = date(2026, 6, 1)
    assert _pairs(_counts_by_body(YEAR, today, None)) == _pairs(_counts_by_body_raw(YEAR, today, None))
