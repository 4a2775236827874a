"""The running counts behind the figures (models.ClockTally, EvaluationTally, RegistrationTally, CaseTally):
the database triggers that keep them, and the rebuild from the source rows.

Why triggers and not calls in the services: a count is exact only if *every* write to the source rows
moves it — the case services, but also ``.update()`` and ``bulk_create`` (the bulk generator, the seed
report test, a data migration), the admin, and the cascade when a case is deleted. A trigger runs inside
the writing statement, so the count changes in the same transaction as the rows, and a rollback takes
both back. On PostgreSQL the triggers are per statement over the transition tables: one grouped upsert
per statement, however many rows it wrote (a bulk load of millions of clocks adds one GROUP BY). On
SQLite (development, tests) they are per row.

The rules the counts follow are the figures' own (figures.py): a clock is on time when stopped with
``on_time``; late when stopped without it; evaluated when stopped by ``evaluate``; open clocks are
counted by their due date, so "open past due" and "not yet due" are both read exactly for any today.
An evaluation is attributed to the body its stage judges, read from the case (handling, 复查 or 复核
body): when a case's bodies change, its evaluations move with them, as the raw count would. Days are
local days (settings.TIME_ZONE), the days the figures' periods are made of.

``tally_rebuild`` recounts from scratch (or from a day on): after loading rows with the triggers off,
after restoring a dump, after changing TIME_ZONE, or to check. ``manage.py figures_rebuild`` runs it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection as default_connection
from django.db import connections, transaction

CLOCK = "deadlines_clock"
EVALUATION = "evaluation_evaluation"
CASE = "cases_case"
CLOCK_TALLY = "analytics_clocktally"
EVALUATION_TALLY = "analytics_evaluationtally"
REGISTRATION_TALLY = "analytics_registrationtally"
CASE_TALLY = "analytics_casetally"
BACKLOG_TALLY = "analytics_backlogtally"
EVENT = "core_event"
ACT_TALLY = "analytics_acttally"
# The events ActTally counts: the 信访部门's acts on cases (analytics.annual.SENDING_ACTIONS and the 督办
# prefixes; not imported: a migration loads this module). substr, not LIKE: no '%' to escape in either driver.
ACT_ACTIONS = ("transfer", "assign", "tell")
ACT_PREFIXES = ("supervis", "duban")
CLEARED_STATES = ("concluded", "terminated", "archived")  # figures.CLEARED_STATES (a migration loads this)
EVALUATED_BY = "evaluate"  # figures.EVALUATED_BY (not imported: this module is loaded by a migration)

CLOCK_COUNTS = ("open_count", "on_time_count", "late_count", "evaluated_count", "closed_count")

# CaseTally's measures: name → the value of the case row `r` as text ('' for none). The dashboard's and the
# annual report's counts by field (analytics.volume), each case counted once per measure.
ACCUSATION = "accusation"  # cases.PetitionType.ACCUSATION (not imported: a migration loads this module)
CASE_MEASURES = {
    "channel": "COALESCE({r}.channel, '')",
    "petition_type": "COALESCE({r}.petition_type, '')",
    "category": "COALESCE(CAST({r}.category_id AS TEXT), '')",
    "region": "COALESCE(CAST({r}.problem_region_id AS TEXT), '')",
    "subject": "COALESCE(CAST({r}.subject_body_id AS TEXT), '')",
    "outcome": "COALESCE({r}.outcome, '')",
    "skipped": "CASE WHEN {r}.skipped_levels THEN '1' ELSE '0' END",
}
# The case columns CaseTally reads (an UPDATE that changes none of them changes no count).
CASE_TALLY_COLUMNS = (
    "registered_at",
    "registering_body_id",
    "handling_body_id",
    "petition_type",
    "subject_body_id",
    "channel",
    "category_id",
    "problem_region_id",
    "outcome",
    "skipped_levels",
)
CASE_TALLY_KEY = ("month", "registering", "handling", "accused", "measure", "value")


def _clock_buckets(r: str) -> list[str]:
    """One 0/1 per count column for the clock row `r` — the figures' conditions (figures.on_time_q …).
    Written with CASE so that a NULL on_time counts in neither on time nor late, on both databases."""
    return [
        f"CASE WHEN {r}.is_open THEN 1 ELSE 0 END",
        f"CASE WHEN NOT {r}.is_open AND {r}.on_time THEN 1 ELSE 0 END",
        f"CASE WHEN NOT {r}.is_open AND NOT {r}.on_time THEN 1 ELSE 0 END",
        f"CASE WHEN NOT {r}.is_open AND {r}.stopped_by = '{EVALUATED_BY}' THEN 1 ELSE 0 END",
        f"CASE WHEN {r}.is_open THEN 0 ELSE 1 END",
    ]


def _judged(case: str, evaluation: str) -> str:
    """The body whose answer the evaluation judges (figures.evaluation_body_expr)."""
    return (
        f"CASE {evaluation}.stage WHEN 'answer' THEN {case}.handling_body_id "
        f"WHEN 'review' THEN {case}.review_body_id WHEN 'rereview' THEN {case}.rereview_body_id END"
    )


def _time_zone() -> str:
    tz = settings.TIME_ZONE
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", tz):
        raise ImproperlyConfigured(f"TIME_ZONE {tz!r}")
    return tz


def _local_day(vendor: str, column: str) -> str:
    """The local date of a stored timestamp, as the figures' periods (local midnights) cut it."""
    if vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE '{_time_zone()}') AS date)"
    # SQLite stores UTC text; a fixed offset is exact for a zone without daylight saving (Asia/Shanghai).
    zone = ZoneInfo(_time_zone())
    offsets = {datetime(2026, m, 1, tzinfo=zone).utcoffset() for m in (1, 4, 7, 10)}
    if len(offsets) != 1:
        raise ImproperlyConfigured("SQLite tallies need a TIME_ZONE without daylight saving.")
    minutes = int(offsets.pop().total_seconds() // 60)
    return f"date({column}, '{minutes:+d} minutes')"


def _local_month(vendor: str, column: str) -> str:
    """The first day of the local month of a stored timestamp."""
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {column} AT TIME ZONE '{_time_zone()}') AS date)"
    return _local_day(vendor, column)[:-1] + ", 'start of month')"


