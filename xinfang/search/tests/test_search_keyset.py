"""The search's keyset pages (issue 14): for every sort, following 下一页 gives exactly the sorted list — every
case once, ties and undated cases included — and a hand-edited cursor starts over with a message."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import register, registrar
from xinfang.cases.workflow import ClockKind
from xinfang.core.keyset import CappedCount
from xinfang.deadlines.clocks import clock_start_until
from xinfang.orgs.models import Body
from xinfang.search import selectors as search_selectors
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


@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("cap", [2000, 1], ids=["matches-from-the-index", "common-word-by-window"])
def test_pages_of_a_word_are_the_sorted_list(demo_city, monkeypatch, sort, cap):
    """With words, a page is read from the index's matches (at most CANDIDATE_CAP) or, for a word with more,
    window by window along the list (issue 14): either way 下一页 gives exactly `case_search`'s sorted list,
    and a case without the word stays out."""
    monkeypatch.setattr(search_selectors, "CANDIDATE_CAP", cap)
    monkeypatch.setattr(search_selectors, "WINDOW", 3)
    _cases()
    other = register(by=registrar(), seed=60, force_new=True, request="路灯不亮，请求维修").case
    filters = SearchFilters(q="漏水", sort=sort)
    with time_machine.travel(MONDAY, tick=False):
        whole = [c.pk for c in case_search(actor=registrar(), filters=filters)]
        seen, after, first = [], None, None
        while True:
            page = case_search_page(actor=registrar(), filters=filters, after=after, size=2)
            first = first or page
            seen += [c.pk for c in page.rows]
            if not page.has_next:
                break
            after = page.next_cursor
    assert seen == whole and len(set(seen)) == len(seen) == 7 and other.pk not in seen
    if cap == 1:  # "at least": the visible matches among the index's first CANDIDATE_CAP
        assert first.found.capped and 1 <= first.found.n <= 7
    else:
        assert first.found == CappedCount(7, False)


def test_a_common_word_rare_in_the_list_is_looked_for_window_by_window(demo_city, client, monkeypatch):
    """A page reads at most WINDOW cases of the list: where none of them has the word, it says how far it
    looked and 下一页 goes on from there (never a read of the whole list)."""
    monkeypatch.setattr(search_selectors, "CANDIDATE_CAP", 1)
    monkeypatch.setattr(search_selectors, "WINDOW", 2)
    reg = registrar()
    with time_machine.travel(MONDAY - timedelta(days=1), tick=False):
        old = register(by=reg, seed=70, force_new=True).case  # has 漏水
    with time_machine.travel(MONDAY, tick=False):
        for i in range(3):
            register(by=reg, seed=71 + i, force_new=True, request=f"路灯{i}不亮，请求维修")
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        newest = register(by=reg, seed=75, force_new=True).case  # 漏水 again: a "common" word (cap 1)
    client.force_login(reg.user)
    seen, notes, url = [], [], reverse("search:search") + "?q=漏水"
    while url:
        html = client.get(url).content.decode()
        found = re.findall(r'name="case" value="(\d+)"', html)
        seen += found
        notes.append((len(found), 'data-testid="searched"' in html))
        following = re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', html)
        url = reverse("search:search") + "?" + following.group(1).replace("&amp;", "&") if following else None
    # windows of two: [新漏水, 路灯2] [路灯1, 路灯0] [旧漏水] — the middle page found nothing and said so
    assert seen == [str(newest.pk), str(old.pk)]
    assert notes == [(1, True), (0, True), (1, False)]


def test_a_common_word_costs_the_same_queries_at_two_sizes(
    demo_city, client, monkeypatch, django_assert_max_num_queries
):
    """The window path (a word with more than CANDIDATE_CAP matches) reads as many queries for 3 matches as
    for 15; the candidates path is asserted in test_search (…query_counts_at_two_sizes)."""
    monkeypatch.setattr(search_selectors, "CANDIDATE_CAP", 1)
    reg = registrar()
    client.force_login(reg.user)
    for i in range(3):
        register(by=reg, seed=80 + i, force_new=True)
    with django_assert_max_num_queries(20) as small:
        page = client.get(reverse("search:search"), {"q": "漏水"})
    assert page.content.decode().count('name="case"') == 3
    for i in range(12):
        register(by=reg, seed=90 + i, force_new=True)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("search:search"), {"q": "漏水"})
    html = page.content.decode()
    assert html.count('name="case"') == 15 and re.search(r"共 \d+\+ 件", html)  # "at least": capped
