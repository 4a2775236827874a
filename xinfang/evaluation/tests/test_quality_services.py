"""The quality review through its services: the seeded draw and its recorded rules, the reviewer's 回避, the
versioned criteria, and a failed review's 整改 tracked to completion."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xinfang.cases.tests.factories import actor, officer
from xinfang.cases.workflow import BY_ACTION
from xinfang.core.errors import Conflict, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from xinfang.core.models import Event
from xinfang.evaluation import quality_selectors as sel
from xinfang.evaluation.models import (
    CriteriaSet,
    ItemStatus,
    RectificationStatus,
    ReviewResult,
    SampleRule,
    ScoreLevel,
)
from xinfang.evaluation.quality_services import (
    criteria_set_current,
    criteria_set_revise,
    rectification_accept,
    rectification_send_back,
    rectification_submit,
    review_flag,
    review_plan_create,
    review_plan_draw,
    review_submit,
)
from xinfang.evaluation.sampling import SampleInputs, SampleSettings, random_share, sample_select
from xinfang.evaluation.tests.conftest import CITY_BUREAU, HOUSING, at, evaluator
from xinfang.orgs.models import Body, Membership, Role

pytestmark = pytest.mark.django_db

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def _plan(ev, *, seed=20260401, percent=30, **kw):
    return review_plan_create(
        actor=ev,
        name="2026年第一季度质效评价",
        body=Body.objects.get(code=CITY_BUREAU),
        period_start=Q1[0],
        period_end=Q1[1],
        sample_percent=percent,
        seed=seed,
        **kw,
    )


def _all_met(plan, level=ScoreLevel.MET):
    return {c.pk: {"level": level, "note": "见办理记录"} for c in plan.criteria_set.criteria.all()}


# ------------------------------------------------------------------------------------------------ sampling


def test_the_random_share_depends_only_on_seed_and_population():
    pop = list(range(1, 201))
    a = random_share(7, pop, Decimal(10))
    assert len(a) == 20
    assert random_share(7, list(reversed(pop)), Decimal(10)) == a  # order of rows does not matter
    assert random_share(8, pop, Decimal(10)) != a  # another seed, another sample
    # a case added later does not reshuffle the others: the old sample's members that still rank first stay
    grown = random_share(7, [*pop, 201], Decimal("10"))
    assert len(set(grown) & set(a)) >= 19


def test_each_case_keeps_every_rule_that_named_it():
    inputs = SampleInputs(
        population=frozenset(range(1, 11)),
        unsatisfied=frozenset({3}),
        returned=frozenset({3, 4, 99}),  # 99 is outside the population: not taken by this rule
        flagged=frozenset({42}),  # a flag brings its case in even from outside the period
    )
    chosen = sample_select(SampleSettings(seed=1, percent=Decimal(0)), inputs)
    assert chosen == {3: ["unsatisfied", "returned"], 4: ["returned"], 42: ["flagged"]}
    everything = sample_select(SampleSettings(seed=1, percent=Decimal(0), all_cases=True), inputs)
    assert set(everything) == set(range(1, 11)) | {42}
    assert everything[3] == ["all", "unsatisfied", "returned"]


def test_same_seed_and_cases_draw_the_same_sample_and_record_why(quarter):
    ev = evaluator()
    first = review_plan_draw(actor=ev, plan=_plan(ev))
    second = review_plan_draw(actor=ev, plan=_plan(ev))
    other = review_plan_draw(actor=ev, plan=_plan(ev, seed=99))

    def sample(plan):
        return {i.case_id: i.rules for i in plan.items.all()}

    assert first.population == 6  # the Q2 answer is outside the period
    assert sample(first) == sample(second)
    unsatisfied = quarter["cases"][0].pk
    assert SampleRule.UNSATISFIED in sample(first)[unsatisfied]
    assert sum(SampleRule.RANDOM in r for r in sample(first).values()) == 2  # ceil(30% of 6)
    assert quarter["later"].pk not in sample(first)
    assert SampleRule.UNSATISFIED in sample(other)[unsatisfied]  # the rules do not depend on the seed
    # the draw is recorded: seed, population, sample size, by rule
    event = Event.objects.get(action="review_plan_draw", object_id=str(first.pk))
    assert event.new_values["seed"] == 20260401 and event.new_values["population"] == 6
    with pytest.raises(TransitionNotAllowed):
        review_plan_draw(actor=ev, plan=first)


def test_a_supervisors_flag_brings_the_case_in(quarter):
    supervisor = actor(CITY_BUREAU, Role.SUPERVISOR)
    flagged = quarter["later"]  # answered in Q2, outside the random population
    review_flag(actor=supervisor, case_number=flagged.number, reason="答复内容与诉求不对应")
    with pytest.raises(Conflict):
        review_flag(actor=supervisor, case_number=flagged.number, reason="again")
    with pytest.raises(PermissionDenied):
        review_flag(actor=evaluator(), case_number=flagged.number, reason="not a supervisor")
    ev = evaluator()
    plan = review_plan_draw(actor=ev, plan=_plan(ev, percent=0))
    rules = {i.case_id: i.rules for i in plan.items.all()}
    assert rules[flagged.pk] == [SampleRule.FLAGGED]
    # the flag is used up by the plan that took it
    assert not sel.flags_open(actor=supervisor).exists()


def test_all_cases_and_cases_that_came_back(quarter):
    from xinfang.cases.services import case_act
    from xinfang.cases.tests.factories import registrar

    back = quarter["cases"][2]
    with at("03-01"):
        case_act(case=back, actor=registrar(), action="request_review", reason="对处理意见不服")
    ev = evaluator()
    plan = review_plan_draw(actor=ev, plan=_plan(ev, percent=0, all_cases=True))
    rules = {i.case_id: i.rules for i in plan.items.all()}
    assert len(rules) == 6
    assert rules[back.pk] == [SampleRule.ALL, SampleRule.RETURNED]


def test_reading_the_population_binds_no_parameter_per_case(quarter):
    """A province's quarter is hundreds of thousands of cases: SQLite refused the draw at 1M generated cases
    ("too many SQL variables") when the population went back into the database as one id per parameter. The
    statements bind the same number of parameters for a quarter of six cases and for one of three."""
    from django.db import connection

    from xinfang.cases.models import Case
    from xinfang.evaluation.quality_services import plan_inputs

    ev = evaluator()
    plan = _plan(ev, percent=0, all_cases=True)

    def bound_per_statement() -> tuple[int, list[int]]:
        bound: list[int] = []

        def count_params(execute, sql, params, many, context):
            bound.append(len(params or ()))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count_params):
            inputs, _handled_by = plan_inputs(actor=ev, plan=plan)
        return len(inputs.population), bound

    six, bound_six = bound_per_statement()
    Case.objects.filter(pk__in=[c.pk for c in quarter["cases"][:3]]).update(answered_at=None, closed_at=None)
    three, bound_three = bound_per_statement()
    assert (six, three) == (6, 3)
    assert bound_six == bound_three  # the bodies in scope and the period, never the cases found


# ------------------------------------------------------------------------------------------------- reviews


def _drawn(ev, **kw):
    return review_plan_draw(actor=ev, plan=_plan(ev, **kw))


def test_reviewer_is_refused_on_a_case_of_their_own_body(quarter):
    ev = evaluator()
    plan = _drawn(ev, all_cases=True)
    item = plan.items.first()
    assert item.body.code == HOUSING
    # the same evaluator also belongs to the 住建局 that handled the case (回避)
    Membership.objects.create(user=ev.user, body=item.body, role=Role.CASE_OFFICER)
    with pytest.raises(PermissionDenied) as refused:
        review_submit(actor=ev, item=item, result=ReviewResult.PASS, summary="好", scores=_all_met(plan))
    assert refused.value.code == "own_body_case"
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING
    # and a committee member acting for the handling body itself
    own = actor(HOUSING, Role.EVALUATOR, username="pingjia-housing")
    with pytest.raises((PermissionDenied, NotFound)):
        review_submit(actor=own, item=item, result=ReviewResult.PASS, summary="好", scores=_all_met(plan))


def test_every_criterion_must_be_scored_and_evidence_must_be_the_cases_own(quarter):
    ev = evaluator()
    plan = _drawn(ev, all_cases=True)
    item = plan.items.first()
    scores = _all_met(plan)
    first = next(iter(scores))
    del scores[first]
    with pytest.raises(ValidationFailed) as missing:
        review_submit(actor=ev, item=item, result=ReviewResult.PASS, summary="好", scores=scores)
    assert missing.value.code == "criteria_incomplete"
    scores = _all_met(plan)
    scores[first] = {"level": ScoreLevel.NOT_MET, "note": ""}
    with pytest.raises(ValidationFailed):  # 不到位 needs its reason
        review_submit(actor=ev, item=item, result=ReviewResult.FAIL, summary="差", scores=scores)
    other_case_event = (
        Event.objects.exclude(object_id=str(item.case_id)).filter(object_type="cases.case").first()
    )
    scores[first] = {
        "level": ScoreLevel.NOT_MET,
        "note": "未落实",
        "evidence": [f"event:{other_case_event.pk}"],
    }
    with pytest.raises(ValidationFailed) as bad:
        review_submit(actor=ev, item=item, result=ReviewResult.FAIL, summary="差", scores=scores)
    assert bad.value.code == "invalid_evidence"


def test_a_failed_review_goes_to_rectification_and_is_tracked_to_completion(quarter):
    ev = evaluator()
    plan = _drawn(ev, all_cases=True)
    item = plan.items.first()
    scores = _all_met(plan)
    solve1 = plan.criteria_set.criteria.get(code="solve-1")
    answer = Event.objects.filter(
        object_type="cases.case", object_id=str(item.case_id), action="answer"
    ).first()
    scores[solve1.pk] = {
        "level": ScoreLevel.NOT_MET,
        "note": "意见书所称已解决，实地未修复",
        "evidence": [f"event:{answer.pk}"],
    }
    with at("04-10"):
        review = review_submit(
            actor=ev, item=item, result=ReviewResult.FAIL, summary="诉求合理但问题未解决", scores=scores
        )
    assert review.criteria_set == plan.criteria_set
    assert review.score == Decimal("94.4")  # 17 of 18 equally weighted
    cited = review.scores.get(criterion=solve1).evidence
    assert [(e["kind"], e["id"]) for e in cited] == [("event", answer.pk)] and cited[0]["label"].endswith(
        BY_ACTION["answer"].label
    )
    rect = review.rectification
    assert rect.body.code == HOUSING and rect.status == RectificationStatus.OPEN
    assert rect.due_on == date(2026, 5, 11)  # 30 days from 04-10 is Sunday 05-10 → the next working day
    with pytest.raises(Conflict):
        review_submit(actor=ev, item=item, result=ReviewResult.PASS, summary="再评", scores=_all_met(plan))

    # the body sees it
    housing = officer(HOUSING)
    assert list(sel.rectification_list(actor=housing)) == [rect]
    assert sel.rectifications_open_count(actor=housing, today=date(2026, 5, 12)) == (1, 1)
    # only the body reports, only the committee answers
    with pytest.raises(PermissionDenied):
        rectification_submit(actor=ev, rectification=rect, report="x")
    with pytest.raises(TransitionNotAllowed):
        rectification_accept(actor=ev, rectification=rect)
    with at("04-20"):
        rect = rectification_submit(actor=housing, rectification=rect, report="已组织施工修复排水管网")
    assert rect.status == RectificationStatus.SUBMITTED and rect.submitted_on_time
    with pytest.raises(PermissionDenied):
        rectification_accept(actor=housing, rectification=rect)
    with at("04-22"):
        rect = rectification_send_back(
            actor=ev, rectification=rect, note="未附现场照片", due_on=date(2026, 5, 20)
        )
    assert (
        rect.status == RectificationStatus.OPEN and rect.send_backs == 1 and rect.due_on == date(2026, 5, 20)
    )
    with at("05-25"):
        rect = rectification_submit(actor=housing, rectification=rect, report="已补充现场照片和居民签字")
    assert rect.submitted_on_time is False  # late the second time
    with at("05-26"):
        rect = rectification_accept(actor=ev, rectification=rect, note="整改到位")
    assert rect.status == RectificationStatus.DONE
    assert [s.kind for s in rect.steps.all()] == ["submit", "send_back", "submit", "accept"]
    actions = list(
        Event.objects.filter(object_type="evaluation.rectification", object_id=str(rect.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "rectification_issue",
        "rectification_submit",
        "rectification_send_back",
        "rectification_submit",
        "rectification_accept",
    ]
    assert sel.rectifications_open_count(actor=housing, today=date(2026, 6, 1)) == (0, 0)


def test_a_passed_review_makes_no_rectification(quarter):
    ev = evaluator()
    plan = _drawn(ev, all_cases=True)
    review = review_submit(
        actor=ev, item=plan.items.first(), result=ReviewResult.PASS, summary="办理规范", scores=_all_met(plan)
    )
    assert not hasattr(review, "rectification") or review.rectification is None


# ------------------------------------------------------------------------------------------------ criteria


def test_the_shipped_default_has_the_18_criteria_of_art_27(db):
    current = criteria_set_current()
    groups = [c.group for c in current.criteria.all()]
    assert len(groups) == 18
    assert {g: groups.count(g) for g in set(groups)} == {"solve": 4, "educate": 5, "assist": 6, "lawful": 3}


def test_editing_the_criteria_makes_a_new_version_and_past_reviews_keep_theirs(quarter):
    ev = evaluator()
    plan = _drawn(ev, all_cases=True)
    v1 = plan.criteria_set
    review = review_submit(
        actor=ev, item=plan.items.first(), result=ReviewResult.PASS, summary="办理规范", scores=_all_met(plan)
    )
    old_text = v1.criteria.get(code="solve-1").text
    edited = [
        {"code": c.code, "group": c.group, "text": c.text, "weight": c.weight} for c in v1.criteria.all()
    ]
    edited[0]["text"] = "诉求合理的，问题已实际解决并经信访人确认。"
    edited[0]["weight"] = "3"
    edited.append({"code": "", "group": "custom", "text": "办理过程中主动公开办理进度。", "weight": "1"})
    admin = actor(CITY_BUREAU, Role.ADMINISTRATOR)
    v2 = criteria_set_revise(actor=admin, base=v1, criteria=edited, change_note="本市细化第一条")
    assert v2.version == 2 and v2.criteria.count() == 19
    assert v2.criteria.get(code="custom-1").is_custom
    assert criteria_set_current() == v2
    # the past review still points at version 1 with its wording
    review.refresh_from_db()
    assert review.criteria_set_id == v1.pk
    assert review.scores.get(criterion__code="solve-1").criterion.text == old_text
    v1.refresh_from_db()
    assert v1.criteria.get(code="solve-1").weight == Decimal("1.00")
    # an edit of a stale version is refused
    with pytest.raises(Conflict):
        criteria_set_revise(actor=admin, base=v1, criteria=edited, change_note="again")
    with pytest.raises(PermissionDenied):
        criteria_set_revise(actor=officer(HOUSING), base=v2, criteria=edited, change_note="x")
    # a new plan takes the new version, and its weights count
    plan2 = _drawn(ev, all_cases=True)
    assert plan2.criteria_set == v2
    assert CriteriaSet.objects.filter(key=v1.key).count() == 2


def test_weights_shape_the_score(quarter):
    from xinfang.evaluation.quality_services import weighted_score

    assert weighted_score({1: "met", 2: "not_met"}, {1: Decimal(3), 2: Decimal(1)}) == Decimal("75.0")
    assert weighted_score({1: "partly", 2: "na"}, {1: Decimal(1), 2: Decimal(5)}) == Decimal("50.0")
    assert weighted_score({1: "na"}, {1: Decimal(1)}) is None


def test_plan_input_is_checked(quarter):
    ev = evaluator()
    with pytest.raises(ValidationFailed):
        _plan(ev, percent=150)
    with pytest.raises(PermissionDenied):
        _plan(officer(HOUSING))
    with pytest.raises(ValidationFailed):
        review_plan_create(
            actor=ev,
            name="x",
            body=Body.objects.get(code=CITY_BUREAU),
            period_start=Q1[1],
            period_end=Q1[0],
        )
    district = actor("990101-xinfang", Role.EVALUATOR, username="pingjia-district")
    with pytest.raises(PermissionDenied):  # the district committee cannot plan for the city
        review_plan_create(
            actor=district,
            name="x",
            body=Body.objects.get(code=CITY_BUREAU),
            period_start=Q1[0],
            period_end=Q1[1],
        )


def test_a_rectification_not_done_can_be_escalated_to_a_supervision(quarter):
    from xinfang.evaluation.quality_services import rectification_supervise
    from xinfang.supervision.models import SupervisionKind, SupervisionReason

    ev = evaluator()
    plan = _drawn(ev, all_cases=True)
    scores = _all_met(plan)
    scores[next(iter(scores))] = {"level": ScoreLevel.NOT_MET, "note": "未解决"}
    rect = review_submit(
        actor=ev, item=plan.items.first(), result=ReviewResult.FAIL, summary="未解决", scores=scores
    ).rectification
    phone = SupervisionKind.objects.get(code="phone")
    with pytest.raises(PermissionDenied):  # a 评价委员 is not a 督查员
        rectification_supervise(actor=ev, rectification=rect, kind_id=phone.pk, requirement="限期整改")
    supervisor = actor(CITY_BUREAU, Role.SUPERVISOR)
    rect = rectification_supervise(
        actor=supervisor, rectification=rect, kind_id=phone.pk, requirement="限期整改"
    )
    sup = rect.supervision
    assert sup.body == rect.body and sup.reason == SupervisionReason.QUALITY
    assert list(sup.cases.values_list("pk", flat=True)) == [rect.case_id]
    with pytest.raises(Conflict):
        rectification_supervise(actor=supervisor, rectification=rect, kind_id=phone.pk, requirement="again")
