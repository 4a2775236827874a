"""The workspace pages through Django's test client: what a registrar and an officer see and can do."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xinfang.cases.models import Case, Outcome, Route, State
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import register, valid_id
from xinfang.core.models import Event
from xinfang.orgs.acting import actor_for
from xinfang.orgs.models import Body, Region, User
from xinfang.people.models import Person

pytestmark = pytest.mark.django_db


def _login(client, username: str) -> User:
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def _demo_actor(username: str):
    user = User.objects.get(username=username)
    return actor_for(user, user.memberships.get().body)


def _intake_data(**overrides) -> dict:
    data = {
        "channel": "letter",
        "petition_type": "appeal",
        "category": "",
        "problem_region": str(Region.objects.get(code="990101001").pk),
        "title": "",
        "request": "小区5号楼屋顶漏水多年，物业和开发商互相推诿，请求责令维修",
        "facts": "多次找物业无果。",
        "subject_text": "某物业公司",
        "subject_body": "",
        "people_count": "1",
        "p-TOTAL_FORMS": "1",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "1000",
        "p-0-id_number": valid_id(7),
        "p-0-phone": "13800000007",
        "p-0-name": "王七",
        "p-0-address": "东华街道1号",
    }
    data.update(overrides)
    return data


def test_intake_registers_and_shows_number_and_query_code_once(client, demo_city):
    _login(client, "dengji_dc")
    page = client.get(reverse("case_new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="intake-suggestions"' in html and "东城区" in html  # region select grouped by county

    resp = client.post(reverse("case_new"), _intake_data(is_group="on"), follow=True)
    case = Case.objects.get()
    assert resp.redirect_chain[-1][0] == reverse("case_detail", args=[case.pk])
    html = resp.content.decode()
    code = re.search(r"data-testid='new-code'>([A-Z0-9]+)<", html).group(1)
    assert case.number in html and "请交给信访人" in html
    from xinfang.cases.querycode import query_code_check

    assert query_code_check(code, case.query_code_hash)
    assert case.is_group and case.state == State.REGISTERED
    # The page shown afterwards no longer carries the code.
    assert code not in client.get(reverse("case_detail", args=[case.pk])).content.decode()


def test_intake_errors_sit_next_to_fields_and_keep_what_was_typed(client, demo_city):
    _login(client, "dengji_dc")
    resp = client.post(
        reverse("case_new"),
        _intake_data(**{"request": "", "p-0-id_number": "110101199003074478", "facts": "保留的事实"}),
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'data-testid="error-request"' in html
    assert 'data-testid="error-p-0-id_number"' in html
    assert "保留的事实" in html and "王七" in html and "110101199003074478" in html
    assert not Case.objects.exists()


def test_intake_service_errors_map_to_petitioner_fields(client, demo_city):
    """Errors the service finds (not the form) land on the right petitioner row: here the second row."""
    _login(client, "dengji_dc")
    data = _intake_data(
        **{
            "p-TOTAL_FORMS": "3",
            "p-1-name": "",
            "p-1-phone": "",
            "p-1-id_number": "",
            "p-2-name": "",
            "p-2-phone": "12345",
            "people_count": "2",
        }
    )
    resp = client.post(reverse("case_new"), data)
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'data-testid="error-p-2-name"' in html and 'data-testid="error-p-2-phone"' in html


def test_intake_repeat_links_to_earlier_case(client, demo_city):
    _login(client, "dengji_dc")
    client.post(reverse("case_new"), _intake_data())
    earlier = Case.objects.get()
    resp = client.post(reverse("case_new"), _intake_data(), follow=True)
    html = resp.content.decode()
    assert "重复信访" in html
    assert reverse("case_detail", args=[earlier.pk]) in html
    assert Person.objects.count() == 1  # 一人一档


def test_person_lookup_fills_the_row(client, demo_city):
    register(seed=3, by=_demo_actor("dengji_dc"))
    _login(client, "dengji_dc")
    resp = client.get(reverse("person_lookup"), {"row": "p-1", "p-1-id_number": valid_id(3)})
    html = resp.content.decode()
    # The name is filled in; the phone on file is shown masked and never filled in (issue #9, PIPL).
    assert 'data-fill-name="测试人3"' in html and "13800000003" not in html and "138****0003" in html
    assert "已找到信访人档案" in html and 'data-prefix="p-1"' in html


def _cases_for_dc_housing(n: int, start: int = 100) -> list[Case]:
    reg = _demo_actor("dengji_dc")
    housing = Body.objects.get(code="990101-housing")
    out = []
    for i in range(n):
        case = register(
            seed=start + i, by=reg, request=f"第{i}号诉求：道路{i}段破损，请求维修，编号{i * 7919}"
        ).case
        out.append(case_act(case=case, actor=reg, action="transfer", target_body=housing))
    return out


def test_queue_lists_own_body_cases_with_lights_and_constant_queries(client, demo_city):
    _cases_for_dc_housing(2)
    _login(client, "chengban_dc")
    resp = client.get(reverse("queue"))
    assert resp.status_code == 200
    html = resp.content.decode()
    # Transferred cases wait at the housing bureau; it owes no clock until it signs for them.
    assert html.count('href="/cases/') >= 2
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("queue"))
    officer = _demo_actor("chengban_dc")
    for case in Case.objects.all():
        case_act(case=case, actor=officer, action="receive")
    _cases_for_dc_housing(6, start=150)
    with CaptureQueriesContext(connection) as many:
        resp = client.get(reverse("queue"))
    assert len(many) == len(few)
    html = resp.content.decode()
    # the nearest duty is the 15-day acceptance notice; the 异议 window is a right, not a duty
    assert "light-green" in html and re.search(r"还剩\d+天", html) and "受理告知期限" in html


def test_queue_search_by_number_query_code_name_and_filters(client, demo_city):
    reg = _demo_actor("dengji_dc")
    first = register(seed=201, by=reg, request="噪音扰民，请求查处夜间施工")
    register(seed=202, by=reg, request="拖欠工资三个月，请求督促支付", flags={"law_related": True})
    _login(client, "dengji_dc")

    def numbers(**params):
        html = client.get(reverse("queue"), params).content.decode()
        return set(re.findall(r"990101[-\w]*\d", " ".join(re.findall(r">([^<]*990101[^<]*)</a>", html))))

    assert numbers(q=first.case.number) == {first.case.number}
    assert numbers(q=first.query_code) == {first.case.number}
    assert numbers(q="测试人201") == {first.case.number}
    assert numbers(q="13800000201") == {first.case.number}
    assert len(numbers(flag="law_related")) == 1 and first.case.number not in numbers(flag="law_related")


def test_case_page_shows_only_allowed_actions_and_acts(client, demo_city):
    reg = _demo_actor("dengji_dc")
    case = register(seed=301, by=reg).case
    _login(client, "dengji_dc")
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    actions = set(re.findall(r'data-action="(\w+)"', html))
    # a 申诉求决 matter may also be settled by agreement at the desk (Art. 33, the resolution app's row)
    assert actions == {"transfer", "assign", "tell", "refuse", "refuse_again", "mediate_at_intake"}
    assert "测试人301" in html and valid_id(301) not in html  # masked
    housing = Body.objects.get(code="990101-housing")
    resp = client.post(
        reverse("case_act", args=[case.pk, "transfer"]),
        {"transfer-version": case.version, "transfer-target_body": housing.pk, "transfer-reason": ""},
    )
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.state == State.TRANSFERRED and case.current_body == housing


def test_case_action_error_keeps_input_and_stale_version_is_a_conflict(client, demo_city):
    reg = _demo_actor("dengji_dc")
    case = register(seed=302, by=reg).case
    _login(client, "dengji_dc")
    resp = client.post(
        reverse("case_act", args=[case.pk, "tell"]), {"tell-version": case.version, "tell-told_where": "法院"}
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'value="法院"' in html and 'data-testid="error-tell-reason"' in html
    old_version = case.version
    case_act(case=case, actor=reg, action="tell", told_where="人民法院", reason="属于诉讼事项")
    resp = client.post(
        reverse("case_act", args=[case.pk, "refuse"]),
        {"refuse-version": old_version, "refuse-reason": "重复"},
    )
    assert resp.status_code == 409
    assert "已被他人处理" in resp.content.decode() or "其他人已先行处理" in resp.content.decode()


def test_another_bodys_case_is_404_and_cannot_be_acted_on(client, demo_city):
    case = register(seed=303, by=_demo_actor("dengji_dc")).case
    _login(client, "chengban")  # the city housing bureau: not involved, not overseeing a 信访局's case
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    resp = client.post(
        reverse("case_act", args=[case.pk, "refuse"]), {"refuse-version": case.version, "refuse-reason": "x"}
    )
    assert resp.status_code == 404
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_reveal_is_logged_and_returns_the_value(client, demo_city):
    case = register(seed=304, by=_demo_actor("dengji_dc")).case
    person = case.petitioners.get().person
    _login(client, "dengji_dc")
    resp = client.post(reverse("case_reveal", args=[case.pk, person.pk, "id_number"]))
    assert resp.status_code == 200 and valid_id(304) in resp.content.decode()
    event = Event.objects.get(action="reveal_personal_data")
    assert event.new_values == {"person": person.pk, "field": "id_number"}
    # The timeline shows it, in Chinese; reads are not listed.
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "查看信访人个人信息" in html and ">read<" not in html


def test_answered_case_shows_notices_and_takes_a_phone_evaluation(client, demo_city):
    reg = _demo_actor("dengji_dc")
    officer = _demo_actor("chengban_dc")
    case = _cases_for_dc_housing(1)[0]
    case = case_act(case=case, actor=officer, action="receive")
    case = case_act(case=case, actor=officer, action="accept", route=Route.HANDLE)
    # The 意见书 is issued by the body's head (sign-off, issue 15).
    case = case_act(
        case=case, actor=_demo_actor("fuze_dc"), action="answer", outcome=Outcome.SUPPORT, text="责令维修。"
    )
    _login(client, "chengban_dc")
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "信访处理意见书" in html and "受理告知书" in html and "满意度评价" in html
    resp = client.post(reverse("case_evaluate", args=[case.pk]), {"result": "satisfied"})
    assert resp.status_code == 302
    assert case.evaluations.get().result == "satisfied"
    assert reg  # the registrar registered it


def test_person_file_lists_visible_cases_with_repeat_links(client, demo_city):
    reg = _demo_actor("dengji_dc")
    first = register(seed=401, by=reg).case
    again = register(seed=401, by=reg).case
    assert again.repeat_of_id == first.pk
    person = first.petitioners.get().person
    person.email = "lisi.petition@example.cn"
    person.save(update_fields=["email"])
    _login(client, "dengji_dc")
    html = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert first.number in html and again.number in html and "重复于" in html
    assert "li***@example.cn" in html and "lisi.petition" not in html  # masked like the phone
    _login(client, "chengban")
    assert client.get(reverse("person_detail", args=[person.pk])).status_code == 404


@override_settings(
    XINFANG_CASE_PAGE_CACHE=False
)  # the render itself (a repeat view is served stored, ADR 0020)
def test_case_page_query_count_does_not_grow_with_its_history(client, demo_city):
    officer = _demo_actor("chengban_dc")
    young, old = _cases_for_dc_housing(2, start=500)
    for action, inputs in (("receive", {}), ("accept", {"route": Route.HANDLE})):
        old = case_act(case=old, actor=officer, action=action, **inputs)
    for i in range(3):
        old = case_act(case=old, actor=officer, action="hearing_start", hearing_date=None, reason=f"第{i}次")
        old = case_act(case=old, actor=officer, action="hearing_end", reason="结束")
    _login(client, "chengban_dc")
    client.get(reverse("case_detail", args=[young.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("case_detail", args=[young.pk]))
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("case_detail", args=[old.pk])).content.decode()
    assert html.count("举行听证") >= 3
    # The older case offers more actions (forms) but the page reads its history in fixed queries.
    assert len(many) <= len(few) + 2


def test_intake_suggestions_panel_shows_what_intake_suggests(client, demo_city):
    _login(client, "dengji_dc")
    assert 'hx-post="/cases/new/suggest/"' in client.get(reverse("case_new")).content.decode()
    resp = client.post(reverse("intake_suggestions"), _intake_data())
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "内容分类" in html and "信访类型" in html and "系统建议" in html
    assert 'data-testid="category-uncertain"' not in html  # a clear 物业/漏水 matter
    # a request that says nothing of its matter: the panel says the model is unsure, and names the runner-up
    vague = client.post(reverse("intake_suggestions"), _intake_data(request="请求解决问题", facts="")).content
    vague = vague.decode()
    assert (
        'data-testid="category-uncertain"' in vague
        and "把握不大，请人工判断" in vague
        and "也可能是" in vague
    )


def test_intake_records_the_suggestion_beside_the_choice_and_the_case_page_compares(client, demo_city):
    """The server computes the suggestion again at submit (a field sent by the browser is ignored); the
    registrar's change of category is recorded beside it; the first transfer is compared with the route."""
    from xinfang.cases.models import Category

    _login(client, "dengji_dc")
    environment = Category.objects.get(code="environment")
    forged = '{"category": {"name": "伪造"}}'
    client.post(reverse("case_new"), _intake_data(category=str(environment.pk), suggestion=forged))
    case = Case.objects.get()
    s = case.suggestion
    assert s["category"]["name"] == "城乡建设" and "置信度" in s["category"]["because"]
    assert s["chosen"] == {
        "category": {"code": "environment", "name": "环境保护"},
        "petition_type": "appeal",
        "law_related": False,
    }
    assert Event.objects.get(action="register").new_values["suggestion"] == s
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    record = html[html.index('data-testid="suggestion-record"') :]
    assert "智能建议：城乡建设（置信度" in record and "已改为：<strong>环境保护</strong>" in record
    assert "登记为：申诉求决类" in record and "尚未分流" in record

    route = s["routes"][0]
    target = Body.objects.get(code=route["body_code"])
    client.post(
        reverse("case_act", args=[case.pk, "transfer"]),
        {"transfer-version": case.version, "transfer-target_body": target.pk},
    )
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert f"实际：转送 → {target.name}" in html and "采纳建议" in html and "未采纳建议" not in html


