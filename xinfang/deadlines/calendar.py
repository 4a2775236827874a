"""Legal deadlines right to the day: calendar-day and working-day periods on China's official calendar.

The rules (docs/domain.md §4, 民法典 Art. 201/203, 信访工作条例 Art. 22, 23, 34–36):

* the start day is not counted; counting begins the next day (Art. 201);
* a calendar-day period whose last day is a 法定休假日 — a weekend or public holiday that is not a 调休
  make-up working day — ends on the next working day (Art. 203);
* a working-day period counts the working days after the start day, so its last day is a working day by
  construction and Art. 203 never moves it;
* paused days (a 听证 during 复核, Art. 36) are not counted; an extension (Art. 34) adds days counted
  from the original start.

Which days are working days comes from the State Council schedule shipped in ``chinesecalendar`` and
from an administrator-entered schedule (``CalendarDay``/``CalendarYear``) that overrides it and covers
later years. A deadline that depends on a day in a year nobody has declared known is computed on
weekends alone and flagged, never silently presented as right.

Nothing here touches the database except ``WorkCalendar.from_db()``, so the engine is testable and
benchmarkable without Django's ORM.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.db import connections, models, router
from django.utils import timezone

from xinfang.core.periods import period

__all__ = [
    "MAX_EXTENSION_DAYS",
    "PACKAGE_YEARS",
    "SHANGHAI",
    "DayKind",
    "DueDate",
    "EnteredDay",
    "Pause",
    "WorkCalendar",
    "compute_due",
    "effective_working",
    "local_date",
]

# The legal day is the day in Beijing time, whatever TIME_ZONE a deployment's server runs under.
SHANGHAI = ZoneInfo("Asia/Shanghai")

# 条例 Art. 34: the cap on extending the handling period, from the periods table. The engine accepts any
# extension (it also serves other periods); the case workflow enforces this cap.
MAX_EXTENSION_DAYS = period("extension_max").days

_ONE_DAY = timedelta(days=1)
_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

# chinesecalendar names its days in English; officers read Chinese.
_PACKAGE_NAMES_ZH: dict[str, str] = {h.value: h.chinese for h in chinese_calendar.Holiday}

# Read the package's tables once instead of calling chinese_calendar.is_workday(), which recomputes
# the supported range from the whole table on every call (slow in a loop). The rule replicated here —
# listed make-up day → work; listed holiday → rest; otherwise Monday–Friday work — is the package's own,
# and a test checks it against chinese_calendar.is_workday() for every day of the covered range.
_PACKAGE_HOLIDAYS: dict[date, str] = dict(chinese_calendar.holidays)
_PACKAGE_WORKDAYS: dict[date, str] = dict(chinese_calendar.workdays)
PACKAGE_YEARS: range = range(min(_PACKAGE_HOLIDAYS).year, max(_PACKAGE_HOLIDAYS).year + 1)
_PACKAGE_NAMED_DAYS: list[date] = sorted({*_PACKAGE_HOLIDAYS, *_PACKAGE_WORKDAYS})


class DayKind(models.TextChoices):
    """What an administrator-entered day is; the ``CalendarDay.kind`` choices."""

    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "上班（调休）"


@dataclass(frozen=True, slots=True)
class EnteredDay:
    """One administrator-entered day, decoupled from the ORM row so pure tests can build calendars."""

    date: date
    kind: DayKind | str
    name: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Pause:
    """A run of days, first to last inclusive, on which a clock does not run (e.g. a 听证, Art. 36)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"暂停区间结束日 {self.last} 早于开始日 {self.first}")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


