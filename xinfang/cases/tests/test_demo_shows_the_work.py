"""The demo shows the work (issue #16): the first login the README prints has a queue, the ledgers are built,
the lights are a realistic mix, the texts name the demo city's places, and "red" is one number everywhere."""

import re
import sys
from collections import Counter

import pytest
from django.utils import timezone

from xinfang.analytics.dashboard import lights_now
from xinfang.cases.models import Case
from xinfang.cases.selectors import case_queue
from xinfang.deadlines.lights import light_for
from xinfang.deadlines.models import LedgerItem
from xinfang.deadlines.selectors import counted_clocks
from xinfang.deadlines.services import ledger_build
from xinfang.generator.demo import demo_cases_load
from xinfang.orgs.acting import actor_for
from xinfang.orgs.demo import DEMO_LOGINS, DEMO_PASSWORD
from xinfang.orgs.models import Body, User


def _load(monkeypatch):
    monkeypatch.setitem(sys.modules, "time_machine", None)  # the bulk path: quick, same rows
    demo_cases_load()
    return ledger_build(day=timezone.localdate())


def _first_login():
    first = DEMO_LOGINS[0]
    return actor_for(User.objects.get(username=first.username), Body.objects.get(code=first.body_code))


@pytest.mark.django_db
def test_demo_first_login_queue_lights_places_and_one_red(demo_city, monkeypatch):
    stats = _load(monkeypatch)
    assert len(case_queue(actor=_first_login())) > 0  # the city 信访局 registers a share itself
    today = timezone.localdate()
    lights = Counter(light_for(due=c.due_on, today=today).value for c in counted_clocks())
    total = sum(lights.values())
    assert lights["green"] > total / 2 and 0 < lights["red"] < total / 4  # not every case red
    assert not Case.objects.filter(request__regex=r"[A-Z][0-9]*[市县区]").exists()  # no K市/A3区
    assert LedgerItem.objects.exists() and stats.red == lights["red"]
    city = Body.objects.get(code="990100-xinfang")
    # the dashboard's red (from the tallies) is the ledger's red: duties past their day, no lapsed rights
    assert sum(r["red"] for r in lights_now(body=city, today=today)) == lights["red"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_demo_first_login_sees_a_non_empty_queue(page, demo_city, monkeypatch, shots):
    from xinfang.cases.models import Category

    for code, name, sector in [
        ("urban_rural", "城乡建设", "housing"),
        ("environment", "环境保护", "environment"),
    ]:
        Category.objects.get_or_create(code=code, defaults={"name": name, "default_sector": sector})
    _load(monkeypatch)
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(DEMO_LOGINS[0].username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    page.get_by_role("link", name="我的待办").click()
    rows = page.get_by_test_id("queue").locator("tbody tr td a")
    rows.first.wait_for()
    assert rows.count() > 0 and re.match(r"990100-xinfang-\d{4}-\d{6}", rows.first.inner_text())
    page.screenshot(path=str(shots / "22-demo-first-login-queue.png"), full_page=True)
