"""WorkCalendar.cached(): one calendar per process, re-read when a CalendarDay or CalendarYear row changed —
in this connection, in another one (another process), or by a transaction that was rolled back."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from xinfang.deadlines.calendar import DayKind, WorkCalendar
from xinfang.deadlines.models import CalendarDay, CalendarYear

# A Wednesday in a year the package does not know: an ordinary working day unless a row says otherwise.
DAY = date(2099, 6, 3)


@pytest.mark.django_db
def test_second_read_is_one_statement_and_the_same_calendar(django_assert_num_queries):
    first = WorkCalendar.cached()
    with django_assert_num_queries(1):  # the version token only
        again = WorkCalendar.cached()
    assert again is first


@pytest.mark.django_db
def test_a_row_added_or_changed_here_is_seen():
    assert WorkCalendar.cached().is_workday(DAY)
    row = CalendarDay.objects.create(date=DAY, kind=DayKind.HOLIDAY, name="测试节")
    assert not WorkCalendar.cached().is_workday(DAY)
    row.kind = DayKind.WORKDAY
    row.save()
    assert WorkCalendar.cached().is_workday(DAY)
    assert not WorkCalendar.cached().is_known(2099)
    CalendarYear.objects.create(year=2099, complete=True)
    assert WorkCalendar.cached().is_known(2099)
    CalendarYear.objects.filter(year=2099).update(complete=False)
    assert not WorkCalendar.cached().is_known(2099)
    row.delete()
    assert WorkCalendar.cached().holiday_name(DAY) is None


@pytest.mark.django_db(transaction=True)
def test_a_holiday_added_by_another_connection_is_seen():
    assert WorkCalendar.cached().is_workday(DAY)  # cached in this process
    other = connections.create_connection("default")  # as another app worker would write it
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "INSERT INTO deadlines_calendarday (date, kind, name, note) VALUES (%s, %s, %s, %s)",
                [DAY, DayKind.HOLIDAY, "测试节", ""],
            )
        if not other.get_autocommit():
            other.commit()
    finally:
        other.close()
    assert not WorkCalendar.cached().is_workday(DAY)
    assert WorkCalendar.cached().holiday_name(DAY) == "测试节"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_is_not_kept():
    assert WorkCalendar.cached().is_workday(DAY)
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarDay.objects.create(date=DAY, kind=DayKind.HOLIDAY, name="测试节")
        assert not WorkCalendar.cached().is_workday(DAY)  # cached under the uncommitted token
        raise RuntimeError("roll back")
    assert WorkCalendar.cached().is_workday(DAY)


@pytest.mark.django_db(transaction=True)
def test_migrate_puts_back_a_trigger_a_table_rebuild_dropped():
    """SQLite drops a table's triggers when a migration rebuilds it; post_migrate installs them again."""
    name = (
        "deadlines_calendarday_bump_insert" if connection.vendor == "sqlite" else "deadlines_calendarday_bump"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"DROP TRIGGER {name}"
            + (" ON deadlines_calendarday" if connection.vendor == "postgresql" else "")
        )
    call_command("migrate", verbosity=0)  # nothing to apply: only the post_migrate handlers run
    assert WorkCalendar.cached().is_workday(DAY)
    CalendarDay.objects.create(date=DAY, kind=DayKind.HOLIDAY, name="测试节")
    assert not WorkCalendar.cached().is_workday(DAY)
