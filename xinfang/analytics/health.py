"""The figures' own health checks for `xinfang doctor` (registered in AnalyticsConfig.ready): every tally
trigger is installed, and the tallies equal a recount from the source rows."""

from __future__ import annotations

from django.db import connection, transaction

from xinfang.analytics.tally import (
    CLOCK_TALLY,
    EVALUATION_TALLY,
    REGISTRATION_TALLY,
    TRIGGERS,
    tally_install_and_rebuild,
    tally_rebuild,
)
from xinfang.core.maintenance import Check

TALLY_TABLES = (CLOCK_TALLY, EVALUATION_TALLY, REGISTRATION_TALLY)


def triggers_missing() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return [f"统计触发器 {name} 缺失（统计数字将不再随办理更新）" for name in TRIGGERS if name not in present]


def _snapshot() -> dict[str, set[tuple]]:
    out = {}
    with connection.cursor() as cursor:
        for table in TALLY_TABLES:
            cursor.execute(f"SELECT * FROM {table}")
            # the surrogate id differs after a recount; compare the rest
            out[table] = {tuple(row[1:]) for row in cursor.fetchall()}
    return out


def _normalised(rows: set[tuple]) -> set[tuple]:
    # a row of zeros and no row at all say the same thing
    return {r for r in rows if any(v not in (0, None) for v in r[-5:] if isinstance(v, int))}


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
        extra = _normalised(before[table] - after[table])
        missing = _normalised(after[table] - before[table])
        if extra or missing:
            differ.append(f"统计表 {table} 与重新计数不符：{len(missing)} 行缺失或不同，{len(extra)} 行多余")
    return differ


TRIGGERS_CHECK = Check("统计触发器", triggers_missing, tally_install_and_rebuild)
TALLIES_CHECK = Check("统计数字与重新计数一致", tallies_differ, tally_rebuild)
