"""In a real browser, under the Content-Security-Policy: our scripts run (the intake form's "add a
petitioner", the language switcher, htmx) and the browser reports no violation."""

import pytest

from xinfang.orgs.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scripts_run_and_nothing_is_blocked(page, demo_city):
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill("dengji")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")

    page.goto(page.base_url + "/cases/new/")
    rows = page.locator("#petitioner-rows > *")
    before = rows.count()
    page.locator("#add-petitioner").click()
    assert rows.count() == before + 1  # the nonce'd inline script ran

    # the submit navigates: wait for that navigation, not for the already-loaded page's "load"
    with page.expect_navigation():
        page.get_by_test_id("language-switcher").locator("select").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"  # the switcher's script submitted the form
    assert violations == []
