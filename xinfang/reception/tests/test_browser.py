"""A visit in a real browser: check-in → ticket → the board (1920×1080) shows the call → the officer records
the visit and opens a case → the receipt prints; the kiosk on a 768-wide tablet. Screenshots to `shots`."""

from __future__ import annotations

import pytest

from xinfang.cases.models import Category
from xinfang.orgs.demo import DEMO_PASSWORD
from xinfang.reception.models import Visit
from xinfang.reception.tests.factories import hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")


def test_a_visit_from_check_in_to_receipt(page, browser, live_server, demo_city, shots):
    Category.objects.get_or_create(code="urban_rural", defaults={"name": "城乡建设"})
    services = hall()
    _login(page, "dengji_dc")
    page.goto(page.base_url + "/hall/")
    page.get_by_test_id("checkin-form").get_by_label("窗口").select_option(value=str(services["A"].pk))
    page.get_by_test_id("checkin-form").get_by_role("button", name="取号").click()
    page.get_by_test_id("ticket-code").wait_for()
    assert page.get_by_test_id("ticket-code").inner_text() == "A001"
    page.screenshot(path=str(shots / "hall-ticket.png"))

    # The TV: 1920×1080, no login; it polls its panel every few seconds.
    tv = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN").new_page()
    tv.goto(live_server.url + "/hall/board/990101-xinfang/")
    assert tv.get_by_test_id("board-A").locator(".board-now").inner_text() == "—"

    page.goto(page.base_url + "/hall/")
    page.get_by_role("row", name="一号接访室").get_by_role("link", name="进入窗口").click()
    page.get_by_test_id("call-next").click()
    page.wait_for_load_state()
    # The board shows the call without a reload (htmx polling).
    tv.get_by_test_id("board-A").locator(".board-now", has_text="A001").wait_for(timeout=10000)
    assert "A001" in tv.get_by_test_id("board-calls").inner_text()
    assert "来访人" not in tv.content()
    tv.screenshot(path=str(shots / "hall-board-1920x1080.png"))

    page.get_by_test_id("start-A001").click()
    page.get_by_test_id("visit-form").wait_for()
    page.get_by_label("姓名").fill("孙来访")
    page.get_by_label("联系电话").fill("13900000088")
    page.get_by_label("反映内容").fill("东华街道幸福小区8号楼电梯长期故障，物业不维修，请求督促维修。")
    page.get_by_label("接待结果").select_option(value="new_case")
    page.get_by_label("信访类型").select_option(value="appeal")
    page.get_by_label("问题属地").select_option(label="东华街道")
    page.get_by_label("录音录像编号").fill("REC-20261203-001")
    page.screenshot(path=str(shots / "hall-visit-form.png"), full_page=True)
    page.get_by_test_id("visit-save").click()
    page.get_by_test_id("visit-case").wait_for()
    visit = Visit.objects.get()
    assert (
        visit.case.channel == "visit" and page.get_by_test_id("visit-case").inner_text() == visit.case.number
    )

    page.get_by_test_id("receipt-link").click()
    page.get_by_test_id("receipt").wait_for()
    assert visit.case.number in page.get_by_test_id("receipt-number").inner_text()
    assert len(page.get_by_test_id("receipt-code").inner_text()) > 10
    page.emulate_media(media="print")
    assert not page.get_by_test_id("print").is_visible()  # the buttons do not print
    page.screenshot(path=str(shots / "hall-receipt.png"))
    page.emulate_media(media="screen")

    # The tablet kiosk, 768 wide: a visitor takes a number for the lawyers' room.
    tablet = browser.new_context(viewport={"width": 768, "height": 1024}, locale="zh-CN")
    tablet.add_cookies(page.context.cookies())
    kiosk = tablet.new_page()
    kiosk.goto(live_server.url + "/hall/kiosk/")
    kiosk.screenshot(path=str(shots / "hall-kiosk-768.png"), full_page=True)
    assert kiosk.evaluate("document.documentElement.scrollWidth") <= 768
    kiosk.get_by_role("button", name="律师接待室").click()
    kiosk.get_by_test_id("ticket-code").wait_for()
    assert kiosk.get_by_test_id("ticket-code").inner_text() == "L001"
    tablet.close()
    tv.context.close()