def _measures_table() -> str:
    """A one-column table of the measure names, to cross join with case rows (one row per case and measure)."""
    return "(" + " UNION ALL ".join(f"SELECT '{m}' AS measure" for m in CASE_MEASURES) + ")"


def _case_tally_select(vendor: str, r: str, sign: str) -> str:
    """SELECT (month, registering, handling, accused, measure, value, n) for the case rows `r` × measures `m`."""
    value = "CASE m.measure " + " ".join(f"WHEN '{k}' THEN {v.format(r=r)}" for k, v in CASE_MEASURES.items())
    return (
        f"SELECT {_local_month(vendor, f'{r}.registered_at')} AS month, "
        f"COALESCE({r}.registering_body_id, 0) AS registering, COALESCE({r}.handling_body_id, 0) AS handling, "
        f"CASE WHEN {r}.petition_type = '{ACCUSATION}' THEN COALESCE({r}.subject_body_id, 0) ELSE 0 END "
        f"AS accused, m.measure AS measure, {value} END AS value, {sign} AS n"
    )


def _backlog_select(vendor: str, r: str, sign: str) -> str:
    """SELECT (body, day, total, cleared) for the backlog case rows `r` (the caller filters is_backlog)."""
    states = ", ".join(f"'{x}'" for x in CLEARED_STATES)
    return (
        f"SELECT COALESCE({r}.handling_body_id, {r}.registering_body_id) AS body_id, "
        f"{_local_day(vendor, f'{r}.registered_at')} AS day, {sign} AS total, "
        f"{sign} * (CASE WHEN {r}.state IN ({states}) THEN 1 ELSE 0 END) AS cleared"
    )


def _act_filter(r: str) -> str:
    actions = ", ".join(f"'{a}'" for a in ACT_ACTIONS)
    prefixes = " OR ".join(f"substr({r}.action, 1, {len(p)}) = '{p}'" for p in ACT_PREFIXES)
    return (
        f"{r}.object_type = 'cases.case' AND {r}.body_id IS NOT NULL "
        f"AND ({r}.action IN ({actions}) OR {prefixes})"
    )


def _act_select(vendor: str, r: str, sign: str) -> str:
    return f"SELECT {r}.body_id AS body_id, {_local_day(vendor, f'{r}.occurred_at')} AS day, {r}.action AS action, {sign} AS n"


# —— rebuild ——


