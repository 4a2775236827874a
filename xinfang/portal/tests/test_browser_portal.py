"""The whole petitioner's path on a 360 px phone: guide → petition → (staff through the services) →
track with the 查询码 → evaluate → 复查; and a 复查 asked too late is refused with the closing date."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from xinfang.cases.models import Case, Category, Channel, State
from xinfang.evaluation.models import Evaluation
from xinfang.orgs.models import Region
from xinfang.portal.tests.conftest import solve
from xinfang.portal.tests.helpers import unlock, walk_to_answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_petition_online_to_answer_evaluation_and_review(page, demo_city, shots):
    page.set_viewport_size(PHONE)
    base = page.base_url

    # The guide first: the other doors (court, arbitration, 复议, 纪检监察, 政法) before the form.
    page.goto(base + "/portal/")
    assert page.get_by_role("heading", name="先找对门，再写信访").is_visible()
    _no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "20-portal-guide.png"), full_page=True)

    page.get_by_role("link", name="我已看过指引，我要信访").click()
    page.wait_for_url("**/portal/submit/")
    page.get_by_label("姓名").fill("李网民")
    page.get_by_label("身份证号码").fill("110101199003074477")
    page.get_by_label("手机号码").fill("13900002222")
    page.get_by_label("通信地址").fill("示例市东城区和平路8号")
    town = Region.objects.get(code="990101001")
    page.get_by_label("问题发生地（问题属地）").select_option(label=f"东城区 · {town.name}")
    page.get_by_label("申诉求决类").check()
    page.get_by_label("您的诉求").fill("小区8号楼屋顶漏水两年，请求责令物业维修")
    page.get_by_label("事实和理由").fill("2024年起每逢下雨屋顶漏水，多次找物业和开发商，互相推诿。")
    question = page.locator("label[for=id_human_answer]").inner_text()
    page.get_by_label("验证题").fill(solve(question.split("：", 1)[1]))
    _no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "21-portal-submit.png"), full_page=True)
    page.get_by_role("button", name="提交信访").click()

    page.wait_for_url("**/portal/submit/done/**")
    number = page.get_by_test_id("case-number").inner_text()
    code = page.get_by_test_id("query-code").inner_text()
    receipt_url = page.url
    page.reload()  # shown once: a reload does not show the code again
    assert page.get_by_test_id("receipt-gone").is_visible()
    assert code not in page.content()
    page.goto(receipt_url)
    assert code not in page.content()

    # The registrar's queue: a normal registered case at 东城区信访局; staff act through the services.
    case = Case.objects.get(number=number)
    assert (case.channel, case.state, case.current_body.code) == (
        Channel.ONLINE,
        State.REGISTERED,
        "990101-xinfang",
    )
    walk_to_answer(case)

    # The petitioner follows it with the 查询码.
    page.goto(base + "/portal/track/")
    page.get_by_label("编号").fill(number)
    page.get_by_label("查询码").fill(code.lower())  # typed in lower case from the SMS: still accepted
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/portal/track/case/")
    assert number not in page.url and code not in page.url
    answer = page.get_by_test_id("answer")
    assert "经查，屋顶防水层老化" in answer.inner_text()
    assert "转至东城区住房和城乡建设局" in page.get_by_test_id("sent").inner_text()
    assert "请在" in page.content() and "对答复作出评价" in page.content()
    _no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "22-portal-track.png"), full_page=True)

    page.get_by_label("不满意").check()
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url("**/portal/track/case/**")
    assert "评价已提交：不满意" in page.content()
    stored = Evaluation.objects.get(case=case)
    assert (stored.result, stored.channel) == ("unsatisfied", "online")
    assert page.get_by_test_id("appeal-offer").is_visible()

    page.get_by_label("请求理由").fill("维修至今没有落实，请上级机关复查。")
    page.get_by_role("button", name="请求复查").click()
    page.wait_for_url("**/portal/track/case/**")
    assert "复查请求已提交" in page.content()
    case.refresh_from_db()
    assert case.state == State.REVIEWING and case.current_body.code == "990100-housing"


def test_review_asked_after_the_window_is_refused(demo_city):
    """A live server's clock cannot be moved across processes, so this half runs in the test client."""
    from xinfang.cases.tests.factories import register

    # A transactional test starts without the migration-seeded categories the factory looks up.
    Category.objects.get_or_create(code="urban_rural", defaults={"name": "城乡建设"})
    result = register(seed=9, channel=Channel.ONLINE)
    walk_to_answer(result.case)
    due = result.case.clocks.get(kind="review_request").due_on
    client = Client()
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=3), dt.time(2, 0), tzinfo=dt.UTC)):
        unlock(client, result.case.number, result.query_code)
        response = client.post(
            "/portal/track/appeal/", {"action": "request_review", "reason": "不服"}, follow=True
        )
    assert f"{due:%Y年%m月%d日}" in response.content.decode()
    result.case.refresh_from_db()
    assert result.case.state == State.ANSWERED
