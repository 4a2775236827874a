"""The search's keyset pages (issue 14): for every sort, following 下一页 gives exactly the sorted list — every
case once, ties and undated cases included — and a hand-edited cursor starts over with a message."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import register, registrar
from xinfang.cases.workflow import ClockKind
from xinfang.deadlines.clocks import clock_start_until
from xinfang.orgs.models import Body
from xinfang.search.selectors import SORT_KEYS, SearchFilters, case_search, case_search_page

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _cases() -> None:
    reg = registrar()
    with time_machine.travel(MONDAY, tick=False):  # same instant: ties broken by id
        for i, offset in enumerate([3, -1, 3, 0]):
            case = register(by=reg, seed=10 + i, force_new=True).case
            clock_start_until(
                case=case,
                kind=ClockKind.ASSIGNMENT,
                body=case.current_body,
                start=MONDAY.date(),
                due=MONDAY.date() + timedelta(days=offset),
            )
        for i in range(3):  # at the agency, no duty yet: no due date
            case = register(by=reg, seed=30 + i, force_new=True).case
            case_act(
                case=case, actor=reg, action="transfer", target_body=Body.objects.get(code="990101-housing")
            )


@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("light", ["", "red"])
def test_pages_are_the_sorted_list(demo_city, sort, light):
    _cases()
    filters = SearchFilters(sort=sort, light=light)
    with time_machine.travel(MONDAY, tick=False):
        whole = [c.pk for c in case_search(actor=registrar(), filters=filters)]
        seen, after = [], None
        while True:
            page = case_search_page(actor=registrar(), filters=filters, after=after, size=2)
            seen += [c.pk for c in page.rows]
            if not page.has_next:
                break
            after = page.next_cursor
    assert seen == whole and len(set(seen)) == len(seen) == (2 if light else 7)


def test_a_bad_cursor_starts_over_with_a_message(demo_city, client):
    _cases()
    client.force_login(registrar().user)
    resp = client.get(reverse("search:search"), {"sort": "due", "after": "bm9wZQ"})
    assert resp.status_code == 200 and "翻页参数无效" in resp.content.decode()
