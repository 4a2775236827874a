"""In a real browser: the registrar finds a case they transferred out by a word of its request."""

import pytest

from xinfang.cases.models import Category
from xinfang.orgs.demo import DEMO_PASSWORD
from xinfang.search.tests.test_search import _transferred

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browser_search_finds_transferred_out_case_by_a_word_of_its_request(page, demo_city, shots):
    Category.objects.get_or_create(code="urban_rural", defaults={"name": "城乡建设"})
    case = _transferred(71, "东华街道幸福小区电梯停运半年，请求尽快修复")
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill("dengji_dc")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    page.get_by_role("link", name="检索").click()
    page.get_by_label("编号 / 姓名 / 电话 / 诉求中的词").fill("电梯")
    page.get_by_test_id("search-form").get_by_role("button", name="检索").click()
    results = page.get_by_test_id("search-results")
    results.get_by_role("link", name=case.number).wait_for()
    assert "已转送" in results.inner_text()
    page.screenshot(path=str(shots / "21-search-transferred-out.png"), full_page=True)