def test_case_page_says_when_the_route_was_not_the_suggested_one(client, demo_city):
    _login(client, "dengji_dc")
    client.post(reverse("case_new"), _intake_data())
    case = Case.objects.get()
    assert case.suggestion["chosen"]["category"] is None  # left unclassified
    other = Body.objects.get(code="990101-urban_management")
    assert other.code != case.suggestion["routes"][0]["body_code"]
    client.post(
        reverse("case_act", args=[case.pk, "transfer"]),
        {"transfer-version": case.version, "transfer-target_body": other.pk},
    )
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert f"实际：转送 → {other.name}" in html and "未采纳建议" in html
    assert "已改为：<strong>未分类</strong>" in html


def test_case_page_says_a_passed_objection_window_has_lapsed(client, demo_city):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from xinfang.cases.services import case_act
    from xinfang.cases.tests.factories import officer, register, registrar
    from xinfang.orgs.models import Body, User

    reg = registrar()
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        case = register(by=reg).case
        case = case_act(
            case=case, actor=reg, action="transfer", target_body=Body.objects.get(code="990101-housing")
        )
        case = case_act(case=case, actor=officer(), action="receive")
    client.force_login(User.objects.get(username="chengban_dc"))
    html = client.get(f"/cases/{case.pk}/").content.decode()
    row = html[html.index("异议期限") : html.index("</tr>", html.index("异议期限"))]
    assert "已届满" in row and "已逾期" not in row
