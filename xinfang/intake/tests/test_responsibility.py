"""三跨三分离: the editable responsibility table applied at routing (lead and assisting bodies, with the rule
that chose them), 协办 tasks tracked to completion (Art. 24 and the seed's 责任划分办法)."""

import pytest
from django.urls import reverse

from xinfang.cases.models import Category
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import officer, register, registrar
from xinfang.core.errors import NotFound, ValidationFailed
from xinfang.core.models import Event
from xinfang.intake.models import AssistTask, ResponsibilityRule, Situation
from xinfang.intake.panels import panel
from xinfang.intake.responsibility import assist_task_complete, responsibility_propose, situation_of
from xinfang.intake.suggest import intake_suggest
from xinfang.orgs.models import Body, Region

pytestmark = pytest.mark.django_db


def region(code):
    return Region.objects.get(code=code)


def body(code):
    return Body.objects.get(code=code)


def test_art24_situations_are_read_at_county_level(demo_city):
    east, west = region("990101001"), region("990102001")
    assert situation_of(matter=east, residence=region("990101002"), household=None) is None
    assert situation_of(matter=east, residence=west, household=west) == Situation.PERSON_MATTER
    assert situation_of(matter=east, residence=east, household=west) == Situation.PERSON_HOUSEHOLD
    assert situation_of(matter=east, residence=west, household=region("990103001")) == Situation.ALL_APART


def test_art24_person_matter_apart_matter_place_leads_residence_assists(demo_city):
    housing = Category.objects.get(code="urban_rural")
    proposal = responsibility_propose(
        problem_region=region("990101001"),
        residence_region=region("990102001"),
        household_region=None,
        category=housing,
    )
    assert proposal.lead == body("990101-housing")
    assert proposal.assisting == [body("990102-housing")]
    assert "人事分离" in proposal.because and proposal.rule.basis in proposal.because


def test_art24_the_table_is_editable_and_the_rule_is_named(demo_city):
    ResponsibilityRule.objects.filter(situation=Situation.PERSON_MATTER).update(is_active=False)
    rule = ResponsibilityRule.objects.create(
        situation=Situation.PERSON_MATTER,
        lead_place="residence",
        assist_places=["matter"],
        basis="本市补充规定：居住地牵头",
        priority=1,
    )
    s = intake_suggest(
        registrar_body=body("990100-xinfang"),
        request="在东城区打工被拖欠工资，请求帮助追讨",
        problem_region=region("990101001"),
        residence_region=region("990102001"),
    )
    assert s["responsibility"]["rule_id"] == rule.pk and "居住地牵头" in s["responsibility"]["because"]
    assert s["responsibility"]["lead"]["code"].startswith("990102-")


def test_art22_no_proposal_beside_a_legal_route(demo_city):
    s = intake_suggest(
        registrar_body=body("990101-xinfang"),
        request="小区楼顶漏水，请求维修",
        problem_region=region("990101001"),
        residence_region=region("990102001"),
        law_related=True,
    )
    assert "responsibility" not in s


def test_art24_assist_tasks_opened_on_transfer_and_tracked_to_completion(demo_city, client):
    reg = registrar()
    urban = body("990101-urban_management")
    case = register(by=reg, seed=91).case
    case_act(
        case=case,
        actor=reg,
        action="transfer",
        target_body=body("990101-housing"),
        co_bodies=[urban],
        reason="请城管协助核查占道",
    )
    task = AssistTask.objects.get(case=case)
    assert task.body == urban and task.lead_body == body("990101-housing") and task.state == "open"
    helper = officer("990101-urban_management")
    shown = panel(helper)
    assert shown and [t.pk for t in shown["tasks"]] == [task.pk]
    with pytest.raises(NotFound):  # another body cannot report it
        assist_task_complete(actor=officer(), task_id=task.pk, result="x")
    with pytest.raises(ValidationFailed):
        assist_task_complete(actor=helper, task_id=task.pk, result=" ")
    client.force_login(helper.user)
    response = client.post(
        reverse("intake:assist_complete", args=[task.pk]), {"result": "已现场核查，占道摊点已清理"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "done" and task.done_at is not None
    assert Event.objects.filter(object_id=str(case.pk), action="assist_complete").exists()
    assert panel(helper) is None
