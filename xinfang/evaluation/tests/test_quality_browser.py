"""In a real browser: the committee's 评价委员 (吴评价) opens a sampled case, scores it against the 18 criteria, fails
it; the district 住建局's officer (赵承办) finds the 整改 on the home page and reports what was done."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

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


def test_evaluator_fails_a_sampled_case_and_the_body_sees_the_rectification(page, demo_city, shots):
    from django.apps import apps as django_apps

    from xinfang.evaluation.quality_services import review_plan_create, review_plan_draw
    from xinfang.evaluation.tests.conftest import answered_case
    from xinfang.orgs.acting import actor_for
    from xinfang.orgs.models import Body, User

    # a transaction=True test flushes the tables, the shipped criteria included: put them back
    __import__("xinfang.evaluation.migrations.0003_default_criteria", fromlist=["forward"]).forward(
        django_apps, None
    )
    case = answered_case(1)
    committee = actor_for(User.objects.get(username="pingjia"), Body.objects.get(code="990100-xinfang"))
    plan = review_plan_create(
        actor=committee,
        name="2026年第一季度质效评价",
        body=committee.body,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        sample_percent=100,
        seed=2026,
    )
    review_plan_draw(actor=committee, plan=plan)

    _login(page, "pingjia")
    page.get_by_role("link", name="质效评价").first.click()
    page.get_by_role("link", name="2026年第一季度质效评价").click()
    expect(page.get_by_test_id("sample-items")).to_contain_text("随机抽取")
    page.get_by_test_id("review-link").filter(has_text=case.number).click()
    expect(page.get_by_test_id("review-form")).to_be_visible()
    criteria = page.get_by_test_id("criterion")
    expect(criteria).to_have_count(18)
    for i in range(18):
        criteria.nth(i).get_by_label("到位", exact=True).check()
    first = page.locator('[data-code="solve-1"]')
    first.get_by_label("不到位", exact=True).check()
    first.get_by_label("说明").fill("意见书称已解决，回访核实排水设施仍未修复。")
    first.get_by_role("listbox").select_option(index=0)
    page.get_by_test_id("result-fail").check()
    page.get_by_label("评价意见", exact=True).fill("诉求合理，但问题未实际解决，解决问题到位不达标。")
    page.get_by_label("整改要求（评为不合格时，交办理单位整改；不填则同评价意见）").fill(
        "请实地修复排水设施，并报送整改情况和现场照片。"
    )
    page.screenshot(path=str(shots / "quality-review-form.png"), full_page=True)
    page.get_by_test_id("review-submit").click()
    expect(page.get_by_test_id("review-result")).to_contain_text("不合格")
    expect(page.get_by_test_id("review-rectification")).to_contain_text("待整改")
    expect(page.get_by_test_id("scores")).to_contain_text("回访核实排水设施仍未修复")
    page.screenshot(path=str(shots / "quality-review-failed.png"), full_page=True)
    _logout(page)

    _login(page, "chengban_dc")
    panel = page.get_by_test_id("quality-panel")
    expect(panel.get_by_test_id("rectification-owed")).to_contain_text("本单位待整改：1 件")
    panel.get_by_test_id("rectification-todo").get_by_role("link", name=case.number).click()
    expect(page.get_by_test_id("rectification-requirement")).to_contain_text("请实地修复排水设施")
    page.get_by_label("整改情况").fill("已组织施工修复排水设施，附现场照片。")
    page.get_by_role("button", name="报送").click()
    expect(page.get_by_test_id("rectification-status")).to_contain_text("已报送待验收")
    expect(page.get_by_test_id("rectification-steps")).to_contain_text("已组织施工修复排水设施")
    assert re.search(r"/quality/rectifications/\d+/$", page.url)
    page.screenshot(path=str(shots / "quality-rectification-reported.png"), full_page=True)
