"""In a real browser: a 督查员 issues a 发函督办, the body replies, the 督查员 closes it; a leader opens a 包案
and records a step of the four 包."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from xinfang.orgs.demo import DEMO_PASSWORD
from xinfang.supervision.tests.conftest import World, ladder_defaults

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")


def _logout(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")


def test_letter_supervision_issued_replied_closed_and_a_leader_case(page, demo_city, shots):
    from xinfang.cases.tests.factories import actor
    from xinfang.orgs.models import Body, Role

    ladder_defaults()
    world = World(
        supervisor=actor("990100-xinfang", Role.SUPERVISOR, "sup-city"),
        county_supervisor=actor("990101-xinfang", Role.SUPERVISOR, "sup-dc"),
        housing=Body.objects.select_related("region").get(code="990101-housing"),
        housing_head=actor("990101-housing", Role.AGENCY_HEAD, "head-dc"),
        city_leader=actor("990100-government", Role.LEADER, "leader-city"),
        county_leader=actor("990101-government", Role.LEADER, "leader-dc"),
    )
    case = world.held_case()

    _login(page, "ducha")
    panel = page.get_by_test_id("supervision-panel")
    panel.get_by_role("link", name="发起督办").click()
    page.wait_for_url("**/supervision/new/")
    page.get_by_label("督办方式").select_option(label="3. 发函督办")
    page.get_by_label("督办事由").select_option(label="拖延")
    page.get_by_label("被督办单位").select_option(label="东城区住房和城乡建设局")
    page.get_by_label("信访事项编号（多个用逗号分隔）").fill(case.number)
    page.get_by_label("督办要求").fill("该事项办理拖延，请于期限内书面回复整改措施和办理结果。")
    page.get_by_role("button", name="发出督办").click()
    page.wait_for_url(re.compile(r".*/supervision/\d+/$"))
    assert page.get_by_test_id("supervision-status").inner_text() == "待回复"
    assert page.get_by_test_id("letter-pdf").is_visible()
    detail_url = page.url
    page.screenshot(path=str(shots / "supervision-issued.png"), full_page=True)
    _logout(page)

    _login(page, "fuze_dc")
    page.get_by_test_id("to-answer").get_by_role("link").click()
    page.wait_for_url(detail_url)
    page.get_by_label("整改措施").fill("已约谈承办人，明确专人负责，三日内办结。")
    page.get_by_label("办理结果").fill("已书面答复信访人，信访人表示满意。")
    page.get_by_role("button", name="提交回复").click()
    page.wait_for_url(detail_url)
    assert page.get_by_test_id("supervision-status").inner_text() == "已回复待办结"
    _logout(page)

    _login(page, "ducha")
    page.goto(detail_url)
    page.get_by_test_id("reply").wait_for()
    page.get_by_label("办结意见").fill("整改措施到位，同意办结。")
    page.get_by_role("button", name="办结督办").click()
    page.wait_for_url(detail_url)
    assert page.get_by_test_id("supervision-status").inner_text() == "已办结"
    page.screenshot(path=str(shots / "supervision-closed.png"), full_page=True)
    _logout(page)

    _login(page, "lingdao_dc")
    page.goto(page.base_url + f"/supervision/leader-cases/new/?case={case.number}")
    page.get_by_label("一案一策化解方案").fill("摸清诉求，协调住建局限期维修，做好思想疏导。")
    page.get_by_role("button", name="确定包案").click()
    page.wait_for_url(re.compile(r".*/supervision/leader-cases/\d+/$"))
    assert page.get_by_test_id("leader-case-status").inner_text() == "包案中"
    form = page.get_by_test_id("step-form")
    form.get_by_label("环节").select_option(label="包掌握情况")
    form.get_by_label("工作情况").fill("已入户走访，掌握诉求和家庭情况。")
    form.get_by_role("button", name="记录环节").click()
    row = page.locator('tr[data-step="grasp"]')
    expect(row).to_contain_text("已入户走访")  # waits for the page the form leads to
    assert re.search(r"\d{4}-\d{2}-\d{2}.*\d{4}-\d{2}-\d{2}", row.inner_text())  # planned and done dates
    page.screenshot(path=str(shots / "supervision-leader-case.png"), full_page=True)
