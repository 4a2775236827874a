"""The case's denormalised due columns (Case.due_on, due_kind; issue 14) and the lists that read them: kept by
every write path, recounted by `xinfang doctor`, the queue's light filter and its keyset pages."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xinfang.cases.due import DUE_CHECK, cases_due_drifted, cases_due_recount
from xinfang.cases.models import QUEUE_STATES, Case, Outcome, Route
from xinfang.cases.selectors import case_queue, case_queue_page
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import head, officer, register, registrar
from xinfang.cases.workflow import OPEN_STATES, ClockKind
from xinfang.core.keyset import BadCursor
from xinfang.core.maintenance import doctor
from xinfang.deadlines.clocks import clock_start_until
from xinfang.deadlines.lights import light_for
from xinfang.deadlines.models import Clock
from xinfang.deadlines.selectors import case_nearest_clocks

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


def _recounted(case: Case) -> tuple[date | None, str]:
    row = case_nearest_clocks(case=case.pk, body=case.current_body_id).values_list("due_on", "kind").first()
    return row if row else (None, "")


def _stored(case: Case) -> tuple[date | None, str]:
    return Case.objects.filter(pk=case.pk).values_list("due_on", "due_kind").get()


def test_queue_states_are_the_open_states():
    # the partial index's condition and the workflow's open states must be one set, or the queue loses cases
    assert set(QUEUE_STATES) == {s.value for s in OPEN_STATES}
    assert list(QUEUE_STATES) == sorted(QUEUE_STATES)


def test_every_step_of_a_life_keeps_the_columns(demo_city):
    with time_machine.travel(MONDAY, tick=False):
        case = register(seed=1).case
        # registered at the 信访局: its registration duty (Art. 22) is the nearest
        assert _stored(case) == _recounted(case) and _stored(case)[1] == ClockKind.REGISTRATION
        reg, agency = registrar(), officer()
        case = case_act(case=case, actor=reg, action="transfer", target_body=agency.body)
        # at the agency, which owes nothing until it signs for it (the 异议 window is a right, not a duty)
        assert _stored(case) == (None, "") == _recounted(case)
        case = case_act(case=case, actor=agency, action="receive")
        assert _stored(case) == _recounted(case) and _stored(case)[1] == ClockKind.ACCEPTANCE
    with time_machine.travel(MONDAY + timedelta(days=3), tick=False):
        case = case_act(case=case, actor=agency, action="accept", route=Route.HANDLE)
        assert _stored(case) == _recounted(case) and _stored(case)[1] == ClockKind.HANDLING
        due_before = _stored(case)[0]
        case = case_act(case=case, actor=head(), action="extend", days=10, reason="案情复杂")
        assert _stored(case) == _recounted(case) and _stored(case)[0] > due_before
        case = case_act(case=case, actor=head(), action="answer", outcome=Outcome.SUPPORT, text="责令维修。")
        # only the petitioner's windows run now: nobody's duty, no due date on the case
        assert _stored(case) == (None, "") == _recounted(case)
    assert not cases_due_drifted().exists()


def test_doctor_finds_and_repairs_a_drifted_column(demo_city):
    with time_machine.travel(MONDAY, tick=False):
        cases = [register(seed=i).case for i in range(1, 4)]
    assert not DUE_CHECK.find()
    # a write path that forgot the case (an admin edit of a clock, a restored dump, an UPDATE by hand)
    Clock.objects.filter(case=cases[0]).update(due_on=date(2026, 2, 1))
    Case.objects.filter(pk=cases[1].pk).update(due_on=None, due_kind="")
    Case.objects.filter(pk=cases[2].pk).update(queue_body=None)  # gone from its body's queue
    problems = DUE_CHECK.find()
    assert problems and problems[0].startswith("3 件") and any(cases[0].number in p for p in problems)
    assert cases[2].pk not in {c.pk for c in case_queue(actor=registrar())}
    findings = {f.check: f for f in doctor(repair=True)}
    assert findings[DUE_CHECK.name].repaired
    assert not DUE_CHECK.find()
    assert _stored(cases[0]) == (date(2026, 2, 1), ClockKind.REGISTRATION)
    assert _stored(cases[1]) == _recounted(cases[1]) != (None, "")
    assert {c.pk for c in cases} <= {c.pk for c in case_queue(actor=registrar())}


def test_queue_body_follows_state_and_holding_body(demo_city):
    with time_machine.travel(MONDAY, tick=False):
        case = register(seed=1).case
        assert case.queue_body_id == case.current_body_id
        agency = officer()
        case = case_act(case=case, actor=registrar(), action="transfer", target_body=agency.body)
        assert Case.objects.get(pk=case.pk).queue_body_id == agency.body.pk
        case = case_act(case=case, actor=agency, action="receive")
        case = case_act(case=case, actor=agency, action="divert", route=Route.LITIGATION, reason="属诉讼事项")
    # closed: in nobody's queue
    assert Case.objects.get(pk=case.pk).queue_body_id is None
    assert case.pk not in {c.pk for c in case_queue(actor=agency)}


def test_recount_of_everything_equals_the_services(demo_city):
    with time_machine.travel(MONDAY, tick=False):
        cases = [register(seed=i).case for i in range(1, 4)]
        case_act(case=cases[2], actor=registrar(), action="transfer", target_body=officer().body)
    before = list(Case.objects.order_by("pk").values_list("pk", "due_on", "due_kind"))
    Case.objects.update(due_on=None, due_kind="")
    cases_due_recount()
    assert list(Case.objects.order_by("pk").values_list("pk", "due_on", "due_kind")) == before


# ------------------------------------------------------------------------------------------ the light filter


def _dated_cases(offsets: list[int]) -> list[Case]:
    """One case per offset at the 信访局, its nearest duty due `offset` days from MONDAY (a 交办-style clock with a
    given date, before the registration duty's)."""
    out = []
    for i, offset in enumerate(offsets):
        case = register(seed=100 + i).case
        clock_start_until(
            case=case,
            kind=ClockKind.ASSIGNMENT,
            body=case.current_body,
            start=MONDAY.date() - timedelta(days=10),
            due=MONDAY.date() + timedelta(days=offset),
        )
        out.append(Case.objects.get(pk=case.pk))
    return out


@pytest.mark.parametrize("days_later", [0, 2, 5])
def test_light_filter_agrees_with_the_computed_light(demo_city, days_later):
    with time_machine.travel(MONDAY, tick=False):
        cases = _dated_cases([-3, -1, 0, 1, 2, 3, 4, 6, 9])
    reg = registrar()
    # the colour is not stored: the same rows turn yellow and red as the days pass
    today = MONDAY.date() + timedelta(days=days_later)
    with time_machine.travel(MONDAY + timedelta(days=days_later), tick=False):
        for light in ("red", "yellow", "green"):
            shown = {c.pk for c in case_queue(actor=reg, filters={"light": light})}
            expected = {c.pk for c in cases if light_for(due=c.due_on, today=today).value == light}
            assert shown == expected, (light, today)
        counts = case_queue_page(actor=reg).counts
    computed = [light_for(due=c.due_on, today=today).value for c in cases]
    assert counts["red"] == str(computed.count("red")) and counts["green"] == str(computed.count("green"))
    assert counts["total"] == str(len(cases))


def test_light_filter_on_the_page_and_counts_capped(demo_city, client, settings):
    with time_machine.travel(MONDAY, tick=False):
        _dated_cases([-1, -1, 1, 5])
        client.force_login(registrar().user)
        html = client.get(reverse("queue"), {"light": "red"}).content.decode()
        # two red rows listed, no other colour; the counts above still count the whole queue
        assert html.count('<span class="light light-red">') == 2
        assert (
            '<span class="light light-yellow">' not in html and '<span class="light light-green">' not in html
        )
        page = case_queue_page(actor=registrar())
    from xinfang.cases.selectors import queue_light_counts

    with time_machine.travel(MONDAY, tick=False):
        capped = queue_light_counts(case_queue(actor=registrar()), today=MONDAY.date(), cap=2)
    assert page.counts["red"] == "2" and page.counts["total"] == "4"
    assert capped == {"red": "2+", "yellow": "", "green": "", "none": "", "total": "2+"}


# ------------------------------------------------------------------------------------------ keyset paging


def _walk(actor, size: int, filters=None, between=None) -> list[int]:
    seen, after = [], None
    while True:
        page = case_queue_page(actor=actor, filters=filters, after=after, size=size)
        seen += [c.pk for c in page.rows]
        if between is not None:
            between()
        if not page.has_next:
            return seen
        after = page.next_cursor


def test_keyset_pages_are_the_whole_queue_in_order_without_duplicates(demo_city):
    with time_machine.travel(MONDAY, tick=False):
        _dated_cases([5, -2, 5, 0, 3, 5])  # equal due dates: the tie is broken by registration, then id
        undated = [register(seed=200 + i).case for i in range(3)]
        agency = officer()
        for c in undated:  # at the agency: no duty until it signs, so no due date — listed last
            case_act(case=c, actor=registrar(), action="transfer", target_body=agency.body)
        reg = registrar()
        whole = [c.pk for c in case_queue(actor=reg)]
        for size in (1, 2, 4, 50):
            assert _walk(reg, size) == whole
        assert len(whole) == len(set(whole)) == 6
        assert _walk(agency, 2) == [c.pk for c in case_queue(actor=agency)] and len(_walk(agency, 2)) == 3


def test_keyset_pages_stable_under_inserts(demo_city):
    with time_machine.travel(MONDAY, tick=False):
        _dated_cases([1, 2, 3, 4, 5, 6])
        reg = registrar()
        before = [c.pk for c in case_queue(actor=reg)]
        seeds = iter(range(300, 400))

        def insert():  # a new case lands between page loads (due later than all: registration's 15 days)
            register(seed=next(seeds))

        seen = _walk(reg, 2, between=insert)
    assert len(seen) == len(set(seen))  # nothing shown twice
    assert seen[: len(before)] == before  # nothing skipped, nothing pushed off a page


def test_bad_cursor_is_a_domain_error_and_the_page_starts_over(demo_city, client):
    with time_machine.travel(MONDAY, tick=False):
        _dated_cases([1])
        with pytest.raises(BadCursor):
            case_queue_page(actor=registrar(), after="not-a-cursor")
        client.force_login(registrar().user)
        resp = client.get(reverse("queue"), {"after": "WzFd"})
    assert resp.status_code == 200 and "翻页参数无效" in resp.content.decode()


def _queue_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("queue"), params).status_code == 200
    return len(ctx)


def test_queue_queries_do_not_grow_with_the_data(demo_city, client):
    with time_machine.travel(MONDAY, tick=False):
        _dated_cases([-1, 2])
        client.force_login(registrar().user)
        few = (_queue_queries(client), _queue_queries(client, light="red"))
        _dated_cases(list(range(-5, 60)))  # more than a page
        many = (_queue_queries(client), _queue_queries(client, light="red"))
        html = client.get(reverse("queue")).content.decode()
        cursor = re.search(r'after=([^"&]+)" rel="next"', html).group(1)
        deeper = _queue_queries(client, after=unquote(cursor))
    # at most 10 (the goal of issue 14), whatever the number of cases and the depth
    assert max(*few, *many, deeper) <= 10 and many[0] <= few[0] and many[1] <= few[1]
