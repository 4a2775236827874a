"""The workspace in a real browser: a letter from registration to answer, and a tampered URL."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from xinfang.cases.models import Case, Category, State
from xinfang.cases.tests.factories import valid_id
from xinfang.orgs.demo import DEMO_PASSWORD

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


def _act(page, action: str, fill=None) -> None:
    box = page.locator(f'details[data-action="{action}"]')
    box.locator("summary").click()
    if fill:
        fill(box)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_letter_registered_transferred_received_accepted_answered(page, demo_city, shots):
    # Transactional tests flush the tables, the categories the migrations seeded included.
    Category.objects.get_or_create(code="urban_rural", defaults={"name": "城乡建设"})
    _login(page, "dengji_dc")
    page.get_by_role("link", name="登记").click()
    page.wait_for_url("**/cases/new/")
    page.get_by_label("信访类型").select_option(label="申诉求决类")
    page.get_by_label("内容分类").select_option(label="城乡建设")
    page.get_by_label("信访诉求").fill(
        "东华街道幸福小区5号楼屋顶漏水三年，物业和开发商互相推诿，请求责令维修。"
    )
    page.get_by_label("事实和理由").fill("2023年起每逢下雨顶楼渗水，多次找物业无果。")
    page.get_by_label("被反映对象").fill("幸福小区物业公司")
    page.get_by_label("身份证号码").fill(valid_id(61))
    page.get_by_label("联系电话").fill("13900000061")
    page.get_by_label("姓名（名称）").fill("钱六一")
    page.get_by_label("住址").fill("东华街道幸福小区5号楼")
    # Leaving the request text asks xinfang.intake for suggestions; they appear beside the form.
    page.get_by_label("信访诉求").focus()
    page.get_by_label("标题").focus()
    page.get_by_test_id("suggestions").wait_for()
    assert "东城区住房和城乡建设局" in page.get_by_test_id("intake-suggestions").inner_text()
    page.screenshot(path=str(shots / "10-intake.png"), full_page=True)
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    case = Case.objects.get()
    assert page.get_by_test_id("new-number").inner_text() == case.number
    assert "请交给信访人" in page.content()

    _act(
        page,
        "transfer",
        lambda box: box.get_by_label("有权处理机关").select_option(label="东城区住房和城乡建设局"),
    )
    assert page.get_by_test_id("case-state").inner_text() == "已转送"
    assert page.get_by_test_id("no-actions").is_visible()
    _logout(page)

    _login(page, "chengban_dc")
    page.get_by_role("link", name="我的待办").click()
    page.wait_for_url("**/cases/")
    page.screenshot(path=str(shots / "11-queue.png"), full_page=True)
    page.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    _act(page, "receive")
    assert page.get_by_test_id("case-state").inner_text() == "已签收"
    _act(page, "accept", lambda box: box.get_by_label("处理途径").select_option(value="6"))
    assert page.get_by_test_id("case-state").inner_text() == "已受理"

    def answer(box):
        box.get_by_label("处理意见").select_option(label="予以支持")
        box.get_by_label("意见正文").fill("经调查核实，责令物业公司于30日内完成屋顶防水维修。")

    _act(page, "answer", answer)
    # The 意见书 waits for the head's sign-off (issue 15): the case stays 已受理 until 陈局长 approves it.
    expect(page.get_by_test_id("draft")).to_contain_text("待负责人审批")
    assert page.get_by_test_id("case-state").inner_text() == "已受理"
    _logout(page)
    _login(page, "fuze_dc")
    page.goto(page.base_url + f"/cases/{case.pk}/")
    page.get_by_test_id("draft-approve").click()
    expect(page.get_by_test_id("case-state")).to_have_text("已答复")
    _logout(page)
    _login(page, "chengban_dc")
    page.goto(page.base_url + f"/cases/{case.pk}/")
    notices = page.get_by_test_id("notices")
    assert "受理告知书" in notices.inner_text() and "信访处理意见书" in notices.inner_text()
    notices.locator("summary", has_text="信访处理意见书").click()
    assert "责令物业公司" in notices.inner_text()
    page.get_by_test_id("reveal-phone").click()
    assert page.get_by_test_id("revealed").inner_text() == "13900000061"
    page.screenshot(path=str(shots / "12-case.png"), full_page=True)
    case.refresh_from_db()
    assert case.state == State.ANSWERED

    page.get_by_role("link", name="信访档案").click()
    page.wait_for_url("**/people/*/")
    assert case.number in page.get_by_test_id("person-cases").inner_text()
    page.screenshot(path=str(shots / "13-person.png"), full_page=True)


def test_changing_the_url_to_another_bodys_case_gives_404(page, demo_city):
    from xinfang.cases.tests.factories import register
    from xinfang.orgs.acting import actor_for
    from xinfang.orgs.models import User

    Category.objects.get_or_create(code="urban_rural", defaults={"name": "城乡建设"})
    user = User.objects.get(username="dengji_dc")
    case = register(seed=62, by=actor_for(user, user.memberships.get().body), category=None).case
    _login(page, "chengban")
    response = page.goto(page.base_url + f"/cases/{case.pk}/")
    assert response.status == 404
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    posted = page.request.post(
        page.base_url + f"/cases/{case.pk}/act/refuse/",
        form={"refuse-version": str(case.version), "refuse-reason": "越权"},
        headers={"X-CSRFToken": token, "Referer": page.base_url + "/"},
    )
    assert posted.status == 404
    case.refresh_from_db()
    assert case.state == State.REGISTERED
