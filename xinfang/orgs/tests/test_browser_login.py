import pytest

from xinfang.orgs.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username):
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_two_roles_log_in_and_see_their_body(page, demo_city, shots):
    _login(page, "dengji")
    page.wait_for_url(page.base_url + "/")
    assert page.get_by_test_id("acting-body").inner_text() == "示例市信访局"
    assert "登记员" in page.content()
    page.screenshot(path=str(shots / "01-home-registrar.png"))
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")
    page.screenshot(path=str(shots / "00-login.png"))

    _login(page, "chengban_dc")
    page.wait_for_url(page.base_url + "/")
    assert page.get_by_test_id("acting-body").inner_text() == "东城区住房和城乡建设局"
    assert "承办人" in page.content()


def test_two_body_user_picks_a_body(page, demo_city):
    _login(page, "duogang")
    page.wait_for_url("**/accounts/body/")
    page.get_by_label("东城区住房和城乡建设局：承办人").check()
    page.get_by_role("button", name="确定").click()
    page.wait_for_url(page.base_url + "/")
    assert page.get_by_test_id("acting-body").inner_text() == "东城区住房和城乡建设局"