def _rebuild_sql(vendor: str, since: date | None) -> list[tuple[str, list]]:
    r = "r"
    buckets = _clock_buckets(r)
    cols = ", ".join(CLOCK_COUNTS)
    sums = ", ".join(f"SUM({b})" for b in buckets)
    eday = _local_day(vendor, "e.created_at")
    rday = _local_day(vendor, "r.registered_at")
    judged = _judged("c", "e")
    p = [since.isoformat()] if since else []
    month_p = [since.replace(day=1).isoformat()] if since else []
    clock_where = "WHERE r.due_on >= %s" if since else ""
    return [
        (f"DELETE FROM {CLOCK_TALLY}" + (" WHERE due_on >= %s" if since else ""), p),
        (
            f"INSERT INTO {CLOCK_TALLY} (body_id, kind, due_on, {cols}) "
            f"SELECT r.body_id, r.kind, r.due_on, {sums} FROM {CLOCK} r {clock_where} "
            "GROUP BY r.body_id, r.kind, r.due_on",
            p,
        ),
        (f"DELETE FROM {EVALUATION_TALLY}" + (" WHERE day >= %s" if since else ""), p),
        (
            f"INSERT INTO {EVALUATION_TALLY} (body_id, day, result, count) "
            f"SELECT {judged}, {eday}, e.result, COUNT(*) FROM {EVALUATION} e JOIN {CASE} c ON c.id = e.case_id "
            f"WHERE ({judged}) IS NOT NULL" + (f" AND {eday} >= %s" if since else "") + " GROUP BY 1, 2, 3",
            p,
        ),
        (f"DELETE FROM {REGISTRATION_TALLY}" + (" WHERE day >= %s" if since else ""), p),
        (
            f"INSERT INTO {REGISTRATION_TALLY} (body_id, day, total, repeats) "
            f"SELECT r.registering_body_id, {rday}, COUNT(*), SUM(CASE WHEN r.is_repeat THEN 1 ELSE 0 END) "
            f"FROM {CASE} r WHERE r.registering_body_id IS NOT NULL"
            + (f" AND {rday} >= %s" if since else "")
            + " GROUP BY 1, 2",
            p,
        ),
        (f"DELETE FROM {CASE_TALLY}" + (" WHERE month >= %s" if since else ""), month_p),
        (
            f"INSERT INTO {CASE_TALLY} ({', '.join(CASE_TALLY_KEY)}, count) "
            f"SELECT {', '.join(CASE_TALLY_KEY)}, SUM(n) FROM ("
            f"{_case_tally_select(vendor, 'r', '1')} FROM {CASE} r CROSS JOIN {_measures_table()} m"
            + (f" WHERE {_local_month(vendor, 'r.registered_at')} >= %s" if since else "")
            + f") d GROUP BY {', '.join(CASE_TALLY_KEY)}",
            month_p,
        ),
        (f"DELETE FROM {BACKLOG_TALLY}" + (" WHERE day >= %s" if since else ""), p),
        (
            f"INSERT INTO {BACKLOG_TALLY} (body_id, day, total, cleared) "
            f"SELECT body_id, day, SUM(total), SUM(cleared) FROM ({_backlog_select(vendor, 'r', '1')} "
            f"FROM {CASE} r WHERE r.is_backlog) d"
            + (" WHERE day >= %s" if since else "")
            + " GROUP BY body_id, day",
            p,
        ),
        (f"DELETE FROM {ACT_TALLY}" + (" WHERE day >= %s" if since else ""), p),
        (
            f"INSERT INTO {ACT_TALLY} (body_id, day, action, count) "
            f"SELECT body_id, day, action, SUM(n) FROM ({_act_select(vendor, 'r', '1')} "
            f"FROM {EVENT} r WHERE {_act_filter('r')}) d"
            + (" WHERE day >= %s" if since else "")
            + " GROUP BY body_id, day, action",
            p,
        ),
    ]


def tally_rebuild(*, since: date | None = None, using=None) -> None:
    """Recount the tallies from the source rows (all of them, or the days from `since` on), in one
    transaction. On PostgreSQL the source tables are locked against writers meanwhile (SHARE), so no clock
    changes between the count and the commit; readers go on."""
    conn = using or default_connection
    with transaction.atomic(using=conn.alias), conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute(f"LOCK TABLE {CLOCK}, {EVALUATION}, {CASE}, {EVENT} IN SHARE MODE")
        missing = [t for t in LATER_TALLIES if not _has_table(conn, t)]
        for sql, params in _rebuild_sql(conn.vendor, since):
            if any(t in sql for t in missing):
                continue  # migration 0002 runs this before 0003/0004 create the table
            cur.execute(sql, params)


# —— triggers ——

