"""The figures' own health checks for `xinfang doctor` (registered in AnalyticsConfig.ready): every tally
trigger is installed, and the tallies equal a recount from the source rows."""

from __future__ import annotations

from django.db import connection, transaction

from xinfang.analytics.tally import (
    ACT_TALLY,
    BACKLOG_TALLY,
    CASE_TALLY,
    CASE_TALLY_KEY,
    CLOCK_COUNTS,
    CLOCK_TALLY,
    EVALUATION_TALLY,
    REGISTRATION_TALLY,
    tally_install_and_rebuild,
    tally_rebuild,
    triggers_expected,
)
from xinfang.core.maintenance import Check

# table: (key columns, count columns) — every tally the triggers keep
TALLIES = {
    CLOCK_TALLY: (("body_id", "kind", "due_on"), CLOCK_COUNTS),
    EVALUATION_TALLY: (("body_id", "day", "result"), ("count",)),
    REGISTRATION_TALLY: (("body_id", "day"), ("total", "repeats")),
    CASE_TALLY: (CASE_TALLY_KEY, ("count",)),
    BACKLOG_TALLY: (("body_id", "day"), ("total", "cleared")),
    ACT_TALLY: (("body_id", "day", "action"), ("count",)),
}
TALLY_TABLES = tuple(TALLIES)


def triggers_missing() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return [
        f"统计触发器 {name} 缺失（统计数字将不再随办理更新）"
        for name in triggers_expected(connection.vendor)
        if name not in present
    ]


def _snapshot() -> dict[str, set[tuple]]:
    """Each tally's rows as (key…, count…), leaving out rows whose counts are all 0: a row of zeros (a count
    moved to another key) and no row at all say the same thing. The surrogate id differs after a recount."""
    out = {}
    with connection.cursor() as cursor:
        for table, (key, counts) in TALLIES.items():
            nonzero = " OR ".join(f"{c} <> 0" for c in counts)
            cursor.execute(f"SELECT {', '.join(key + counts)} FROM {table} WHERE {nonzero}")
            out[table] = {tuple(str(v) for v in row) for row in cursor.fetchall()}
    return out


class _Rollback(Exception):
    pass


def tallies_differ() -> list[str]:
    """Recount inside a transaction that is rolled back, and compare with what the tallies hold."""
    differ: list[str] = []
    try:
        with transaction.atomic():
            before = _snapshot()
            tally_rebuild()
            after = _snapshot()
            raise _Rollback
    except _Rollback:
        pass
    for table in TALLY_TABLES:
        extra = before[table] - after[table]
        missing = after[table] - before[table]
        if extra or missing:
            differ.append(f"统计表 {table} 与重新计数不符：{len(missing)} 行缺失或不同，{len(extra)} 行多余")
    return differ


TRIGGERS_CHECK = Check("统计触发器", triggers_missing, tally_install_and_rebuild)
TALLIES_CHECK = Check("统计数字与重新计数一致", tallies_differ, tally_rebuild)
