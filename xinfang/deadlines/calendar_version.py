"""The triggers that change CalendarVersion's token on every change of the calendar rows (WorkCalendar.cached()).

Migration 0005 installs them; `migrate` installs them again afterwards (post_migrate, idempotent), because on
SQLite a later migration that rebuilds deadlines_calendarday or deadlines_calendaryear (a new table renamed over
the old one) drops the old table's triggers with it — and a calendar whose token never changes again would be
served from every process's cache until it restarts."""

from __future__ import annotations

from django.db import connections

TABLES = ("deadlines_calendarday", "deadlines_calendaryear")
OPS = ("insert", "update", "delete")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION deadlines_calendar_bump() RETURNS trigger AS $$
BEGIN
  INSERT INTO deadlines_calendarversion (id, token) VALUES (1, (random() * 9007199254740991)::bigint)
  ON CONFLICT (id) DO UPDATE SET token = excluded.token;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGER = """
DROP TRIGGER IF EXISTS {table}_bump ON {table};
CREATE TRIGGER {table}_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
  FOR EACH STATEMENT EXECUTE FUNCTION deadlines_calendar_bump();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS {table}_bump_{op} AFTER {op} ON {table} BEGIN
  INSERT INTO deadlines_calendarversion (id, token) VALUES (1, random())
  ON CONFLICT (id) DO UPDATE SET token = excluded.token;
END;
"""
ROW = "INSERT INTO deadlines_calendarversion (id, token) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"


def calendar_triggers_install(conn) -> bool:
    """Install the token row and the triggers where they are missing; False when the tables are not there."""
    if not {"deadlines_calendarversion", *TABLES} <= set(conn.introspection.table_names()):
        return False
    with conn.cursor() as cur:
        cur.execute(ROW)
        if conn.vendor == "postgresql":
            cur.execute(PG_FUNCTION)
            for table in TABLES:
                cur.execute(PG_TRIGGER.format(table=table))
        elif conn.vendor == "sqlite":
            for table in TABLES:
                for op in OPS:
                    cur.execute(SQLITE_TRIGGER.format(table=table, op=op))
    return True


def after_migrate(sender, using="default", **kwargs) -> None:
    calendar_triggers_install(connections[using])
