"""The daily ledger in a real browser: an agency officer clears a red item with a note, in place, and the
supervisor sees the day across the bodies under them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from xinfang.cases.models import Category
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import register
from xinfang.deadlines.models import LedgerItem
from xinfang.deadlines.services import ledger_build
from xinfang.orgs.acting import actor_for
from xinfang.orgs.demo import DEMO_PASSWORD
from xinfang.orgs.models import Body, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demo_actor(username: str):
    user = User.objects.get(username=username)
    return actor_for(user, user.memberships.get().body)


def _overdue_cases(n: int) -> list:
    """Letters received by the district housing bureau 30 days ago: their 15-day acceptance clock is red."""
    Category.objects.get_or_create(code="urban_rural", defaults={"name": "城乡建设"})
    reg, officer = _demo_actor("dengji_dc"), _demo_actor("chengban_dc")
    housing = Body.objects.get(code="990101-housing")
    requests = [
        "幸福小区5号楼屋顶漏水三年，物业和开发商互相推诿，请求责令维修",
        "东华街道建设路施工噪音夜间扰民，请求限制施工时间",
    ]
    cases = []
    # The live server runs in this process: travel only while the data is made, never while the page is driven.
    with time_machine.travel(timezone.now() - timedelta(days=30), tick=False):
        for i, text in enumerate(requests[:n]):
            case = register(by=reg, seed=300 + i, request=text).case
            case = case_act(case=case, actor=reg, action="transfer", target_body=housing)
            cases.append(case_act(case=case, actor=officer, action="receive"))
    return cases


def _login(page, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")


def test_officer_clears_a_red_item_and_the_supervisor_sees_the_day(page, demo_city, shots):
    cleared_case, left_case = _overdue_cases(2)
    today = timezone.localdate()
    ledger_build(day=today)

    _login(page, "chengban_dc")
    page.get_by_role("link", name="每日交账").click()
    page.wait_for_url("**/ledger/")
    # Each letter owes one overdue duty: the acceptance notice. Its lapsed 异议 window is a right gone, not a
    # red item (LAPSING_WINDOWS).
    assert page.get_by_test_id("uncleared-count").inner_text() == "未销账 2 项"
    assert page.get_by_test_id("ledger-item").filter(has_text="异议期限").count() == 0
    row = (
        page.get_by_test_id("ledger-item")
        .filter(has_text=cleared_case.number)
        .filter(has_text="受理告知期限")
    )
    assert row.get_attribute("data-light") == "red" and "红灯" in row.inner_text()

    # A mark on the window: a full reload would lose it, the htmx swap keeps it.
    page.evaluate("window.__ledgerPage = 1")
    row.get_by_label("销账说明").fill("已电话联系信访人，约定明日现场核查")
    row.get_by_role("button", name="销账").click()
    cleared = page.locator('[data-testid="ledger-item"][data-cleared="1"]')
    cleared.wait_for()
    assert cleared.count() == 1 and cleared_case.number in cleared.inner_text()
    assert "已销账" in cleared.inner_text() and "约定明日现场核查" in cleared.inner_text()
    assert page.evaluate("window.__ledgerPage") == 1
    assert page.get_by_test_id("uncleared-count").inner_text() == "未销账 1 项"
    item = LedgerItem.objects.get(clock__case=cleared_case, clock__kind="acceptance", ledger_day__date=today)
    assert item.is_cleared and item.cleared_by.username == "chengban_dc"
    others = page.get_by_test_id("ledger-item").filter(has_text=left_case.number)
    assert [others.nth(i).get_attribute("data-cleared") for i in range(others.count())] == ["0"]
    page.screenshot(path=str(shots / "14-ledger.png"), full_page=True)

    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")
    _login(page, "ducha")
    page.get_by_role("link", name="每日交账").click()
    page.get_by_role("link", name="督查台账（所辖各机关）").click()
    page.wait_for_url(re.compile(r"/ledger/oversight/(\?|$)"))
    rows = page.get_by_test_id("oversight-rows")
    housing = rows.locator("tr").filter(has_text="东城区住房和城乡建设局")
    cells = housing.locator("td").all_inner_texts()
    assert cells[1:4] == ["2", "1", "1"]  # on the ledger, uncleared, of which red
    assert "未销账合计 1 项" in page.get_by_test_id("oversight-totals").inner_text()
    page.screenshot(path=str(shots / "15-ledger-oversight.png"), full_page=True)

    housing.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/ledger/oversight/\d+/"))
    assert "未销账 1 项" in page.get_by_test_id("uncleared-count").inner_text()
    assert page.get_by_role("button", name="销账").count() == 0  # the supervisor watches, the agency clears
