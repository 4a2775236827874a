"""回访 (return visits): scheduled when an answer is issued (and by the daily job for answers that came another
way), recorded with a satisfaction given by phone on the petitioner's behalf; the due list, its form and the API."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from xinfang.cases.models import Outcome, Route
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import actor, head, officer, register, registrar
from xinfang.core.errors import Conflict, NotFound, ValidationFailed
from xinfang.core.models import Event
from xinfang.deadlines.models import Clock
from xinfang.evaluation.jobs import evaluation_daily
from xinfang.evaluation.models import (
    Evaluation,
    EvaluationChannel,
    ReturnVisit,
    ReturnVisitStatus,
    Satisfaction,
    Stage,
)
from xinfang.evaluation.services import return_visit_record
from xinfang.orgs.models import Body, Role

pytestmark = pytest.mark.django_db
TEXT = "依据《物业管理条例》第三十五条，责令物业限期维修。"


def answered(seed: int = 1, day: str = "2026-03-20"):
    reg = registrar()
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        case = register(by=reg, seed=seed).case
        case = case_act(
            case=case, actor=reg, action="transfer", target_body=Body.objects.get(code="990101-housing")
        )
        case = case_act(case=case, actor=officer(), action="receive")
        case = case_act(case=case, actor=officer(), action="accept", route=Route.HANDLE)
    with time_machine.travel(f"{day} 10:00 +0800", tick=False):
        case = case_act(case=case, actor=head(), action="answer", outcome=Outcome.SUPPORT, text=TEXT)
    return case


def test_an_answer_schedules_a_return_visit_at_the_registering_bureau(demo_city, settings):
    settings.XINFANG_RETURN_VISIT_AFTER_DAYS = 5
    case = answered()
    visit = ReturnVisit.objects.get(case=case)
    assert visit.stage == Stage.ANSWER and visit.status == ReturnVisitStatus.SCHEDULED
    assert visit.body.code == "990101-xinfang" and visit.scheduled_on == date(2026, 3, 25)
    assert Event.objects.filter(action="return_visit_schedule", object_id=str(visit.pk)).exists()


def test_the_daily_job_schedules_answers_that_have_none(demo_city):
    case = answered()
    ReturnVisit.objects.filter(case=case).delete()  # as if answered before 回访 existed, or by an import
    with time_machine.travel("2026-03-30 08:00 +0800", tick=False):
        line = evaluation_daily(day=date(2026, 3, 30))
        assert "新安排 1 件" in line
        assert "新安排 0 件" in evaluation_daily(day=date(2026, 3, 30))
    visit = ReturnVisit.objects.get(case=case)
    assert visit.scheduled_on == date(2026, 3, 30) and visit.stage == Stage.ANSWER


def test_the_daily_catch_up_plans_every_missing_visit_chunk_by_chunk(demo_city, monkeypatch):
    """After a bulk load the missing visits number in the tens of thousands: the job reads and writes them in
    chunks (one IN list of every case id overflowed SQLite's variables at 1M cases). With chunks of two, five
    answers still get one visit each, and a second run plans none."""
    from xinfang.evaluation import services

    cases = [answered(seed=n) for n in range(1, 6)]
    ReturnVisit.objects.filter(case__in=cases).delete()
    monkeypatch.setattr(services, "SCHEDULE_CHUNK", 2)
    with time_machine.travel("2026-03-30 08:00 +0800", tick=False):
        assert "新安排 5 件" in evaluation_daily(day=date(2026, 3, 30))
        assert "新安排 0 件" in evaluation_daily(day=date(2026, 3, 30))
    assert sorted(ReturnVisit.objects.values_list("case_id", flat=True)) == sorted(c.pk for c in cases)
    planned = Event.objects.filter(action="return_visit_schedule", new_values__scheduled_on="2026-03-30")
    assert planned.count() == 5  # one event per visit the catch-up planned (the answers' own were deleted)


def test_a_satisfaction_given_by_phone_is_recorded_on_the_petitioners_behalf(demo_city):
    case = answered()
    visit = ReturnVisit.objects.get(case=case)
    reg = registrar()
    with time_machine.travel("2026-03-27 15:00 +0800", tick=False):
        done = return_visit_record(
            actor=reg,
            visit=visit,
            status=ReturnVisitStatus.DONE,
            outcome="信访人表示物业已开始维修。",
            satisfaction=Satisfaction.BASICALLY,
        )
    evaluation = Evaluation.objects.get(case=case)
    assert done.evaluation == evaluation and done.status == ReturnVisitStatus.DONE
    assert evaluation.channel == EvaluationChannel.PHONE_ON_BEHALF and evaluation.recorded_by == reg.user
    assert evaluation.result == Satisfaction.BASICALLY
    assert not Clock.objects.get(case=case, kind="evaluation").is_open  # the evaluation window is closed
    event = Event.objects.get(action="return_visit_record", object_id=str(case.pk))
    assert event.new_values["satisfaction"] == Satisfaction.BASICALLY and event.body == reg.body
    with pytest.raises(Conflict):
        return_visit_record(actor=reg, visit=visit, status=ReturnVisitStatus.UNREACHABLE, outcome="")


def test_recording_refuses_bad_input_and_other_bodies(demo_city):
    visit = ReturnVisit.objects.get(case=answered())
    with pytest.raises(ValidationFailed) as err:
        return_visit_record(
            actor=registrar(),
            visit=visit,
            status=ReturnVisitStatus.UNREACHABLE,
            outcome="",
            satisfaction="satisfied",
        )
    assert "satisfaction" in err.value.extra
    with pytest.raises(ValidationFailed) as err:
        return_visit_record(actor=registrar(), visit=visit, status=ReturnVisitStatus.DONE, outcome=" ")
    assert "outcome" in err.value.extra
    with pytest.raises(NotFound):  # another bureau's registrar
        return_visit_record(
            actor=registrar("990102-xinfang"), visit=visit, status=ReturnVisitStatus.DONE, outcome="已回访"
        )
    visit.refresh_from_db()
    assert visit.status == ReturnVisitStatus.SCHEDULED and not Evaluation.objects.exists()


def _client(a) -> Client:
    c = Client()
    c.force_login(a.user)
    return c


def test_the_due_list_and_its_form(demo_city, django_assert_max_num_queries):
    reg = registrar()
    c = _client(reg)
    url = reverse("evaluation:return_visits")
    cases = [answered(seed=1)]
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False):
        with django_assert_max_num_queries(12) as small:
            page = c.get(url)
        assert page.status_code == 200 and cases[0].number in page.content.decode()
        cases += [answered(seed=s) for s in range(2, 9)]
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False):
        with django_assert_max_num_queries(len(small.captured_queries)):
            page = c.get(url)
        body = page.content.decode()
        assert all(x.number in body for x in cases)
        visit = ReturnVisit.objects.get(case=cases[0])
        form = reverse("evaluation:return_visit", args=[visit.pk])
        bad = c.post(form, {"status": "done", "outcome": "", "satisfaction": ""})
        assert bad.status_code == 400 and "请填写回访情况" in bad.content.decode()
        ok = c.post(
            form, {"status": "done", "outcome": "问题已解决", "satisfaction": "satisfied"}, follow=True
        )
        assert "回访已记录" in ok.content.decode() and cases[0].number not in ok.content.decode()
        done = c.get(url + "?view=done").content.decode()
        assert cases[0].number in done and "满意" in done
    # A handling officer has no visits of the bureau; an evaluator may not open the list at all.
    assert cases[1].number not in _client(officer()).get(url).content.decode()
    assert _client(actor("990100-xinfang", Role.EVALUATOR)).get(url).status_code == 404
    assert _client(registrar("990102-xinfang")).get(form).status_code == 404


def test_api_lists_and_records(demo_city):
    case = answered()
    visit = ReturnVisit.objects.get(case=case)
    reg = registrar()
    c = APIClient()
    c.force_authenticate(reg.user)
    c.credentials(HTTP_X_ACTING_BODY=reg.body.code)
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False):
        listed = c.get("/api/v1/evaluation/return-visits/").json()
        assert [v["case"] for v in listed] == [case.number]
        url = f"/api/v1/evaluation/return-visits/{visit.pk}/record/"
        bad = c.post(url, {"status": "done", "satisfaction": "very"}, format="json")
        assert bad.status_code == 400
        refused = c.post(url, {"status": "unreachable", "satisfaction": "satisfied"}, format="json")
        assert refused.status_code == 400 and refused.json()["code"] == "invalid_return_visit"
        r = c.post(url, {"status": "done", "outcome": "已解决", "satisfaction": "satisfied"}, format="json")
        assert r.status_code == 200 and r.json()["satisfaction_channel"] == EvaluationChannel.PHONE_ON_BEHALF
        assert c.post(url, {"status": "done", "outcome": "再次"}, format="json").status_code == 409
        assert c.post("/api/v1/evaluation/return-visits/abc/record/", {}, format="json").status_code == 404