class WorkCalendar:
    """Answers, for any date, whether it is a working day and what the official calendar calls it.

    Administrator-entered days override the package. A year is *known* if the package covers it or an
    administrator has declared it complete; entered days in a year not declared complete are still used,
    but the year stays unknown, because a half-entered year is exactly how a deadline goes silently wrong.
    """

    __slots__ = ("_complete_years", "_entered", "_entered_sorted", "_use_package")

    def __init__(
        self,
        *,
        entered: Iterable[EnteredDay] = (),
        complete_years: Iterable[int] = (),
        use_package: bool = True,
    ) -> None:
        self._entered: dict[date, EnteredDay] = {}
        for day in entered:
            if day.kind not in (DayKind.HOLIDAY, DayKind.WORKDAY):
                raise ValueError(f"{day.date}: 未知的日期类型 {day.kind!r}")
            self._entered[day.date] = day
        self._entered_sorted: list[date] = sorted(self._entered)
        self._complete_years: frozenset[int] = frozenset(complete_years)
        self._use_package = use_package

    @classmethod
    def from_db(cls) -> WorkCalendar:
        """Load every administrator-entered day and complete year (two queries); reuse it for a batch."""
        # Imported here: models imports DayKind from this module, and the engine must stay importable
        # (benchmarks, pure tests) before Django's app registry is ready.
        from xinfang.deadlines.models import CalendarDay, CalendarYear

        entered = [
            EnteredDay(date=d, kind=k, name=n, note=t)
            for d, k, n, t in CalendarDay.objects.values_list("date", "kind", "name", "note")
        ]
        years = CalendarYear.objects.filter(complete=True).values_list("year", flat=True)
        return cls(entered=entered, complete_years=years)

    @classmethod
    def cached(cls) -> WorkCalendar:
        """The calendar as `from_db()` gives it, kept per process and re-read only when the rows changed.

        One cheap statement per call: the token of ``CalendarVersion``, which database triggers change on
        every insert, update or delete of a CalendarDay or CalendarYear row, from any process. The token is
        read before the rows, so a change committed in between leaves a calendar stored under the older token
        (re-read next time), never newer rows stored under a stale token. No row (a flushed test database):
        not cached. A calendar is never changed after it is built, so one instance can be shared."""
        global _CACHED
        token = _calendar_token()
        hit = _CACHED
        if token is not None and hit is not None and hit[0] == token:
            return hit[1]
        calendar = cls.from_db()
        _CACHED = (token, calendar) if token is not None else None
        return calendar

    # -- what a day is -------------------------------------------------------------------------------

    def is_known(self, year: int) -> bool:
        return (self._use_package and year in PACKAGE_YEARS) or year in self._complete_years

    def is_workday(self, d: date) -> bool:
        entered = self._entered.get(d)
        if entered is not None:
            return entered.kind == DayKind.WORKDAY
        if self._use_package and d.year in PACKAGE_YEARS:
            if d in _PACKAGE_WORKDAYS:
                return True
            if d in _PACKAGE_HOLIDAYS:
                return False
        # Beyond the known calendar this is the weekend-only best effort; compute_due flags it.
        return d.weekday() < 5

    def is_statutory_rest_day(self, d: date) -> bool:
        """法定休假日 in the sense of 民法典 Art. 203: a weekend or holiday that is not a make-up day."""
        return not self.is_workday(d)

    def is_makeup_workday(self, d: date) -> bool:
        """A 调休 Saturday or Sunday that is worked."""
        return d.weekday() >= 5 and self.is_workday(d)

    def holiday_name(self, d: date) -> str | None:
        """The holiday a rest day or make-up day belongs to (e.g. "国庆节"); None for an ordinary day."""
        entered = self._entered.get(d)
        if entered is not None:
            return entered.name or None
        if self._use_package and d.year in PACKAGE_YEARS:
            english = _PACKAGE_WORKDAYS.get(d) or _PACKAGE_HOLIDAYS.get(d)
            if english is not None:
                return _PACKAGE_NAMES_ZH.get(english, english)
        return None

    def named_days_between(self, after: date, through: date) -> list[date]:
        """Holidays and make-up days in (after, through], in order, without walking every day."""
        found: set[date] = set()
        if self._use_package:
            lo = bisect.bisect_right(_PACKAGE_NAMED_DAYS, after)
            hi = bisect.bisect_right(_PACKAGE_NAMED_DAYS, through)
            found.update(_PACKAGE_NAMED_DAYS[lo:hi])
        lo = bisect.bisect_right(self._entered_sorted, after)
        hi = bisect.bisect_right(self._entered_sorted, through)
        found.update(self._entered_sorted[lo:hi])
        return sorted(found)

    def is_holiday_rest_day(self, d: date) -> bool:
        """A rest day worth naming: a holiday, not an ordinary weekend."""
        return not self.is_workday(d) and (
            d.weekday() < 5 or d in self._entered or bool(self.holiday_name(d))
        )

    def known_years_text(self) -> str:
        parts = []
        if self._use_package:
            parts.append(f"{PACKAGE_YEARS.start}–{PACKAGE_YEARS.stop - 1}年（国务院安排，内置）")
        if self._complete_years:
            parts.append("、".join(f"{y}年" for y in sorted(self._complete_years)) + "（管理员录入）")
        return "；".join(parts) or "无"


