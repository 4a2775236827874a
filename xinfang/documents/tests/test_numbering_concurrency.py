"""文号 under concurrency: documents issued at once by one body never share a number (a real PostgreSQL row
lock; SQLite serialises writers, so the test runs on PostgreSQL only)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from xinfang.documents.models import NumberCounter
from xinfang.documents.services import document_number_next
from xinfang.orgs.models import Body

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_numbers_are_unique_when_issued_at_once(demo_city):
    body = Body.objects.get(code="990101-housing")
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def issue():
        try:
            barrier.wait()
            for _ in range(5):
                numbers.append(document_number_next(body=body, year=2031))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(numbers) == len(set(numbers)) == 30
    assert NumberCounter.objects.get(body=body, year=2031).last == 30
