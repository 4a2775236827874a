"""A database left ready to serve: bulk paths that are crash-safe, statistics after every load, and the checks
`xinfang doctor` runs and repairs.

Bulk paths (the case generator, imports) take things away for speed: secondary indexes on SQLite, the figure
tallies' triggers. Each is written down in `core.DisabledObject` *before* it goes (`objects_disabled`) and the
row is deleted once it is back, so a load killed with SIGKILL leaves a trail that `doctor` follows. SIGTERM and
SIGINT become exceptions while a bulk path runs, so the `finally` that restores runs on those too.

Apps add their own checks with `register_check` (the analytics app: tally triggers present, tallies equal to a
recount), so this module names no app above it.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils.module_loading import import_string

from xinfang.core.models import DisabledObject

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str  # shown by `xinfang doctor`
    find: Callable[[], list[str]]  # the problems found; empty when healthy
    repair: Callable[[], None]


_CHECKS: list[Check] = []


def register_check(check: Check) -> None:
    if all(c.name != check.name for c in _CHECKS):
        _CHECKS.append(check)


def checks() -> list[Check]:
    return [DISABLED_CHECK, *_CHECKS, STATISTICS_CHECK]


# --------------------------------------------------------------------------------------- disabled objects


@dataclass(frozen=True)
class Disabled:
    kind: str  # "index": `restore` is its CREATE INDEX text; "action": `restore` is a dotted function path
    name: str
    restore: str


def _journal(items: list[Disabled], reason: str) -> None:

    # Committed on its own, before anything is taken away: the trail must survive a kill.
    with transaction.atomic():
        for item in items:
            DisabledObject.objects.update_or_create(
                kind=item.kind, name=item.name, defaults={"restore": item.restore, "reason": reason}
            )


def _restore(item: Disabled) -> None:
    if item.kind == "index":
        sql = item.restore
        if sql.upper().startswith("CREATE INDEX ") and " IF NOT EXISTS " not in sql.upper():
            sql = "CREATE INDEX IF NOT EXISTS " + sql[len("CREATE INDEX ") :]
        with connection.cursor() as cursor:
            cursor.execute(sql)
    else:
        import_string(item.restore)()


def _forget(items: list[Disabled]) -> None:

    for item in items:
        DisabledObject.objects.filter(kind=item.kind, name=item.name).delete()


@contextmanager
def objects_disabled(items: list[Disabled], *, take_away: Callable[[], None], reason: str) -> Iterator[None]:
    """Write the items down, run `take_away`, yield; put every item back on any exit and forget them."""
    if not items:
        yield
        return
    _journal(items, reason)
    try:
        with _signals_as_exceptions():
            take_away()
            yield
    finally:
        for item in items:
            _restore(item)
        _forget(items)


class Interrupted(Exception):
    """SIGTERM or SIGINT arrived during a bulk path (the `finally` blocks restore what it took away)."""


@contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum, frame):
        raise Interrupted(f"signal {signum}")

    before = {s: signal.signal(s, _raise) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def _disabled_find() -> list[str]:

    return [
        f"{row.kind} {row.name} 仍处于暂停状态（{row.reason}，{row.created_at:%Y-%m-%d %H:%M}）"
        for row in DisabledObject.objects.order_by("created_at", "id")
    ]


def _disabled_repair() -> None:

    for row in DisabledObject.objects.order_by("created_at", "id"):
        _restore(Disabled(row.kind, row.name, row.restore))
        row.delete()


DISABLED_CHECK = Check("被批量写入暂停的索引与触发器", _disabled_find, _disabled_repair)


# --------------------------------------------------------------------------------------------- statistics

# The tables whose plans go quadratic without statistics (a list page's joins).
STATISTICS_TABLES = ("cases_case", "deadlines_clock", "core_event", "people_person", "cases_casepetitioner")


def analyze() -> None:
    """Give the planner fresh statistics after a bulk write: SQLite `ANALYZE` then `PRAGMA optimize`;
    PostgreSQL `VACUUM ANALYZE` (outside a transaction; inside one — tests — plain `ANALYZE`)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        else:  # pragma: no cover - other databases are not supported
            cursor.execute("ANALYZE")


def statistics_daily(*, day: date) -> str:
    """The nightly statistics (settings.XINFANG_DAILY_JOBS, run by ``ledger_build``): SQLite has no automatic
    ANALYZE, so a table that grew from empty since the last bulk load (the 包案, 督办 and campaign items a
    bureau writes one by one) keeps "no statistics" and the planner reads it through the wrong index (the 包案
    list at 1M: 211 ms for want of them, 2 ms after; issue 14). `analyze()` each night: at 1M cases about 12 s
    of one core, readers never blocked. PostgreSQL's autovacuum analyses by itself: nothing to do."""
    if connection.vendor != "sqlite":
        return f"{day.isoformat()} 查询规划统计：由数据库自动维护"
    analyze()
    return f"{day.isoformat()} 查询规划统计：已更新（ANALYZE）"


def _tables_present() -> set[str]:
    return set(connection.introspection.table_names())


def _statistics_find() -> list[str]:
    tables = [t for t in STATISTICS_TABLES if t in _tables_present()]
    missing: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")
            if not cursor.fetchone()[0]:
                continue  # an empty table needs no statistics
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
                )
                has_stat = cursor.fetchone() is not None
                if has_stat:
                    cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
                    has_stat = cursor.fetchone() is not None
            elif connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL "
                    "FROM pg_stat_user_tables WHERE relname = %s",
                    [table],
                )
                row = cursor.fetchone()
                has_stat = bool(row and row[0])
            else:  # pragma: no cover
                has_stat = True
            if not has_stat:
                missing.append(f"表 {table} 没有查询规划统计信息（需要 ANALYZE）")
    return missing


STATISTICS_CHECK = Check("查询规划统计信息", _statistics_find, analyze)


# ------------------------------------------------------------------------------------------------ doctor


@dataclass
class Finding:
    check: str
    problems: list[str]
    repaired: bool = False


def doctor(*, repair: bool) -> list[Finding]:
    """Run every check; with `repair`, repair what a check found and check it again."""
    out: list[Finding] = []
    for check in checks():
        problems = check.find()
        finding = Finding(check.name, problems)
        if problems and repair:
            check.repair()
            after = check.find()
            finding.repaired = not after
            finding.problems = after or problems
        out.append(finding)
    return out
