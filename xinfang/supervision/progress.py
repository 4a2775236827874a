"""清零 progress from a tally (issue 14): `CampaignTally` holds, per campaign × batch × responsible body, how many
items there are, how many were reported (报结: a result given) and how many signed off (销号). Database triggers on
the items keep it — as the figures' tallies are kept (analytics/tally.py), because every write must move it: the
services, an Excel import's bulk insert, `.update()`, the cascade of a deleted campaign, the admin. On
PostgreSQL one statement-level trigger per operation (a bulk insert of 100,000 items adds one GROUP BY); on
SQLite per row. `campaign_tally_rebuild` recounts from the items (after a migration, or `xinfang doctor`)."""

from __future__ import annotations

from django.db import connection, connections, transaction

ITEMS = "supervision_campaigncase"
TALLY = "supervision_campaigntally"
KEY = "campaign_id, batch_id, responsible_body_id"
SQLITE_TRIGGERS = ("campaigntally_ai", "campaigntally_ad", "campaigntally_au")
POSTGRES_TRIGGERS = ("campaigntally_ins", "campaigntally_del", "campaigntally_upd")

_COUNTS = "COUNT(*), COUNT(*) FILTER (WHERE result <> ''), COUNT(*) FILTER (WHERE signed_off_at IS NOT NULL)"


def _sqlite_add(row: str, sign: str) -> str:
    if sign == "+":
        return (
            f"INSERT INTO {TALLY} ({KEY}, total, reported, signed) VALUES ({row}.campaign_id, {row}.batch_id, "
            f"{row}.responsible_body_id, 1, {row}.result <> '', {row}.signed_off_at IS NOT NULL) "
            "ON CONFLICT (campaign_id, batch_id, responsible_body_id) DO UPDATE SET total = total + 1, "
            "reported = reported + excluded.reported, signed = signed + excluded.signed;"
        )
    return (
        f"UPDATE {TALLY} SET total = total - 1, reported = reported - ({row}.result <> ''), "
        f"signed = signed - ({row}.signed_off_at IS NOT NULL) WHERE campaign_id = {row}.campaign_id "
        f"AND batch_id = {row}.batch_id AND responsible_body_id = {row}.responsible_body_id;"
    )


SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS campaigntally_ai AFTER INSERT ON {ITEMS} BEGIN {_sqlite_add('NEW', '+')} END",
    f"CREATE TRIGGER IF NOT EXISTS campaigntally_ad AFTER DELETE ON {ITEMS} BEGIN {_sqlite_add('OLD', '-')} END",
    f"CREATE TRIGGER IF NOT EXISTS campaigntally_au AFTER UPDATE OF campaign_id, batch_id, responsible_body_id, "
    f"result, signed_off_at ON {ITEMS} BEGIN {_sqlite_add('OLD', '-')} {_sqlite_add('NEW', '+')} END",
]

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION supervision_campaigntally_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE {TALLY} t SET total = t.total - d.n, reported = t.reported - d.r, signed = t.signed - d.s
    FROM (SELECT {KEY}, {_COUNTS} FROM old_rows GROUP BY {KEY}) AS d (
      campaign_id, batch_id, responsible_body_id, n, r, s)
    WHERE t.campaign_id = d.campaign_id AND t.batch_id = d.batch_id
      AND t.responsible_body_id = d.responsible_body_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO {TALLY} ({KEY}, total, reported, signed)
    SELECT {KEY}, {_COUNTS} FROM new_rows GROUP BY {KEY} ORDER BY {KEY}
    ON CONFLICT (campaign_id, batch_id, responsible_body_id) DO UPDATE SET
      total = {TALLY}.total + EXCLUDED.total, reported = {TALLY}.reported + EXCLUDED.reported,
      signed = {TALLY}.signed + EXCLUDED.signed;
  END IF;
  RETURN NULL;
END $$
"""
POSTGRES = [
    POSTGRES_FUNCTION,
    f"DROP TRIGGER IF EXISTS campaigntally_ins ON {ITEMS}",
    f"DROP TRIGGER IF EXISTS campaigntally_del ON {ITEMS}",
    f"DROP TRIGGER IF EXISTS campaigntally_upd ON {ITEMS}",
    f"CREATE TRIGGER campaigntally_ins AFTER INSERT ON {ITEMS} REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION supervision_campaigntally_apply()",
    f"CREATE TRIGGER campaigntally_del AFTER DELETE ON {ITEMS} REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION supervision_campaigntally_apply()",
    f"CREATE TRIGGER campaigntally_upd AFTER UPDATE ON {ITEMS} REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION supervision_campaigntally_apply()",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS campaigntally_ins ON {ITEMS}",
    f"DROP TRIGGER IF EXISTS campaigntally_del ON {ITEMS}",
    f"DROP TRIGGER IF EXISTS campaigntally_upd ON {ITEMS}",
    "DROP FUNCTION IF EXISTS supervision_campaigntally_apply()",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]


def campaign_tally_install(conn=None) -> None:
    """The triggers, idempotently (again after every migrate: on SQLite a migration that rebuilds the items'
    table drops its triggers with the old table)."""
    conn = conn or connection
    with conn.cursor() as cursor:
        for sql in POSTGRES if conn.vendor == "postgresql" else SQLITE:
            cursor.execute(sql)


def campaign_tally_drop(conn=None) -> None:
    conn = conn or connection
    with conn.cursor() as cursor:
        for sql in POSTGRES_DROP if conn.vendor == "postgresql" else SQLITE_DROP:
            cursor.execute(sql)


def campaign_tally_rebuild(conn=None) -> None:
    """Recount every campaign's tally from its items."""
    conn = conn or connection
    counts = (
        _COUNTS
        if conn.vendor == "postgresql"
        else "COUNT(*), SUM(result <> ''), SUM(signed_off_at IS NOT NULL)"
    )
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TALLY}")
        cursor.execute(
            f"INSERT INTO {TALLY} ({KEY}, total, reported, signed) "
            f"SELECT {KEY}, {counts} FROM {ITEMS} GROUP BY {KEY}"
        )


def campaign_tally_triggers_missing() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            expected = POSTGRES_TRIGGERS
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = SQLITE_TRIGGERS
        present = {row[0] for row in cursor.fetchall()}
    return [
        f"专项行动进度触发器 {name} 缺失（清零进度将不再随事项更新）"
        for name in expected
        if name not in present
    ]


def campaign_tally_differs() -> list[str]:
    """The tally's non-zero rows against a recount of the items (read only)."""
    counts = (
        _COUNTS
        if connection.vendor == "postgresql"
        else "COUNT(*), SUM(result <> ''), SUM(signed_off_at IS NOT NULL)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {KEY}, total, reported, signed FROM {TALLY} "
            "WHERE total <> 0 OR reported <> 0 OR signed <> 0"
        )
        held = {tuple(int(v) for v in row) for row in cursor.fetchall()}
        cursor.execute(f"SELECT {KEY}, {counts} FROM {ITEMS} GROUP BY {KEY}")
        recount = {tuple(int(v) for v in row) for row in cursor.fetchall()}
    if held == recount:
        return []
    return [
        f"专项行动进度计数与重新计数不符：{len(recount - held)} 行缺失或不同，{len(held - recount)} 行多余"
    ]


def campaign_tally_repair() -> None:
    campaign_tally_install()
    campaign_tally_rebuild()


def tally_on_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: the triggers again (idempotent), once the tally's table exists."""
    conn = connections[using]
    if TALLY in conn.introspection.table_names():
        campaign_tally_install(conn)
