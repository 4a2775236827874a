"""retry_on_deadlock against a real PostgreSQL deadlock, and its refusals to retry."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import F

from xinfang.analytics.models import RegistrationTally
from xinfang.core.db import retry_on_deadlock


@pytest.mark.django_db(transaction=True)
def test_two_transactions_that_deadlock_both_land_after_one_retry():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time (IMMEDIATE transactions): it cannot deadlock")
    a = RegistrationTally.objects.create(body_id=1, day="2026-01-01")
    b = RegistrationTally.objects.create(body_id=1, day="2026-01-02")
    both_hold_one = threading.Barrier(2)
    calls: Counter = Counter()
    errors: list[BaseException] = []

    @retry_on_deadlock
    def add_one_to_both(first: int, second: int, name: str) -> None:
        calls[name] += 1
        with transaction.atomic():
            RegistrationTally.objects.select_for_update().get(pk=first)
            if calls[name] == 1:
                both_hold_one.wait(timeout=10)  # each holds one row and now wants the other's
            RegistrationTally.objects.select_for_update().get(pk=second)
            RegistrationTally.objects.filter(pk__in=[first, second]).update(total=F("total") + 1)

    def run(first, second, name):
        try:
            add_one_to_both(first, second, name)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(a.pk, b.pk, "ab")),
        threading.Thread(target=run, args=(b.pk, a.pk, "ba")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    # PostgreSQL aborted one of the two to break the deadlock; that one ran again and landed
    assert sorted(calls.values()) == [1, 2]
    assert [r.total for r in RegistrationTally.objects.filter(pk__in=[a.pk, b.pk])] == [2, 2]


@pytest.mark.django_db
def test_other_database_errors_are_not_retried():
    calls = []

    @retry_on_deadlock
    def broken():
        calls.append(1)
        with connection.cursor() as cur:
            cur.execute("SELECT * FROM no_such_table_here")

    with pytest.raises(Exception) as info:  # OperationalError on SQLite, ProgrammingError on PostgreSQL
        broken()
    assert calls == [1]
    assert isinstance(info.value, OperationalError) or connection.vendor == "postgresql"
