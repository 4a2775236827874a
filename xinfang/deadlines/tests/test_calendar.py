"""The deadline engine against the real State Council schedules of 2024–2026.

Every expected due date below was worked out by hand from the published schedules (as carried by
chinesecalendar 1.11.0) and the rules of 民法典 Art. 201/203; the comment on each row shows the count.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from xinfang.deadlines.calendar import (
    PACKAGE_YEARS,
    SHANGHAI,
    DayKind,
    DueDate,
    EnteredDay,
    Pause,
    WorkCalendar,
    compute_due,
    effective_working,
    local_date,
)
from xinfang.deadlines.models import CalendarDay, CalendarYear

PACKAGE = WorkCalendar()  # the State Council schedule alone, no database


def d(iso: str) -> date:
    return date.fromisoformat(iso)


# The schedules these rows rely on (国务院办公厅 notices; 调休 = make-up working day):
#   2024 春节 02-10(六)–02-17(六), 调休 02-04(日) 02-18(日); 国庆 10-01(二)–10-07(一), 调休 09-29(日) 10-12(六)
#   2025 春节 01-28(二)–02-04(二), 调休 01-26(日) 02-08(六); 国庆+中秋 10-01(三)–10-08(三), 调休 09-28(日) 10-11(六)
#   2026 元旦 01-01–01-03, 调休 01-04(日); 春节 02-15(日)–02-23(一), 调休 02-14(六) 02-28(六);
#        中秋 09-25(五)–09-27(日); 国庆 10-01(四)–10-07(三), 调休 09-20(日) 10-10(六)
CALENDAR_DAY_CASES = [
    # --- Spring Festival ----------------------------------------------------------------------------
    # 2024-01-27(六)+15 = 02-11(日, 春节) → rest to 02-17 → 02-18(日) is a 调休 workday: rolls onto a Sunday.
    ("2024-01-27", 15, "2024-02-18", "2024-02-11"),
    # 2024-02-03(六)+15 = 02-18(日), a 调休 workday: no roll-over although it is a Sunday.
    ("2024-02-03", 15, "2024-02-18", None),
    # 2025-01-15(三)+15 = 01-30(四, 春节) → rest to 02-04 → 02-05(三).
    ("2025-01-15", 15, "2025-02-05", "2025-01-30"),
    # 2025-01-20(一)+15 = 02-04(二), the last holiday day → 02-05(三).
    ("2025-01-20", 15, "2025-02-05", "2025-02-04"),
    # 2026-02-01(日)+15 = 02-16(一, 春节) → rest to 02-23(一) → 02-24(二).
    ("2026-02-01", 15, "2026-02-24", "2026-02-16"),
    # 2026-01-30(五)+15 = 02-14(六), a 调休 Saturday: it is a working day, no roll-over.
    ("2026-01-30", 15, "2026-02-14", None),
    # --- National Day -------------------------------------------------------------------------------
    # 2024-09-20(五)+15 = 10-05(六, 国庆) → rest to 10-07 → 10-08(二).
    ("2024-09-20", 15, "2024-10-08", "2024-10-05"),
    # 2024-09-25(三)+15 = 10-10(四): the holiday lies inside the period and is counted as calendar days.
    ("2024-09-25", 15, "2024-10-10", None),
    # 2024-09-27(五)+15 = 10-12(六), a 调休 Saturday: no roll-over.
    ("2024-09-27", 15, "2024-10-12", None),
    # 2025-09-20(六)+15 = 10-05(日, 国庆) → rest to 10-08 → 10-09(四).
    ("2025-09-20", 15, "2025-10-09", "2025-10-05"),
    # 2025-09-26(五)+15 = 10-11(六), a 调休 Saturday: no roll-over.
    ("2025-09-26", 15, "2025-10-11", None),
    # 2026-09-16(三)+15 = 10-01(四, 国庆) → rest to 10-07 → 10-08(四).
    ("2026-09-16", 15, "2026-10-08", "2026-10-01"),
    # 2026-09-05(六)+15 = 09-20(日), a 调休 Sunday: no roll-over.
    ("2026-09-05", 15, "2026-09-20", None),
    # --- start on a holiday: the start day is not counted whatever it is ----------------------------
    # 2026-09-25(五, 中秋)+15 = 10-10(六), a 调休 Saturday (the command's example).
    ("2026-09-25", 15, "2026-10-10", None),
    # 2024-10-01(二, 国庆)+15 = 10-16(三).
    ("2024-10-01", 15, "2024-10-16", None),
    # 2025-01-29(三, 春节初一)+15 = 02-13(四).
    ("2025-01-29", 15, "2025-02-13", None),
    # --- month ends and years ------------------------------------------------------------------------
    # 2025-01-31(五, 春节)+30 = 03-02(日), an ordinary Sunday → 03-03(一).
    ("2025-01-31", 30, "2025-03-03", "2025-03-02"),
    # 2024-01-31(三)+30 = 03-01(五): 2024 is a leap year (Jan 31 + 29 = Feb 29, + 1 = Mar 1).
    ("2024-01-31", 30, "2024-03-01", None),
    # 2025-12-31(三)+30 = 2026-01-30(五), across 2026 元旦.
    ("2025-12-31", 30, "2026-01-30", None),
    # 2024-12-31(二)+1 = 2025-01-01(三, 元旦) → 01-02(四).
    ("2024-12-31", 1, "2025-01-02", "2025-01-01"),
    # --- leap day ------------------------------------------------------------------------------------
    # 2024-02-29(四)+15 = 03-15(五).
    ("2024-02-29", 15, "2024-03-15", None),
    # 2024-02-14(三, 春节)+15 = 02-29(四): the leap day is the last day.
    ("2024-02-14", 15, "2024-02-29", None),
    # 2024-01-30(二)+30 = 02-29(四).
    ("2024-01-30", 30, "2024-02-29", None),
    # 2024-02-28(三)+30 = 03-29(五), one day earlier than the same count in 2023 (next row).
    ("2024-02-28", 30, "2024-03-29", None),
    # 2023-02-28(二)+30 = 03-30(四).
    ("2023-02-28", 30, "2023-03-30", None),
    # --- the 60-day handling period (条例 Art. 34) ---------------------------------------------------
    # 2024-08-02(五)+60 = 10-01(二, 国庆) → 10-08(二). (Aug 2 + 29 = Aug 31, + 30 = Sep 30, + 1 = Oct 1.)
    ("2024-08-02", 60, "2024-10-08", "2024-10-01"),
]


@pytest.mark.parametrize(("start", "days", "due", "rolled_from"), CALENDAR_DAY_CASES)
def test_calendar_day_periods(start: str, days: int, due: str, rolled_from: str | None) -> None:
    result = compute_due(start=d(start), days=days, calendar=PACKAGE)
    assert result.due == d(due)
    assert result.rolled_over_from == (d(rolled_from) if rolled_from else None)
    assert not result.beyond_known_calendar
    rolled_notes = [n for n in result.counted if "第二百零三条" in n]
    assert bool(rolled_notes) == bool(rolled_from)


WORKING_DAY_CASES = [
    # The 5-working-day 异议 period (条例 Art. 23 ¶3).
    # 2024-09-27(五): 09-28(六) rest, 09-29(日 调休)=1, 09-30=2, 10-01..07 holiday, 10-08=3, 10-09=4, 10-10=5.
    ("2024-09-27", 5, "2024-10-10"),
    # 2024-10-03(四, 国庆): 10-08=1, 10-09=2, 10-10=3, 10-11=4, 10-12(六 调休)=5.
    ("2024-10-03", 5, "2024-10-12"),
    # 2025-01-24(五): 01-25(六) rest, 01-26(日 调休)=1, 01-27=2, 01-28..02-04 holiday, 02-05=3, 02-06=4, 02-07=5.
    ("2025-01-24", 5, "2025-02-07"),
    # 2025-09-26(五): 09-27(六) rest, 09-28(日 调休)=1, 09-29=2, 09-30=3, 10-01..08 holiday, 10-09=4, 10-10=5.
    ("2025-09-26", 5, "2025-10-10"),
    # 2026-02-12(四): 02-13=1, 02-14(六 调休)=2, 02-15..23 holiday, 02-24=3, 02-25=4, 02-26=5.
    ("2026-02-12", 5, "2026-02-26"),
    # 2026-09-30(三): 10-01..07 holiday, 10-08=1, 10-09=2, 10-10(六 调休)=3, 10-11(日) rest, 10-12=4, 10-13=5.
    ("2026-09-30", 5, "2026-10-13"),
    # An ordinary week: 2025-03-07(五): 03-10=1 … 03-14(五)=5.
    ("2025-03-07", 5, "2025-03-14"),
]


@pytest.mark.parametrize(("start", "days", "due"), WORKING_DAY_CASES)
def test_working_day_periods(start: str, days: int, due: str) -> None:
    result = compute_due(start=d(start), days=days, working=True, calendar=PACKAGE)
    assert result.due == d(due)
    assert result.working
    # A working-day period always ends on a working day, so Art. 203 never moves it.
    assert result.rolled_over_from is None


def test_notes_name_the_holidays_and_makeup_days_met() -> None:
    result = compute_due(start=d("2024-09-27"), days=5, working=True, calendar=PACKAGE)
    text = "\n".join(result.counted)
    assert "第二百零一条" in text
    assert "跳过国庆节假期 2024-10-01（星期二）至2024-10-07（星期一）" in text
    assert "2024-09-29（星期日）为国庆节调休上班日，计为工作日" in text

    rolled = compute_due(start=d("2024-09-20"), days=15, calendar=PACKAGE)
    assert any(
        "2024-10-05（星期六）为法定休假日（国庆节）" in n and "2024-10-08" in n for n in rolled.counted
    )

    makeup_end = compute_due(start=d("2026-09-25"), days=15, calendar=PACKAGE)
    assert any("调休上班日，是工作日，不顺延" in n for n in makeup_end.counted)
    assert "起算日适逢中秋休息日" in makeup_end.counted[0]

    # 2025's National Day holiday contains the Mid-autumn day: one run, both names.
    both = compute_due(start=d("2025-09-30"), days=15, calendar=PACKAGE)
    assert any("国庆节、中秋假期 2025-10-01（星期三）至2025-10-08（星期三）" in n for n in both.counted)


# --- pauses and extensions ------------------------------------------------------------------------------


def test_hearing_pause_on_review_clock() -> None:
    # 复核 30 days from 2025-03-03(一) = 04-02(三). A 听证 held 03-10..03-19 (10 days) is not counted
    # (Art. 36 ¶2): 04-02 + 10 = 04-12(六), an ordinary Saturday → 04-14(一).
    unpaused = compute_due(start=d("2025-03-03"), days=30, calendar=PACKAGE)
    assert unpaused.due == d("2025-04-02")
    dated = compute_due(
        start=d("2025-03-03"), days=30, pauses=[Pause(d("2025-03-10"), d("2025-03-19"))], calendar=PACKAGE
    )
    assert dated.due == d("2025-04-14")
    assert dated.paused_days == 10
    assert dated.rolled_over_from == d("2025-04-12")
    undated = compute_due(start=d("2025-03-03"), days=30, paused_days=10, calendar=PACKAGE)
    assert undated.due == dated.due
    assert any("暂停10日" in n and "第三十六条" in n for n in dated.counted)


def test_pause_in_working_day_period_skips_only_its_working_days() -> None:
    # 2025-03-03(一) + 5 working days, paused 03-05..03-06:
    # 03-04=1, 03-05/06 paused, 03-07=2, 03-10=3, 03-11=4, 03-12=5.
    result = compute_due(
        start=d("2025-03-03"),
        days=5,
        working=True,
        pauses=[Pause(d("2025-03-05"), d("2025-03-06"))],
        calendar=PACKAGE,
    )
    assert result.due == d("2025-03-12")
    with pytest.raises(ValueError, match="pauses"):
        compute_due(start=d("2025-03-03"), days=5, working=True, paused_days=2, calendar=PACKAGE)


def test_pause_before_start_is_ignored() -> None:
    result = compute_due(
        start=d("2025-03-03"), days=30, pauses=[Pause(d("2025-02-20"), d("2025-03-03"))], calendar=PACKAGE
    )
    assert result.due == d("2025-04-02")
    assert result.paused_days == 0


def test_extension_counts_from_original_start() -> None:
    # 2024-08-02 + 60 = 10-01 (国庆) → 10-08; extended by 30: 2024-08-02 + 90 = 10-31(四), not 10-08 + 30.
    result = compute_due(start=d("2024-08-02"), days=60, extension_days=30, calendar=PACKAGE)
    assert result.due == d("2024-10-31")
    assert result.days == 60
    assert result.total_days == 90
    assert any("第三十四条" in n for n in result.counted)
    assert result == compute_due(start=d("2024-08-02"), days=60, extension_days=30, calendar=PACKAGE)
    assert compute_due(start=d("2024-08-02"), days=90, calendar=PACKAGE).due == result.due


def test_extension_and_pause_together() -> None:
    # 2025-08-01(五) + 60 + 30 = 10-30(四); + 5 paused days = 11-04(二).
    result = compute_due(start=d("2025-08-01"), days=60, extension_days=30, paused_days=5, calendar=PACKAGE)
    assert result.due == d("2025-11-04")


# --- the edge of the known calendar --------------------------------------------------------------------


def test_package_range() -> None:
    assert (PACKAGE_YEARS.start, PACKAGE_YEARS.stop - 1) == (2004, 2026)
    assert PACKAGE.is_known(2026)
    assert not PACKAGE.is_known(2027)
    assert not PACKAGE.is_known(2003)


def test_last_day_within_2026_is_not_flagged() -> None:
    # 2026-12-16(三)+15 = 12-31(四), a working day; 2027 never consulted.
    result = compute_due(start=d("2026-12-16"), days=15, calendar=PACKAGE)
    assert result.due == d("2026-12-31")
    assert not result.beyond_known_calendar


def test_2027_is_flagged_and_counted_on_weekends_alone() -> None:
    # 2026-12-17(四)+15 = 2027-01-01(五): surely 元旦, but 2027 is unknown, so the weekend-only best
    # effort says Friday is a working day — and the result says loudly that it is a guess.
    result = compute_due(start=d("2026-12-17"), days=15, calendar=PACKAGE)
    assert result.due == d("2027-01-01")
    assert result.beyond_known_calendar
    assert result.unknown_years == (2027,)
    assert "2027年" in result.beyond_known_calendar_reason
    assert any(n.startswith("【超出已知日历】") for n in result.counted)

    # 5 working days from 2026-12-28(一): 12-29, 12-30, 12-31, 2027-01-01 (guessed), 01-04 → flagged.
    working = compute_due(start=d("2026-12-28"), days=5, working=True, calendar=PACKAGE)
    assert working.due == d("2027-01-04")
    assert working.beyond_known_calendar


# A hypothetical 2027 entry for the tests; not the real schedule.
ENTERED_2027 = [EnteredDay(date=d("2027-01-01"), kind=DayKind.HOLIDAY, name="元旦")]


def test_2027_made_known_by_entered_days() -> None:
    entered_only = WorkCalendar(entered=ENTERED_2027)
    half = compute_due(start=d("2026-12-17"), days=15, calendar=entered_only)
    # The entered day is used (01-01 rest, 01-02/03 weekend → 01-04) but the year is not declared
    # complete, so the result is still flagged.
    assert half.due == d("2027-01-04")
    assert half.beyond_known_calendar

    complete = WorkCalendar(entered=ENTERED_2027, complete_years=[2027])
    result = compute_due(start=d("2026-12-17"), days=15, calendar=complete)
    assert result.due == d("2027-01-04")
    assert not result.beyond_known_calendar
    assert result.rolled_over_from == d("2027-01-01")
    assert any("（元旦）" in n for n in result.counted)


def test_entered_days_override_the_package() -> None:
    # A local correction: 2025-03-05(三) declared a holiday, 2025-03-08(六) a make-up working day.
    cal = WorkCalendar(
        entered=[
            EnteredDay(date=d("2025-03-05"), kind=DayKind.HOLIDAY, name="地方假日"),
            EnteredDay(date=d("2025-03-08"), kind="workday", name="地方假日"),
        ]
    )
    assert not cal.is_workday(d("2025-03-05"))
    assert cal.is_workday(d("2025-03-08"))
    assert cal.holiday_name(d("2025-03-05")) == "地方假日"
    # 2025-03-03(一) + 5 working days: 03-04=1, 03-05 rest, 03-06=2, 03-07=3, 03-08(六 调休)=4, 03-10=5.
    assert compute_due(start=d("2025-03-03"), days=5, working=True, calendar=cal).due == d("2025-03-10")


def test_unknown_entered_kind_is_rejected() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(entered=[EnteredDay(date=d("2027-01-01"), kind="half-day")])


@pytest.mark.django_db
def test_from_db_two_queries_and_2027_made_known(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(2):
        cal = WorkCalendar.from_db()
    assert compute_due(start=d("2026-12-17"), days=15, calendar=cal).beyond_known_calendar

    CalendarDay.objects.create(date=d("2027-01-01"), kind=DayKind.HOLIDAY, name="元旦")
    CalendarYear.objects.create(year=2027, complete=True)
    with django_assert_num_queries(2):
        cal = WorkCalendar.from_db()
    result = compute_due(start=d("2026-12-17"), days=15, calendar=cal)
    assert result.due == d("2027-01-04")
    assert not result.beyond_known_calendar
    # Computing many deadlines with one calendar costs no further queries.
    with django_assert_num_queries(0):
        for offset in range(50):
            compute_due(start=d("2026-11-01") + timedelta(days=offset), days=60, calendar=cal)


@pytest.mark.django_db
def test_default_calendar_reads_the_database(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    CalendarDay.objects.create(date=d("2027-01-01"), kind=DayKind.HOLIDAY, name="元旦")
    CalendarYear.objects.create(year=2027, complete=True)
    # the calendar's version token, then (the rows changed) the entered days and the complete years
    with django_assert_num_queries(3):
        result = compute_due(start=d("2026-12-17"), days=15)
    assert result.due == d("2027-01-04")
    with django_assert_num_queries(1):  # unchanged since: the token only
        assert compute_due(start=d("2026-12-17"), days=15) == result
    assert str(CalendarDay.objects.get()) == "2027-01-01 放假 元旦"


# --- input checks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"start": date(2025, 3, 3), "days": 0}, ValueError),
        ({"start": date(2025, 3, 3), "days": -5}, ValueError),
        ({"start": date(2025, 3, 3), "days": 15, "extension_days": -1}, ValueError),
        ({"start": date(2025, 3, 3), "days": 15, "paused_days": -1}, ValueError),
        ({"start": datetime(2025, 3, 3, 9, tzinfo=SHANGHAI), "days": 15}, TypeError),
    ],
)
def test_bad_input(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        compute_due(calendar=PACKAGE, **kwargs)


def test_pause_must_run_forwards() -> None:
    with pytest.raises(ValueError):
        Pause(d("2025-03-10"), d("2025-03-09"))


def test_result_is_frozen() -> None:
    result = compute_due(start=d("2025-03-03"), days=15, calendar=PACKAGE)
    assert isinstance(result, DueDate)
    with pytest.raises(AttributeError):
        result.due = d("2030-01-01")  # type: ignore[misc]


# --- time zone: the registration instant decides the start day -----------------------------------------


@pytest.mark.parametrize(
    ("instant", "start", "due"),
    [
        # 23:59 Beijing time on 09-30 starts on 09-30: +15 = 10-15(二).
        (datetime(2024, 9, 30, 23, 59, tzinfo=SHANGHAI), "2024-09-30", "2024-10-15"),
        # Two minutes later it is 10-01 in Beijing: +15 = 10-16(三).
        (datetime(2024, 10, 1, 0, 1, tzinfo=SHANGHAI), "2024-10-01", "2024-10-16"),
        # The same two instants stored in UTC (as Django stores them with USE_TZ): 15:59Z and 16:01Z.
        (datetime(2024, 9, 30, 15, 59, tzinfo=UTC), "2024-09-30", "2024-10-15"),
        (datetime(2024, 9, 30, 16, 1, tzinfo=UTC), "2024-10-01", "2024-10-16"),
    ],
)
def test_local_date_decides_the_start_day(instant: datetime, start: str, due: str) -> None:
    assert local_date(instant) == d(start)
    assert compute_due(start=local_date(instant), days=15, calendar=PACKAGE).due == d(due)


def test_local_date_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        local_date(datetime(2024, 9, 30, 23, 59))


# --- deployment setting ---------------------------------------------------------------------------------


def test_effective_working(settings: Settings) -> None:
    settings.XINFANG_COUNT_WORKING_DAYS_ONLY = False
    assert effective_working(True) is True
    assert effective_working(False) is False
    settings.XINFANG_COUNT_WORKING_DAYS_ONLY = True
    assert effective_working(False) is True
    del settings.XINFANG_COUNT_WORKING_DAYS_ONLY
    assert effective_working(False) is False


# --- the engine against the package, exhaustively and by property --------------------------------------


def test_is_workday_matches_package_for_every_covered_day() -> None:
    day, end = date(PACKAGE_YEARS.start, 1, 1), date(PACKAGE_YEARS.stop - 1, 12, 31)
    while day <= end:
        assert PACKAGE.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


_known_starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 9, 1))


@hypothesis_settings(max_examples=300, deadline=None, database=None)
@given(start=_known_starts, days=st.integers(min_value=1, max_value=90))
def test_calendar_period_properties(start: date, days: int) -> None:
    result = compute_due(start=start, days=days, calendar=PACKAGE)
    plain = start + timedelta(days=days)
    assert PACKAGE.is_workday(result.due)
    assert result.due >= plain
    # Only rest days are skipped by the roll-over, and the longest official run is well under two weeks.
    assert all(
        PACKAGE.is_statutory_rest_day(plain + timedelta(days=i)) for i in range((result.due - plain).days)
    )
    assert (result.due - plain).days < 14


@hypothesis_settings(max_examples=300, deadline=None, database=None)
@given(start=_known_starts, days=st.integers(min_value=1, max_value=60))
def test_working_period_properties(start: date, days: int) -> None:
    result = compute_due(start=start, days=days, working=True, calendar=PACKAGE)
    span = [start + timedelta(days=i) for i in range(1, (result.due - start).days + 1)]
    assert PACKAGE.is_workday(result.due)
    assert sum(PACKAGE.is_workday(x) for x in span) == days