TRIGGERS = {
    # name: table (the names are the same on both databases so that uninstall can drop them)
    "analytics_clock_tally_ins": CLOCK,
    "analytics_clock_tally_upd": CLOCK,
    "analytics_clock_tally_del": CLOCK,
    "analytics_evaluation_tally_ins": EVALUATION,
    "analytics_evaluation_tally_upd": EVALUATION,
    "analytics_evaluation_tally_del": EVALUATION,
    "analytics_case_tally_ins": CASE,
    "analytics_case_tally_upd": CASE,
    "analytics_case_tally_del": CASE,
    # CaseTally (migration 0003)
    "analytics_case_month_tally_ins": CASE,
    "analytics_case_month_tally_upd": CASE,
    "analytics_case_month_tally_del": CASE,
    # BacklogTally (migration 0004)
    "analytics_backlog_tally_ins": CASE,
    "analytics_backlog_tally_upd": CASE,
    "analytics_backlog_tally_del": CASE,
    # ActTally (migration 0005)
    "analytics_act_tally_ins": EVENT,
    "analytics_act_tally_upd": EVENT,
    "analytics_act_tally_del": EVENT,
}
PG_FUNCTIONS = (
    "analytics_clock_tally",
    "analytics_evaluation_tally",
    "analytics_case_tally",
    "analytics_case_month_tally",
    "analytics_backlog_tally",
    "analytics_act_tally",
)
# The triggers that write CaseTally: installed only once its table exists (migration 0002 installs the others
# before 0003 creates it).
CASE_MONTH_TRIGGERS = tuple(t for t in TRIGGERS if t.startswith("analytics_case_month_tally"))
BACKLOG_TRIGGERS = tuple(t for t in TRIGGERS if t.startswith("analytics_backlog_tally"))
# Tallies added after migration 0002, by the trigger group that writes them: a group is installed, and its
# table recounted, only once the table exists.
LATER_TALLIES = {
    CASE_TALLY: "analytics_case_month_tally",
    BACKLOG_TALLY: "analytics_backlog_tally",
    ACT_TALLY: "analytics_act_tally",
}
ACT_TRIGGERS = tuple(t for t in TRIGGERS if t.startswith("analytics_act_tally"))
# On PostgreSQL the audit trigger refuses every UPDATE of an event but sealing (xinfang/core/audit.py), which
# changes none of the columns ActTally reads; a statement trigger there would only weigh each sealed batch
# (millions of rows after a bulk load) for nothing. (A column list, UPDATE OF, cannot have transition tables.)
PG_NOT_INSTALLED = ("analytics_act_tally_upd",)


def triggers_expected(vendor: str) -> list[str]:
    return [t for t in TRIGGERS if not (vendor == "postgresql" and t in PG_NOT_INSTALLED)]


def _pg_upsert_act(sources: list[tuple[int, str]]) -> str:
    parts = [
        f"{_act_select('postgresql', 'r', str(sign))} FROM {table} r WHERE {_act_filter('r')}"
        for sign, table in sources
    ]
    return (
        f"INSERT INTO {ACT_TALLY} AS t (body_id, day, action, count) "
        f"SELECT body_id, day, action, SUM(n) FROM ({' UNION ALL '.join(parts)}) d "
        "GROUP BY body_id, day, action HAVING SUM(n) <> 0 ORDER BY body_id, day, action "
        "ON CONFLICT (body_id, day, action) DO UPDATE SET count = t.count + EXCLUDED.count;"
    )


def _pg_upsert_backlog(sources: list[tuple[int, str]]) -> str:
    parts = [
        f"{_backlog_select('postgresql', 'r', str(sign))} FROM {table} r WHERE r.is_backlog"
        for sign, table in sources
    ]
    return (
        f"INSERT INTO {BACKLOG_TALLY} AS t (body_id, day, total, cleared) "
        f"SELECT body_id, day, SUM(total), SUM(cleared) FROM ({' UNION ALL '.join(parts)}) d "
        "GROUP BY body_id, day HAVING SUM(total) <> 0 OR SUM(cleared) <> 0 ORDER BY body_id, day "
        "ON CONFLICT (body_id, day) DO UPDATE SET total = t.total + EXCLUDED.total, "
        "cleared = t.cleared + EXCLUDED.cleared;"
    )


def _has_table(conn, table: str) -> bool:
    with conn.cursor() as cur:
        return table in conn.introspection.table_names(cur)


def _pg_upsert_case_month(sources: list[tuple[int, str]]) -> str:
    """One grouped upsert of the statement's net change to CaseTally (rows out −1, rows in +1), in key order."""
    parts = [
        f"{_case_tally_select('postgresql', 'r', str(sign))} FROM {table} r CROSS JOIN {_measures_table()} m"
        for sign, table in sources
    ]
    key = ", ".join(CASE_TALLY_KEY)
    return (
        f"INSERT INTO {CASE_TALLY} AS t ({key}, count) "
        f"SELECT {key}, SUM(n) FROM ({' UNION ALL '.join(parts)}) d "
        f"GROUP BY {key} HAVING SUM(n) <> 0 ORDER BY {key} "
        f"ON CONFLICT ({key}) DO UPDATE SET count = t.count + EXCLUDED.count;"
    )


