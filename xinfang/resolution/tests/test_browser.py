"""In a real browser: a registrar refers a case to the mediation committee; the committee's 调解员 records the
agreement; the case is concluded with it; the centre's figures count it. Screenshots to `shots`."""

from __future__ import annotations

import pytest

from xinfang.cases.models import State
from xinfang.cases.tests.factories import register
from xinfang.orgs.acting import actor_for
from xinfang.orgs.demo import DEMO_PASSWORD
from xinfang.orgs.models import Body, User
from xinfang.resolution.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")


def test_referral_to_agreement_closes_the_case_and_counts(page, live_server, demo_city, shots):
    from xinfang.resolution.demo import _organisations, _users

    orgs = _organisations()
    _users(orgs)
    dengji = User.objects.get(username="dengji")
    city = Body.objects.get(code="990100-xinfang")
    case = register(by=actor_for(dengji, city), seed=41, region="990101001").case

    # the registrar refers the case from its page
    _login(page, "dengji")
    page.goto(page.base_url + f"/cases/{case.pk}/")
    page.get_by_test_id("refer-case").click()
    form = page.get_by_test_id("referral-form")
    form.get_by_label("接收组织").select_option(value=str(orgs["rmtj"].pk))
    parties = page.get_by_test_id("parties")
    parties.locator("select[name='party-0-consent']").select_option("agreed")
    parties.locator("input[name='party-1-name']").fill("某物业服务有限公司")
    page.screenshot(path=str(shots / "resolution-refer.png"), full_page=True)
    page.get_by_test_id("referral-submit").click()
    # consent of the respondent not yet recorded: refused, nothing sent
    assert "尚未记录" in page.get_by_test_id("referral-error").inner_text()
    assert not Referral.objects.exists()
    page.get_by_test_id("parties").locator("select[name='party-1-consent']").select_option("agreed")
    page.get_by_test_id("referral-submit").click()
    number = page.get_by_test_id("referral-number").inner_text()
    assert page.get_by_test_id("referral-status").inner_text() == "已移送"

    # the mediator: the queue shows it, the agreement is recorded
    _login(page, "tiaojie_rm")
    page.get_by_test_id("nav-resolution").click()
    page.get_by_test_id("referrals").get_by_role("link", name=number).click()
    assert case.number not in page.content()  # the organisation sees the referral, not the case
    outcome = page.get_by_test_id("outcome-form")
    outcome.locator("select[name='outcome']").select_option("mediation_agreement")
    outcome.locator("textarea[name='text']").fill(
        "一、物业公司于十日内维修屋顶；\n二、信访人不再就此事项信访。"
    )
    outcome.get_by_test_id("outcome-submit").click()
    page.get_by_test_id("case-effect").wait_for()
    assert "以调解/和解协议办结" in page.get_by_test_id("case-effect").inner_text()
    assert page.get_by_test_id("confirmation-due").is_visible()
    page.screenshot(path=str(shots / "resolution-agreement.png"), full_page=True)

    # the registrar: the case is concluded with the agreement; the figures count it
    _login(page, "dengji")
    page.goto(page.base_url + f"/cases/{case.pk}/")
    assert page.get_by_test_id("case-state").inner_text() == State.CONCLUDED.label
    assert "物业公司于十日内维修屋顶" in page.content()
    page.goto(page.base_url + "/resolution/figures/")
    total = page.get_by_test_id("figures-month").locator("tr.total td")
    assert total.nth(1).inner_text() == "1" and total.nth(2).inner_text() == "1"
    assert total.nth(3).inner_text() == "100.0%"
    page.screenshot(path=str(shots / "resolution-figures.png"), full_page=True)
