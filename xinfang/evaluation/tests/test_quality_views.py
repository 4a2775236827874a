"""The quality review pages: a 评价委员 plans, draws and reviews; the body sees and reports its 整改; other roles
get 404; the list pages keep their query counts flat as data grows."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.cases.tests.factories import actor, officer
from xinfang.evaluation.models import Rectification, RectificationStatus, ReviewResult, ScoreLevel
from xinfang.evaluation.quality_services import review_plan_create, review_plan_draw, review_submit
from xinfang.evaluation.tests.conftest import CITY_BUREAU, HOUSING, answered_case, at, evaluator
from xinfang.orgs.models import Body, Role

pytestmark = pytest.mark.django_db


def _client(a) -> Client:
    c = Client()
    c.force_login(a.user)
    s = c.session
    s["acting_body_id"] = a.body.pk
    s.save()
    return c


def _drawn(ev, n_cases: int, start: int = 1):
    for i in range(start, start + n_cases):
        answered_case(i)
    plan = review_plan_create(
        actor=ev,
        name="第一季度",
        body=Body.objects.get(code=CITY_BUREAU),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        all_cases=True,
        seed=1,
    )
    return review_plan_draw(actor=ev, plan=plan)


def _fail(ev, item):
    scores = {c.pk: {"level": ScoreLevel.MET} for c in item.plan.criteria_set.criteria.all()}
    first = next(iter(scores))
    scores[first] = {"level": ScoreLevel.NOT_MET, "note": "未解决"}
    return review_submit(actor=ev, item=item, result=ReviewResult.FAIL, summary="问题未解决", scores=scores)


def test_evaluator_plans_draws_and_reviews_through_the_pages(demo_city):
    for i in range(1, 4):
        answered_case(i)
    ev = evaluator()
    c = _client(ev)
    assert c.get(reverse("evaluation:plans")).status_code == 200
    city = Body.objects.get(code=CITY_BUREAU)
    bad = c.post(
        reverse("evaluation:plans"),
        {"name": "x", "body": city.pk, "period_start": "2026-03-31", "period_end": "2026-01-01"},
    )
    assert bad.status_code == 200 and "期间止不能早于期间起" in bad.content.decode()
    r = c.post(
        reverse("evaluation:plans"),
        {
            "name": "第一季度",
            "body": city.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "sample_percent": "100",
            "seed": "42",
            "include_subordinates": "1",
        },
    )
    assert r.status_code == 302
    plan_url = r["Location"]
    page = c.post(plan_url.rstrip("/") + "/draw/", follow=True).content.decode()
    assert page.count('data-testid="sample-item"') == 3 and "随机抽取" in page
    # filters (htmx answers the table only)
    part = c.get(plan_url, {"rule": "unsatisfied"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and 'data-testid="sample-item"' not in part
    by_random = c.get(plan_url, {"rule": "random"}, HTTP_HX_REQUEST="true").content.decode()
    assert by_random.count('data-testid="sample-item"') == 3
    from xinfang.evaluation.models import SampleItem

    item = SampleItem.objects.first()
    form = c.get(reverse("evaluation:item_review", args=[item.pk])).content.decode()
    assert form.count('data-testid="criterion"') == 18 and "解决问题到位" in form
    data = {"result": "fail", "summary": "问题未解决", "requirement": "落实意见书"}
    criteria = list(item.plan.criteria_set.criteria.all())
    for cr in criteria:
        data[f"level_{cr.pk}"] = "met"
    # missing note on 不到位 → the form again, with a Chinese message, nothing saved
    data[f"level_{criteria[0].pk}"] = "not_met"
    again = c.post(reverse("evaluation:item_review", args=[item.pk]), data)
    assert again.status_code == 200 and "须说明理由" in again.content.decode()
    data[f"note_{criteria[0].pk}"] = "现场未修复"
    done = c.post(reverse("evaluation:item_review", args=[item.pk]), data, follow=True).content.decode()
    assert "不合格" in done and "待整改" in done
    rect = Rectification.objects.get()
    # the body's user sees it on the home page and in the list, and reports
    body = _client(officer(HOUSING))
    assert "本单位待整改：1 件" in body.get("/").content.decode()
    assert item.case.number in body.get(reverse("evaluation:rectifications")).content.decode()
    body.post(reverse("evaluation:rectification_submit", args=[rect.pk]), {"report": "已修复"})
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.SUBMITTED
    c.post(reverse("evaluation:rectification_accept", args=[rect.pk]), {"note": "到位"})
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.DONE


def test_other_roles_and_bodies_get_404(demo_city):
    ev = evaluator()
    plan = _drawn(ev, 1)
    item = plan.items.get()
    rect = _fail(ev, item).rectification
    clerk = _client(officer(HOUSING))
    for name, args in [
        ("evaluation:plans", []),
        ("evaluation:plan", [plan.pk]),
        ("evaluation:item_review", [item.pk]),
    ]:
        assert clerk.get(reverse(name, args=args)).status_code == 404
    stranger = _client(officer("990101-labour"))
    assert stranger.get(reverse("evaluation:rectification", args=[rect.pk])).status_code == 404
    assert stranger.get(reverse("evaluation:review", args=[rect.review_id])).status_code == 404
    # another committee (the district's) cannot open the city's plan
    district = _client(actor("990101-xinfang", Role.EVALUATOR, username="pingjia-district"))
    assert district.get(reverse("evaluation:plan", args=[plan.pk])).status_code == 404
    # the body may not accept its own 整改
    assert clerk.post(reverse("evaluation:rectification_accept", args=[rect.pk])).status_code == 404


def test_a_reviewer_of_the_handling_body_sees_the_refusal_not_the_form(demo_city):
    from xinfang.orgs.models import Membership

    ev = evaluator()
    plan = _drawn(ev, 1)
    item = plan.items.get()
    Membership.objects.create(user=ev.user, body=item.body, role=Role.CASE_OFFICER)
    page = _client(ev).get(reverse("evaluation:item_review", args=[item.pk])).content.decode()
    assert 'data-testid="review-refused"' in page and 'data-testid="review-form"' not in page


@pytest.mark.parametrize("name", ["evaluation:plan", "evaluation:rectifications", "evaluation:plans"])
def test_list_pages_keep_their_query_count_as_data_grows(demo_city, django_assert_max_num_queries, name):
    ev = evaluator()
    counts = []
    for size, start in ((2, 1), (8, 20)):
        plan = _drawn(ev, size, start)
        for item in plan.items.all()[: size // 2]:
            with at("04-05"):
                _fail(ev, item)
        who = ev if name != "evaluation:rectifications" else officer(HOUSING)
        c = _client(who)
        url = reverse(name, args=[plan.pk]) if name == "evaluation:plan" else reverse(name)
        with django_assert_max_num_queries(14) as ctx:
            assert c.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[1] <= counts[0] + 1, counts


def test_criteria_editor_saves_a_new_version_and_others_cannot_edit(demo_city, django_assert_max_num_queries):
    from xinfang.evaluation.models import CriteriaSet

    v1 = CriteriaSet.objects.get(version=1)
    admin = _client(actor(CITY_BUREAU, Role.ADMINISTRATOR))
    form = admin.get(reverse("evaluation:criteria_edit", args=[v1.pk])).content.decode()
    assert form.count('name="keep_') == 18
    rows = list(v1.criteria.all())
    data = {"count": "18", "change_note": "本市细化", "new_text": "主动公开办理进度。", "new_weight": "2"}
    for i, c in enumerate(rows):
        data.update({f"code_{i}": c.code, f"group_{i}": c.group, f"text_{i}": c.text, f"weight_{i}": "1"})
        if c.code != "lawful-3":
            data[f"keep_{i}"] = "1"
    data["text_0"] = "诉求合理的，问题已实际解决并经信访人确认。"
    page = admin.post(reverse("evaluation:criteria_edit", args=[v1.pk]), data, follow=True).content.decode()
    assert "已保存为新版本（第2版）" in page and "主动公开办理进度。" in page and "本地增设" in page
    v2 = CriteriaSet.objects.get(version=2)
    assert v2.criteria.count() == 18 and not v2.criteria.filter(code="lawful-3").exists()
    assert v1.criteria.get(code="solve-1").text != v2.criteria.get(code="solve-1").text
    # the old version is no longer editable from its page, and a stale edit is refused with a message
    stale = admin.post(reverse("evaluation:criteria_edit", args=[v1.pk]), data).content.decode()
    assert "请在最新版本上修改" in stale
    with django_assert_max_num_queries(8):
        listing = admin.get(reverse("evaluation:criteria")).content.decode()
    assert listing.count("<tr>") >= 3
    clerk = _client(officer(HOUSING))
    assert clerk.get(reverse("evaluation:criteria_edit", args=[v2.pk])).status_code == 404
    assert clerk.get(reverse("evaluation:criteria_version", args=[v2.pk])).status_code == 200


def test_supervisor_flags_a_case_on_the_flags_page(demo_city, django_assert_max_num_queries):
    supervisor = actor(CITY_BUREAU, Role.SUPERVISOR)
    c = _client(supervisor)
    cases = [answered_case(i) for i in range(1, 4)]
    bad = c.post(reverse("evaluation:flags"), {"case": "no-such", "reason": "x"}).content.decode()
    assert "未找到信访事项" in bad
    counts = []
    for batch in (cases[:1], cases[1:]):
        for case in batch:
            c.post(reverse("evaluation:flags"), {"case": case.number, "reason": "答复与诉求不对应"})
        with django_assert_max_num_queries(10) as ctx:
            page = c.get(reverse("evaluation:flags")).content.decode()
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts  # one flag or three: the same queries
    assert all(case.number in page for case in cases)
    assert _client(officer(HOUSING)).get(reverse("evaluation:flags")).status_code == 404