def _pg_upsert_clock(sources: list[tuple[int, str]]) -> str:
    """One grouped upsert of the net change the statement made (rows out −1, rows in +1)."""
    parts = []
    for sign, table in sources:
        vals = ", ".join(f"{sign} * ({b}) AS c{i}" for i, b in enumerate(_clock_buckets("r")))
        parts.append(f"SELECT r.body_id, r.kind, r.due_on, {vals} FROM {table} r WHERE r.body_id IS NOT NULL")
    n = len(CLOCK_COUNTS)
    sums = ", ".join(f"SUM(c{i})" for i in range(n))
    nonzero = " OR ".join(f"SUM(c{i}) <> 0" for i in range(n))
    update = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in CLOCK_COUNTS)
    # ORDER BY: concurrent statements take the tally rows' locks in the same order (no deadlock between two
    # multi-row statements).
    return (
        f"INSERT INTO {CLOCK_TALLY} AS t (body_id, kind, due_on, {', '.join(CLOCK_COUNTS)}) "
        f"SELECT body_id, kind, due_on, {sums} FROM ({' UNION ALL '.join(parts)}) d "
        f"GROUP BY body_id, kind, due_on HAVING {nonzero} ORDER BY body_id, kind, due_on "
        f"ON CONFLICT (body_id, kind, due_on) DO UPDATE SET {update};"
    )


def _pg_upsert_evaluation(sources: list[tuple[int, str, str]]) -> str:
    """sources: (sign, evaluation rows e, case rows c joined to them)."""
    parts = []
    for sign, from_join, case_alias in sources:
        judged = _judged(case_alias, "e")
        parts.append(
            f"SELECT {judged} AS body_id, {_local_day('postgresql', 'e.created_at')} AS day, e.result, "
            f"{sign} AS n FROM {from_join} WHERE ({judged}) IS NOT NULL"
        )
    return (
        f"INSERT INTO {EVALUATION_TALLY} AS t (body_id, day, result, count) "
        f"SELECT body_id, day, result, SUM(n) FROM ({' UNION ALL '.join(parts)}) d "
        "GROUP BY body_id, day, result HAVING SUM(n) <> 0 ORDER BY body_id, day, result "
        "ON CONFLICT (body_id, day, result) DO UPDATE SET count = t.count + EXCLUDED.count;"
    )


def _pg_upsert_registration(sources: list[tuple[int, str]]) -> str:
    parts = [
        f"SELECT r.registering_body_id AS body_id, {_local_day('postgresql', 'r.registered_at')} AS day, "
        f"{sign} AS n, {sign} * (CASE WHEN r.is_repeat THEN 1 ELSE 0 END) AS rep "
        f"FROM {table} r WHERE r.registering_body_id IS NOT NULL"
        for sign, table in sources
    ]
    return (
        f"INSERT INTO {REGISTRATION_TALLY} AS t (body_id, day, total, repeats) "
        f"SELECT body_id, day, SUM(n), SUM(rep) FROM ({' UNION ALL '.join(parts)}) d "
        "GROUP BY body_id, day HAVING SUM(n) <> 0 OR SUM(rep) <> 0 ORDER BY body_id, day "
        "ON CONFLICT (body_id, day) DO UPDATE SET total = t.total + EXCLUDED.total, "
        "repeats = t.repeats + EXCLUDED.repeats;"
    )


def _pg_function(name: str, insert: str, update: str, delete: str) -> str:
    # PL/pgSQL plans a statement when it first runs it, so each branch may name only the transition tables
    # its own trigger declares.
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {insert}
  ELSIF TG_OP = 'UPDATE' THEN
    {update}
  ELSE
    {delete}
  END IF;
  RETURN NULL;
