"""The case list's keyset (cursor) pages and capped count (issue 14): every case once, newest first, across
pages and inserts; a bad cursor is a 400 `bad_cursor`; the queries do not grow with the data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.api.pagination import CaseCursorPagination
from xinfang.api.tests.test_api import client_for
from xinfang.cases.models import Case
from xinfang.cases.tests.factories import register, registrar

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _register(n: int, start: int) -> None:
    reg = registrar()
    # all in the same instant: the order rests on the id behind registered_at, as it must for ties
    with time_machine.travel(MOMENT, tick=False):
        for i in range(n):
            register(by=reg, seed=start + i, request=f"第{start + i}号诉求：路灯不亮请求修复", force_new=True)


def _walk(c, between=None) -> list[str]:
    seen, url = [], "/api/v1/cases/"
    while url:
        body = c.get(url).json()
        seen += [row["number"] for row in body["results"]]
        url = body["next"]
        if between is not None:
            between()
    return seen


def test_pages_hold_every_case_once_newest_first(demo_city, monkeypatch):
    monkeypatch.setattr(CaseCursorPagination, "page_size", 3)
    _register(5, 100)
    with time_machine.travel(MOMENT.replace(hour=11), tick=False):
        _register(3, 200)
    c = client_for(registrar())
    whole = list(Case.objects.order_by("-registered_at", "-id").values_list("number", flat=True))
    assert _walk(c) == whole and len(set(whole)) == 8
    first = c.get("/api/v1/cases/").json()
    assert first["count"] == 8 and first["count_capped"] is False and "cursor=" in first["next"]


def test_pages_are_stable_under_inserts(demo_city, monkeypatch):
    monkeypatch.setattr(CaseCursorPagination, "page_size", 2)
    _register(6, 100)
    before = list(Case.objects.order_by("-registered_at", "-id").values_list("number", flat=True))
    seeds = iter(range(300, 400))
    c = client_for(registrar())
    # a newer case lands between page loads: it belongs before the first page, so no page repeats or skips
    seen = _walk(c, between=lambda: _register(1, next(seeds)))
    assert seen == before


def test_count_is_capped(demo_city, monkeypatch):
    monkeypatch.setattr(CaseCursorPagination, "page_size", 2)
    monkeypatch.setattr(CaseCursorPagination, "count_cap", 3)
    _register(5, 100)
    body = client_for(registrar()).get("/api/v1/cases/").json()
    assert body["count"] == 3 and body["count_capped"] is True


@pytest.mark.parametrize("cursor", ["abc", "WzFd", "WyIyMDI2LTAzLTAyIiwgMV0", "%%%", "W251bGwsbnVsbF0"])
def test_a_bad_cursor_is_400_bad_cursor(demo_city, cursor):
    _register(1, 100)
    r = client_for(registrar()).get("/api/v1/cases/", {"cursor": cursor})
    assert r.status_code == 400 and r.json()["code"] == "bad_cursor"


def _queries(c, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx)


def test_list_queries_do_not_grow_with_the_data_or_the_depth(demo_city, monkeypatch):
    monkeypatch.setattr(CaseCursorPagination, "page_size", 2)
    _register(3, 100)
    c = client_for(registrar())
    few = _queries(c, "/api/v1/cases/")
    _register(9, 200)
    many = _queries(c, "/api/v1/cases/")
    deep = c.get("/api/v1/cases/").json()
    for _ in range(3):
        deep = c.get(deep["next"]).json()
    deeper = _queries(c, deep["next"])
    assert many <= few + 1 and deeper == many and many <= 10  # +1: the capped count once there are pages