@dataclass(frozen=True, slots=True)
class DueDate:
    """The result of a computation: the due date and how it was reached, for display and audit."""

    start: date
    days: int
    working: bool
    due: date
    # Human-readable notes (Chinese): start-day rule, holidays and make-up days met, pauses, extension,
    # Art. 203 roll-over. A tuple, so the frozen result really cannot change after it is computed.
    counted: tuple[str, ...]
    beyond_known_calendar: bool
    beyond_known_calendar_reason: str = ""
    extension_days: int = 0
    paused_days: int = 0
    # The last day before an Art. 203 roll-over, or None if the period did not end on a rest day.
    rolled_over_from: date | None = None
    unknown_years: tuple[int, ...] = ()

    @property
    def total_days(self) -> int:
        return self.days + self.extension_days


def _fmt(d: date) -> str:
    return f"{d.isoformat()}（{_WEEKDAYS_ZH[d.weekday()]}）"


def _fmt_run(first: date, last: date) -> str:
    return _fmt(first) if first == last else f"{_fmt(first)}至{_fmt(last)}"


def _holiday_runs(days: Sequence[date], calendar: WorkCalendar) -> list[tuple[date, date, str]]:
    """Group consecutive named rest days into runs such as 2025-10-01..10-08 "国庆节、中秋".

    2025's National Day holiday contains the Mid-autumn day, so a run takes every name it contains.
    """
    runs: list[tuple[date, date, list[str]]] = []
    for d in days:
        name = calendar.holiday_name(d) or "放假"
        if runs and (d - runs[-1][1]).days == 1:
            first, _, names = runs[-1]
            if name not in names:
                names.append(name)
            runs[-1] = (first, d, names)
        else:
            runs.append((d, d, [name]))
    return [(first, last, "、".join(names)) for first, last, names in runs]


_CACHED: tuple[int, WorkCalendar] | None = None