END
$body$;"""


def _pg_install_sql() -> list[str]:
    ev_bodies_changed = (
        "(o.handling_body_id, o.review_body_id, o.rereview_body_id) IS DISTINCT FROM "
        "(n.handling_body_id, n.review_body_id, n.rereview_body_id)"
    )
    functions = [
        _pg_function(
            "analytics_clock_tally",
            _pg_upsert_clock([(1, "new_rows")]),
            _pg_upsert_clock([(-1, "old_rows"), (1, "new_rows")]),
            _pg_upsert_clock([(-1, "old_rows")]),
        ),
        _pg_function(
            "analytics_evaluation_tally",
            _pg_upsert_evaluation([(1, f"new_rows e JOIN {CASE} c ON c.id = e.case_id", "c")]),
            _pg_upsert_evaluation(
                [
                    (-1, f"old_rows e JOIN {CASE} c ON c.id = e.case_id", "c"),
                    (1, f"new_rows e JOIN {CASE} c ON c.id = e.case_id", "c"),
                ]
            ),
            _pg_upsert_evaluation([(-1, f"old_rows e JOIN {CASE} c ON c.id = e.case_id", "c")]),
        ),
        _pg_function(
            "analytics_case_tally",
            _pg_upsert_registration([(1, "new_rows")]),
            _pg_upsert_registration([(-1, "old_rows"), (1, "new_rows")])
            + "\n    "
            # A case's evaluations follow its handling / 复查 / 复核 body (rare: the bodies are settled
            # before anyone is evaluated, but the count must not depend on that).
            + _pg_upsert_evaluation(
                [
                    (
                        -1,
                        f"old_rows o JOIN new_rows n ON n.id = o.id JOIN {EVALUATION} e ON e.case_id = o.id "
                        f"AND {ev_bodies_changed}",
                        "o",
                    ),
                    (
                        1,
                        f"old_rows o JOIN new_rows n ON n.id = o.id JOIN {EVALUATION} e ON e.case_id = n.id "
                        f"AND {ev_bodies_changed}",
                        "n",
                    ),
                ]
            ),
            _pg_upsert_registration([(-1, "old_rows")]),
        ),
        _pg_function(
            "analytics_case_month_tally",
            _pg_upsert_case_month([(1, "new_rows")]),
            _pg_upsert_case_month([(-1, "old_rows"), (1, "new_rows")]),
            _pg_upsert_case_month([(-1, "old_rows")]),
        ),
        _pg_function(
            "analytics_backlog_tally",
            _pg_upsert_backlog([(1, "new_rows")]),
            _pg_upsert_backlog([(-1, "old_rows"), (1, "new_rows")]),
            _pg_upsert_backlog([(-1, "old_rows")]),
        ),
        _pg_function(
            "analytics_act_tally",
            _pg_upsert_act([(1, "new_rows")]),
            _pg_upsert_act([(-1, "old_rows"), (1, "new_rows")]),
            _pg_upsert_act([(-1, "old_rows")]),
        ),
    ]
    triggers = []
    for trigger, table in TRIGGERS.items():
        if trigger in PG_NOT_INSTALLED:
            continue
        op = trigger.rsplit("_", 1)[1]
        function = trigger.rsplit("_", 1)[0]
        event, refs = {
            "ins": ("INSERT", "NEW TABLE AS new_rows"),
            "upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            "del": ("DELETE", "OLD TABLE AS old_rows"),
        }[op]
        triggers.append(
            f"CREATE TRIGGER {trigger} AFTER {event} ON {table} REFERENCING {refs} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        )
    return functions + triggers


def _sqlite_install_sql() -> list[str]:
    def clock_add(r: str) -> str:
        cols = ", ".join(CLOCK_COUNTS)
        vals = ", ".join(_clock_buckets(r))
        update = ", ".join(f"{c} = {c} + excluded.{c}" for c in CLOCK_COUNTS)
        return (
            f"INSERT INTO {CLOCK_TALLY} (body_id, kind, due_on, {cols}) "
            f"SELECT {r}.body_id, {r}.kind, {r}.due_on, {vals} WHERE {r}.body_id IS NOT NULL "
            f"ON CONFLICT (body_id, kind, due_on) DO UPDATE SET {update};"
        )

    def clock_sub(r: str) -> str:
        sets = ", ".join(f"{c} = {c} - ({b})" for c, b in zip(CLOCK_COUNTS, _clock_buckets(r), strict=True))
        return (
            f"UPDATE {CLOCK_TALLY} SET {sets} "
            f"WHERE body_id = {r}.body_id AND kind = {r}.kind AND due_on = {r}.due_on;"
        )

    # A case's evaluations, attributed with the case row `case` (OLD or NEW of a cases_case trigger).
    def ev_add(case: str) -> str:
        judged = _judged(case, "e")
        return (
            f"INSERT INTO {EVALUATION_TALLY} (body_id, day, result, count) "
            f"SELECT {judged}, {_local_day('sqlite', 'e.created_at')}, e.result, COUNT(*) "
            f"FROM {EVALUATION} e WHERE e.case_id = {case}.id AND ({judged}) IS NOT NULL GROUP BY 1, 2, 3 "
            "ON CONFLICT (body_id, day, result) DO UPDATE SET count = count + excluded.count;"
        )

    def ev_sub(case: str) -> str:
        judged = _judged(case, "e")
        t = EVALUATION_TALLY
        return (
            f"UPDATE {t} SET count = count - (SELECT COUNT(*) FROM {EVALUATION} e "
            f"WHERE e.case_id = {case}.id AND ({judged}) = {t}.body_id "
            f"AND {_local_day('sqlite', 'e.created_at')} = {t}.day AND e.result = {t}.result) "
            f"WHERE body_id IN ({case}.handling_body_id, {case}.review_body_id, {case}.rereview_body_id);"
        )

    # A row's own evaluation (NEW / OLD are not tables in SQLite: read it back through a one-row select).
    def ev_row_add(r: str) -> str:
        judged = _judged("c", r)
        return (
            f"INSERT INTO {EVALUATION_TALLY} (body_id, day, result, count) "
            f"SELECT {judged}, {_local_day('sqlite', f'{r}.created_at')}, {r}.result, 1 FROM {CASE} c "
            f"WHERE c.id = {r}.case_id AND ({judged}) IS NOT NULL "
            "ON CONFLICT (body_id, day, result) DO UPDATE SET count = count + excluded.count;"
        )

    def ev_row_sub(r: str) -> str:
        judged = _judged("c", r)
        return (
            f"UPDATE {EVALUATION_TALLY} SET count = count - 1 WHERE body_id = "
            f"(SELECT {judged} FROM {CASE} c WHERE c.id = {r}.case_id) "
            f"AND day = {_local_day('sqlite', f'{r}.created_at')} AND result = {r}.result;"
        )

    def reg_add(r: str) -> str:
        return (
            f"INSERT INTO {REGISTRATION_TALLY} (body_id, day, total, repeats) "
            f"SELECT {r}.registering_body_id, {_local_day('sqlite', f'{r}.registered_at')}, 1, "
            f"CASE WHEN {r}.is_repeat THEN 1 ELSE 0 END WHERE {r}.registering_body_id IS NOT NULL "
            "ON CONFLICT (body_id, day) DO UPDATE SET total = total + excluded.total, "
            "repeats = repeats + excluded.repeats;"
        )

    def reg_sub(r: str) -> str:
        return (
            f"UPDATE {REGISTRATION_TALLY} SET total = total - 1, "
            f"repeats = repeats - (CASE WHEN {r}.is_repeat THEN 1 ELSE 0 END) "
            f"WHERE body_id = {r}.registering_body_id "
            f"AND day = {_local_day('sqlite', f'{r}.registered_at')};"
        )

    def changed(*cols: str) -> str:
        return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in cols)

    def case_month(r: str, sign: str) -> str:
        # WHERE: SQLite's upsert after INSERT … SELECT needs one to parse
        key = ", ".join(CASE_TALLY_KEY)
        return (
            f"INSERT INTO {CASE_TALLY} ({key}, count) "
            f"SELECT {key}, n FROM ({_case_tally_select('sqlite', r, sign)} FROM {_measures_table()} m) WHERE true "
            f"ON CONFLICT ({key}) DO UPDATE SET count = count + excluded.count;"
        )

    def backlog(r: str, sign: str) -> str:
        return (
            f"INSERT INTO {BACKLOG_TALLY} (body_id, day, total, cleared) "
            f"SELECT body_id, day, total, cleared FROM ({_backlog_select('sqlite', r, sign)}) WHERE {r}.is_backlog "
            "ON CONFLICT (body_id, day) DO UPDATE SET total = total + excluded.total, "
            "cleared = cleared + excluded.cleared;"
        )

    def act(r: str, sign: str) -> str:
        return (
            f"INSERT INTO {ACT_TALLY} (body_id, day, action, count) "
            f"SELECT body_id, day, action, n FROM ({_act_select('sqlite', r, sign)}) WHERE {_act_filter(r)} "
            "ON CONFLICT (body_id, day, action) DO UPDATE SET count = count + excluded.count;"
        )

    clock_cols = ("body_id", "kind", "due_on", "is_open", "on_time", "stopped_by")
    case_bodies = ("handling_body_id", "review_body_id", "rereview_body_id")
    body = {
        "analytics_clock_tally_ins": ("INSERT", "", clock_add("NEW")),
        "analytics_clock_tally_upd": ("UPDATE", changed(*clock_cols), clock_sub("OLD") + clock_add("NEW")),
        "analytics_clock_tally_del": ("DELETE", "", clock_sub("OLD")),
        "analytics_evaluation_tally_ins": ("INSERT", "", ev_row_add("NEW")),
        "analytics_evaluation_tally_upd": (
            "UPDATE",
            changed("case_id", "stage", "result", "created_at"),
            ev_row_sub("OLD") + ev_row_add("NEW"),
        ),
        "analytics_evaluation_tally_del": ("DELETE", "", ev_row_sub("OLD")),
        "analytics_case_tally_ins": ("INSERT", "", reg_add("NEW")),
        "analytics_case_tally_upd": (
            "UPDATE",
            changed("registering_body_id", "registered_at", "is_repeat", *case_bodies),
            reg_sub("OLD") + reg_add("NEW") + ev_sub("OLD") + ev_add("NEW"),
        ),
        "analytics_case_tally_del": ("DELETE", "", reg_sub("OLD")),
        "analytics_case_month_tally_ins": ("INSERT", "", case_month("NEW", "1")),
        "analytics_case_month_tally_upd": (
            "UPDATE",
            changed(*CASE_TALLY_COLUMNS),
            case_month("OLD", "-1") + case_month("NEW", "1"),
        ),
        "analytics_case_month_tally_del": ("DELETE", "", case_month("OLD", "-1")),
        "analytics_backlog_tally_ins": ("INSERT", "NEW.is_backlog", backlog("NEW", "1")),
        "analytics_backlog_tally_upd": (
            "UPDATE",
            "(OLD.is_backlog OR NEW.is_backlog) AND ("
            + changed("is_backlog", "state", "handling_body_id", "registering_body_id", "registered_at")
            + ")",
            backlog("OLD", "-1") + backlog("NEW", "1"),
        ),
        "analytics_backlog_tally_del": ("DELETE", "OLD.is_backlog", backlog("OLD", "-1")),
        # every event is inserted, few of them are acts: the WHEN keeps the rest at one comparison
        "analytics_act_tally_ins": ("INSERT", _act_filter("NEW"), act("NEW", "1")),
        "analytics_act_tally_upd": (
            "UPDATE",
            changed("body_id", "occurred_at", "action", "object_type"),
            act("OLD", "-1") + act("NEW", "1"),
        ),
        "analytics_act_tally_del": ("DELETE", _act_filter("OLD"), act("OLD", "-1")),
    }
    out = []
    for trigger, (event, when, statements) in body.items():
        when_sql = f" WHEN {when}" if when else ""
        out.append(
            f"CREATE TRIGGER {trigger} AFTER {event} ON {TRIGGERS[trigger]} FOR EACH ROW{when_sql} "
            f"BEGIN {statements} END;"
        )
    return out


def tally_uninstall(*, using=None) -> None:
    conn = using or default_connection
    with conn.cursor() as cur:
        for trigger, table in TRIGGERS.items():
            if conn.vendor == "postgresql":
                cur.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            else:
                cur.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        if conn.vendor == "postgresql":
            for fn in PG_FUNCTIONS:
                cur.execute(f"DROP FUNCTION IF EXISTS {fn}()")


# —— migrations on SQLite ——
#
# SQLite changes a table's columns by building a new table and renaming it over the old one; the rename checks
# every trigger in the schema, and the evaluation and clock triggers name cases_case, so a migration that
# rebuilds cases_case (or deadlines_clock, evaluation_evaluation) fails ("error in trigger …: no such table"),
# and the rebuilt table's own triggers are lost with the old one. So on SQLite a `migrate` that applies anything
# first drops the triggers (pre_migrate), the tally migrations' installs wait, and post_migrate installs them
# and recounts once at the end (AnalyticsConfig.ready connects both). A migrate killed in between leaves the
# triggers missing: `xinfang doctor` finds and repairs that (analytics.health).

_deferred: set[str] = set()  # database aliases whose trigger install waits for post_migrate


def triggers_off_for_migrate(*, using: str, plan=None, **kwargs) -> None:
    conn = connections[using]
    if conn.vendor != "sqlite" or not plan:
        return
    _deferred.add(using)
    tally_uninstall(using=conn)


def triggers_on_after_migrate(*, using: str, plan=None, **kwargs) -> None:
    if using not in _deferred:
        return
    _deferred.discard(using)
    conn = connections[using]
    if all(_has_table(conn, t) for t in (CLOCK_TALLY, EVALUATION_TALLY, REGISTRATION_TALLY)):
        tally_install_and_rebuild(using=conn)


def tally_install(*, using=None) -> None:
    """(Re)create the triggers; idempotent. Then `tally_rebuild` to count what is already there. During a
    SQLite `migrate` that waits for post_migrate (see above)."""
    conn = using or default_connection
    if conn.alias in _deferred:
        return
    if conn.vendor not in ("postgresql", "sqlite"):
        raise ImproperlyConfigured(f"figure tallies: no triggers for {conn.vendor}")
    with transaction.atomic(using=conn.alias):
        tally_uninstall(using=conn)
        skip = [group for table, group in LATER_TALLIES.items() if not _has_table(conn, table)]
        with conn.cursor() as cur:
            for sql in _pg_install_sql() if conn.vendor == "postgresql" else _sqlite_install_sql():
                # the group's function, or a trigger of the group (named "<group>_ins" …)
                if any(f"{group}()" in sql or f" {group}_" in sql for group in skip):
                    continue
                cur.execute(sql)


def tally_install_and_rebuild(*, using=None) -> None:
    if (using or default_connection).alias in _deferred:
        return  # post_migrate installs and recounts once
    with transaction.atomic(using=(using or default_connection).alias):
        tally_install(using=using)
        tally_rebuild(using=using)
