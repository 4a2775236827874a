"""Check-ins at once, on PostgreSQL with real threads and transactions: never the same number twice, and two
officers pressing "call next" at one window call two different numbers. (SQLite serialises writers; the
unique constraint test in test_services covers what the database refuses there.)"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from xinfang.cases.tests.factories import registrar
from xinfang.reception.models import Ticket
from xinfang.reception.services import ticket_call_next, ticket_issue
from xinfang.reception.tests.factories import hall

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises"
    ),
]


def _at_once(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    out: list = []
    errors: list = []

    def run(i):
        try:
            barrier.wait()
            out.append(fn(i))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return out


def test_check_ins_at_once_never_share_a_number(demo_city):
    service = hall()["A"]
    reg = registrar()
    # The very first check-ins of the day also race to create the day's counter row.
    tickets = _at_once(8, lambda i: ticket_issue(actor=reg, service=service))
    assert sorted(t.number for t in tickets) == list(range(1, 9))
    assert len({t.service_day_id for t in tickets}) == 1
    more = _at_once(6, lambda i: ticket_issue(actor=reg, service=service))
    assert sorted(t.number for t in more) == list(range(9, 15))
    assert Ticket.objects.values("number").distinct().count() == 14


def test_two_officers_calling_next_at_one_window_call_different_numbers(demo_city):
    service = hall()["B"]
    reg = registrar()
    tickets = [ticket_issue(actor=reg, service=service) for _ in range(4)]
    day = tickets[0].service_day
    called = _at_once(4, lambda i: ticket_call_next(actor=reg, service_day=day))
    assert sorted(t.code for t in called) == ["B001", "B002", "B003", "B004"]