def _calendar_token() -> int | None:
    """The CalendarVersion token as this connection sees it now; None when the row is missing."""
    # Imported here: models imports DayKind from this module (see from_db).
    from xinfang.deadlines.models import CalendarVersion

    with connections[router.db_for_read(CalendarVersion)].cursor() as cursor:
        cursor.execute("SELECT token FROM deadlines_calendarversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def compute_due(
    *,
    start: date,
    days: int,
    working: bool = False,
    extension_days: int = 0,
    paused_days: int = 0,
    pauses: Sequence[Pause] = (),
    calendar: WorkCalendar | None = None,
) -> DueDate:
    """The last day of a period of ``days`` (plus ``extension_days``) counted after ``start``.

    ``working`` counts working days instead of calendar days; pass ``effective_working(...)`` to honour
    the deployment's XINFANG_COUNT_WORKING_DAYS_ONLY. ``pauses`` are dated runs of days that are not
    counted; ``paused_days`` is the undated shorthand for a calendar-day period, where only the number of
    paused days matters (for a working-day period it does matter which days, so dates are required).

    ``calendar`` defaults to ``WorkCalendar.from_db()`` so that administrator corrections are never
    missed; pass one calendar explicitly to compute many deadlines (or to compute without a database).
    """
    if isinstance(start, datetime):
        # A datetime is a date subclass; silently dropping its time would take the server's day, not
        # Beijing's. Make the caller say which day it means.
        raise TypeError("start 须为日期（date）；登记时间请先用 local_date() 换算为北京时间日期")
    if days < 1:
        raise ValueError(f"期间日数须为正整数，收到 {days}")
    if extension_days < 0 or paused_days < 0:
        raise ValueError("延期日数与暂停日数不得为负数")
    if working and paused_days:
        raise ValueError("按工作日计算的期间须给出暂停的具体日期（pauses），不能只给暂停日数")
    cal = calendar if calendar is not None else WorkCalendar.cached()

    total = days + extension_days
    unit = "个工作日" if working else "日"
    start_kind = (
        f"；起算日适逢{cal.holiday_name(start) or '周末'}休息日，不影响起算"
        if cal.is_statutory_rest_day(start)
        else ""
    )
    notes: list[str] = [f"起算：{_fmt(start)}当日不计入，自次日起计算（民法典第二百零一条）{start_kind}"]
    if extension_days:
        notes.append(
            f"延长期限{extension_days}日，与原期间{days}{unit}自原起算日连续计算，共{total}{unit}"
            "（信访工作条例第三十四条）"
        )
    paused: set[date] = set()
    for pause in pauses:
        paused.update(pause.first + timedelta(days=i) for i in range(pause.days))
    # Days on or before the start day are never counted anyway, so they are not "paused".
    paused = {d for d in paused if d > start}

    consulted_first: date  # the first day whose working/rest status decided the result
    rolled_over_from: date | None = None
    paused_count = paused_days
    if working:
        d, counted, skipped, makeup = start, 0, [], []
        while counted < total:
            d += _ONE_DAY
            if d in paused:
                paused_count += 1
            elif cal.is_workday(d):
                counted += 1
                if d.weekday() >= 5:
                    makeup.append(d)
            elif cal.is_holiday_rest_day(d):
                skipped.append(d)
        due = d
        consulted_first = start + _ONE_DAY
        met = [
            (first, f"跳过{name}假期 {_fmt_run(first, last)}，不计工作日")
            for first, last, name in _holiday_runs(skipped, cal)
        ]
        met += [(d, f"{_fmt(d)}为{cal.holiday_name(d) or ''}调休上班日，计为工作日") for d in makeup]
        notes.extend(text for _, text in sorted(met))
    else:
        if paused:
            d, counted = start, 0
            while counted < total + paused_days:
                d += _ONE_DAY
                if d in paused:
                    paused_count += 1
                else:
                    counted += 1
            last_day = d
        else:
            last_day = start + timedelta(days=total + paused_days)
        holidays_met = [d for d in cal.named_days_between(start, last_day) if cal.is_holiday_rest_day(d)]
        for first, last, name in _holiday_runs(holidays_met, cal):
            notes.append(f"期间内经过{name}假期 {_fmt_run(first, last)}，按自然日计入")
        consulted_first = last_day
        due = last_day
        while cal.is_statutory_rest_day(due) or due in paused:
            due += _ONE_DAY
        if due != last_day:
            rolled_over_from = last_day
            why = cal.holiday_name(last_day) or ("周末" if last_day.weekday() >= 5 else "放假")
            notes.append(
                f"期间最后一日{_fmt(last_day)}为法定休假日（{why}），"
                f"依民法典第二百零三条顺延至休假日结束的次日{_fmt(due)}"
            )
        elif cal.is_makeup_workday(due):
            notes.append(f"最后一日{_fmt(due)}为{cal.holiday_name(due) or ''}调休上班日，是工作日，不顺延")

    if pauses or paused_days:
        runs = ", ".join(_fmt_run(p.first, p.last) for p in pauses)
        where = f"（{runs}）" if runs else ""
        notes.append(f"暂停{paused_count}日{where}不计入期间（如听证，信访工作条例第三十六条）")

    unknown = tuple(y for y in range(consulted_first.year, due.year + 1) if not cal.is_known(y))
    reason = ""
    if unknown:
        years = "、".join(f"{y}年" for y in unknown)
        reason = (
            f"期限推算涉及{years}，该年度的节假日安排尚不掌握（已知：{cal.known_years_text()}），"
            "仅按周六、周日休息推算，结果可能有误；请管理员录入该年度安排并标记为完整后重新计算"
        )
        notes.append("【超出已知日历】" + reason)
    return DueDate(
        start=start,
        days=days,
        working=working,
        due=due,
        counted=tuple(notes),
        beyond_known_calendar=bool(unknown),
        beyond_known_calendar_reason=reason,
        extension_days=extension_days,
        paused_days=paused_count,
        rolled_over_from=rolled_over_from,
        unknown_years=unknown,
    )


def effective_working(working: bool) -> bool:
    """Whether a period is counted in working days here: some localities count every limit that way."""
    return working or bool(getattr(settings, "XINFANG_COUNT_WORKING_DAYS_ONLY", False))


def local_date(dt: datetime) -> date:
    """The Beijing-time day of an instant: a registration at 23:59 and one at 00:01 start different days."""
    if timezone.is_naive(dt):
        raise ValueError("须为带时区的时间（aware datetime）；无时区时间无法确定北京时间日期")
    return timezone.localdate(dt, timezone=SHANGHAI)
