"""The event log as evidence: a hash chain over every event, database triggers that refuse to change or
delete one, and a check that finds a row edited or deleted behind the application's back.

Each event carries `chain_seq` (1, 2, 3, … with no gaps), `chain_prev` (the previous event's hash) and
`chain_hash` = SHA-256 over its own content and `chain_prev`. Editing a row breaks its hash; deleting one
leaves a gap in the sequence and a `chain_prev` that points at nothing; reordering breaks the links.

Writers take turns for the chain: on PostgreSQL a transaction-scoped advisory lock is taken before the last
link is read and held until commit, so two transactions writing events at once never chain to the same
predecessor (the second waits for the first to commit). SQLite runs one writer at a time already
(IMMEDIATE transactions, config/settings/base.py).

Rows written in bulk by raw SQL (`xinfang generate`) arrive unchained and are sealed afterwards
(`event_chain_seal`); the triggers allow exactly that one change to a row — filling in its chain fields,
its content untouched — and nothing else. What no chain can show is the loss of the newest rows: record
the head (`xinfang audit head`) somewhere else now and then, and `audit verify --head SEQ:HASH` checks it.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.db import connection, connections, router, transaction

from xinfang.core.models import Event

GENESIS = "0" * 64
# pg_advisory_xact_lock key for the chain ("xinf").
CHAIN_LOCK = 0x78696E66
CONTENT_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "body_id",
    "object_type",
    "object_id",
    "action",
    "old_values",
    "new_values",
    "reason",
    "legal_basis",
)


def _canonical_json(value: Any) -> Any:
    """JSON as the database gives it back: dict keys as text, tuples as lists, whole floats as integers
    (PostgreSQL's jsonb prints 1e20 as 100000000000000000000)."""
    if isinstance(value, dict):
        return {str(k): _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_json(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# JSON of a value already as the database gives it back: its canonical form is itself (_plain_json).
_PLAIN_SCALARS = (str, int, bool, type(None))


def _plain_json(value: Any) -> bool:
    """True when `_canonical_json(json.loads(json.dumps(value)))` would print as `value` prints: text (str
    subclasses print as text), ints, booleans, None, lists and dicts with text keys of these. A tuple, a
    float or a key of another type takes the round trip (it may print differently after it)."""
    kind = type(value)
    if kind is dict:
        for k, v in value.items():  # loops, not all(): this runs for every event written
            if type(k) is not str or not (type(v) in _PLAIN_SCALARS or _plain_json(v)):
                return False
        return True
    if kind is list:
        for v in value:  # noqa: SIM110
            if not (type(v) in _PLAIN_SCALARS or _plain_json(v)):
                return False
        return True
    return isinstance(value, str) or kind in _PLAIN_SCALARS


def _utc_text(value: Any) -> str:
    at = value.astimezone(UTC)
    if at.year >= 1000:  # isoformat pads the year to four digits, %Y does not: the same text from here on
        return at.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_content(value: Any) -> Any:
    value = value or {}
    return value if _plain_json(value) else _canonical_json(json.loads(json.dumps(value)))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def event_content(values: dict[str, Any]) -> dict[str, Any]:
    """The hashed part of an event (CONTENT_FIELDS), from its attribute values (an Event's __dict__ or a
    values() row)."""
    actor, body = values["actor_id"], values["body_id"]
    return {
        "occurred_at": _utc_text(values["occurred_at"]),
        "actor_id": None if actor is None else int(actor),
        "actor_label": _text(values["actor_label"]),
        "body_id": None if body is None else int(body),
        "object_type": _text(values["object_type"]),
        "object_id": _text(values["object_id"]),
        "action": _text(values["action"]),
        "old_values": _json_content(values["old_values"]),
        "new_values": _json_content(values["new_values"]),
        "reason": _text(values["reason"]),
        "legal_basis": _text(values["legal_basis"]),
    }


_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
# The content's keys that sort after "prev" (JSON keys are sorted): they follow the link in the hashed text.
_AFTER_PREV = tuple(sorted(k for k in CONTENT_FIELDS if k > "prev"))


def event_payload_parts(values: dict[str, Any]) -> tuple[str, str]:
    """The hashed text of an event is `head + JSON(prev) + tail`: its content and the previous link
    as one JSON object with sorted keys. The two parts need no chain, so they can be made before the link
    is known (and away from the writer: xinfang generate builds them in another process)."""
    content = event_content(values)
    after = {k: content.pop(k) for k in _AFTER_PREV}
    return _ENCODE(content)[:-1] + ',"prev":', "," + _ENCODE(after)[1:]


def event_digest_of_parts(parts: tuple[str, str], prev: str) -> str:
    return hashlib.sha256(f"{parts[0]}{_ENCODE(prev)}{parts[1]}".encode()).hexdigest()


def event_digest(values: dict[str, Any], prev: str) -> str:
    return event_digest_of_parts(event_payload_parts(values), prev)


def _lock_chain(pending: list[int] | None = None) -> set[int] | None:
    """The chain lock (PostgreSQL: SQLite has one writer at a time). With ``pending``, the ids of events this
    transaction inserted unlinked (events_chained_last): which of them still exist — a rolled-back savepoint
    takes rows away — read in the same statement (one round trip fewer per action) and returned."""
    if connection.vendor != "postgresql":
        return (
            None
            if pending is None
            else set(Event.objects.filter(pk__in=pending).values_list("pk", flat=True))
        )
    with connection.cursor() as cur:
        if pending is None:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
            return None
        cur.execute(
            "SELECT pg_advisory_xact_lock(%s), ARRAY(SELECT id FROM core_event WHERE id = ANY(%s))",
            [CHAIN_LOCK, pending],
        )
        return set(cur.fetchone()[1])


def _chain_head() -> tuple[int, str]:
    """The newest link: one statement on the unique chain_seq index (written out: it runs once per event)."""
    with connections[router.db_for_read(Event)].cursor() as cur:
        cur.execute(
            "SELECT chain_seq, chain_hash FROM core_event WHERE chain_seq IS NOT NULL"
            " ORDER BY chain_seq DESC LIMIT 1"
        )
        last = cur.fetchone()
    return (last[0], last[1]) if last else (0, GENESIS)


def event_chain_link(events, *, locked: bool = False) -> None:
    """Give new (unsaved) events their place in the chain. Call inside the transaction that inserts them:
    the lock is held until it ends (``locked``: the caller has taken it)."""
    event_chain_link_values((event.__dict__ for event in events), locked=locked)


def event_chain_link_values(rows, *, locked: bool = False) -> None:
    """event_chain_link for rows as dicts by attname (an Event's __dict__, or a bulk writer's row about to be
    written): sets `chain_seq`, `chain_prev` and `chain_hash` in each, in the order given."""
    rows = list(rows)
    links = event_chain_links([event_payload_parts(row) for row in rows], locked=locked)
    for row, (seq, prev, digest) in zip(rows, links, strict=True):
        row["chain_seq"], row["chain_prev"], row["chain_hash"] = seq, prev, digest


def event_chain_links(parts: list[tuple[str, str]], *, locked: bool = False) -> list[tuple[int, str, str]]:
    """The links of new events whose hashed text is made already (event_payload_parts, each in the order
    they are inserted): `(chain_seq, chain_prev, chain_hash)` of each, after the chain's head. Call inside
    the transaction that inserts them: the lock is held until it ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_chain_link needs the inserting transaction")
    if not locked:
        _lock_chain()
    seq, prev = _chain_head()
    links = []
    for head_tail in parts:
        seq += 1
        digest = event_digest_of_parts(head_tail, prev)
        links.append((seq, prev, digest))
        prev = digest
    return links


@contextmanager
def events_chained_last():
    """Around the body of a service's transaction (``with transaction.atomic(), events_chained_last():``): on
    PostgreSQL the events written inside are inserted without their link, and at the block's end — the last
    statements before COMMIT — the chain lock is taken, the head read and the links filled in (the one change
    the append-only trigger allows). The lock, which serialises every writer of events, is then held for those
    few statements and the commit, not from the action's first event through its notices and documents.

    SQLite has one writer at a time anyway (IMMEDIATE transactions): nothing changes there. Nested (a service
    inside another's block), the outermost block chains. A row a rolled-back savepoint took away is not linked,
    so the sequence has no gap. Raises (nothing chained, the transaction rolls back) as the block does."""
    conn = transaction.get_connection()
    if conn.vendor != "postgresql" or getattr(conn, "chain_pending", None) is not None:
        yield
        return
    if not conn.in_atomic_block:
        raise RuntimeError("events_chained_last needs the inserting transaction")
    conn.chain_pending = pending = []
    try:
        yield
    finally:
        conn.chain_pending = None
    if pending:
        _link_pending(conn, pending)


def _link_pending(conn, events) -> None:
    kept = _lock_chain([e.pk for e in events])  # the lock, and which of the rows still exist
    events = [e for e in events if e.pk in (kept or ())]
    if not events:
        return
    event_chain_link(events, locked=True)  # the head, the digests
    with conn.cursor() as cur:
        cur.executemany(
            "UPDATE core_event SET chain_seq = %s, chain_prev = %s, chain_hash = %s WHERE id = %s",
            [(e.chain_seq, e.chain_prev, e.chain_hash, e.pk) for e in events],
        )


def event_chain_seal(*, batch: int = 5000) -> int:
    """Chain the events written without one (bulk loads), oldest first; returns how many."""

    sealed = 0
    while True:
        with transaction.atomic():
            _lock_chain()
            rows = list(
                Event.objects.filter(chain_seq__isnull=True)
                .order_by("occurred_at", "id")
                .values("id", *CONTENT_FIELDS)[:batch]
            )
            if not rows:
                return sealed
            seq, prev = _chain_head()
            updates = []
            for row in rows:
                seq += 1
                digest = event_digest(row, prev)
                updates.append((seq, prev, digest, row["id"]))
                prev = digest
            with connection.cursor() as cur:
                cur.executemany(
                    "UPDATE core_event SET chain_seq = %s, chain_prev = %s, chain_hash = %s WHERE id = %s",
                    updates,
                )
            sealed += len(rows)


@dataclass
class ChainReport:
    checked: int = 0
    head: tuple[int, str] = (0, GENESIS)
    unsealed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def event_chain_verify(*, expect_head: tuple[int, str] | None = None, chunk: int = 2000) -> ChainReport:
    """Walk the chain in order and say every row that was edited, deleted or moved."""

    report = ChainReport()
    expected_seq, prev = 1, GENESIS
    rows = (
        Event.objects.filter(chain_seq__isnull=False)
        .order_by("chain_seq")
        .values("id", "chain_seq", "chain_prev", "chain_hash", *CONTENT_FIELDS)
    )
    for row in rows.iterator(chunk_size=chunk):
        seq = row["chain_seq"]
        if seq != expected_seq:
            report.problems.append(
                f"缺失：第 {expected_seq}–{seq - 1} 条事件不见了（在事件 #{row['id']} 之前）"
                if seq > expected_seq
                else f"序号重复或倒退：事件 #{row['id']} 的序号为 {seq}"
            )
        if row["chain_prev"] != prev:
            report.problems.append(f"断链：事件 #{row['id']}（序号 {seq}）所指的前一条不是链上的前一条")
        if event_digest(row, row["chain_prev"]) != row["chain_hash"]:
            report.problems.append(f"被改动：事件 #{row['id']}（序号 {seq}）的内容与其散列不符")
        prev, expected_seq = row["chain_hash"], seq + 1
        report.checked += 1
    report.head = (expected_seq - 1, prev)
    report.unsealed = Event.objects.filter(chain_seq__isnull=True).count()
    if expect_head is not None:
        seq, digest = expect_head
        at = Event.objects.filter(chain_seq=seq).values_list("chain_hash", flat=True).first()
        if at != digest:
            report.problems.append(f"链头不符：记录的第 {seq} 条事件不在或已被改动（最新的事件被删除？）")
    return report


# ------------------------------------------------------------------------------------ database triggers

# PostgreSQL: refuse UPDATE and DELETE, except sealing an unchained row (its content unchanged).
PG_TRIGGER = """
CREATE OR REPLACE FUNCTION core_event_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL AND NEW.id = OLD.id
     AND (NEW.occurred_at, NEW.actor_id, NEW.actor_label, NEW.body_id, NEW.object_type, NEW.object_id,
          NEW.action, NEW.old_values, NEW.new_values, NEW.reason, NEW.legal_basis)
         IS NOT DISTINCT FROM
         (OLD.occurred_at, OLD.actor_id, OLD.actor_label, OLD.body_id, OLD.object_type, OLD.object_id,
          OLD.action, OLD.old_values, OLD.new_values, OLD.reason, OLD.legal_basis) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'core_event is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_event_no_update ON core_event;
CREATE TRIGGER core_event_no_update BEFORE UPDATE OR DELETE ON core_event
  FOR EACH ROW EXECUTE FUNCTION core_event_append_only();
"""

_SAME = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in ("id", *CONTENT_FIELDS))
# SQLite: the same rule. A DELETE is let through only while Django's `flush` empties every table (tests,
# xinfang/core/management/commands/flush.py): the connection's xinfang_flushing() says so; a connection
# without that function (the sqlite3 shell) cannot delete at all.
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS core_event_no_update BEFORE UPDATE ON core_event
    WHEN NOT (OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL AND {_SAME})
    BEGIN SELECT RAISE(ABORT, 'core_event is append-only (UPDATE refused)'); END""",
    """CREATE TRIGGER IF NOT EXISTS core_event_no_delete BEFORE DELETE ON core_event
    WHEN NOT xinfang_flushing()
    BEGIN SELECT RAISE(ABORT, 'core_event is append-only (DELETE refused)'); END""",
]


def event_triggers_install(conn) -> None:
    """Create (or re-create) the append-only triggers; idempotent. Run after every migrate, because SQLite
    rebuilds a table to alter it and the rebuilt table has no triggers."""
    tables = conn.introspection.table_names()
    if "core_event" not in tables:
        return
    columns = {c.name for c in conn.introspection.get_table_description(conn.cursor(), "core_event")}
    if "chain_seq" not in columns:
        return  # an older schema (mid-migration); the chain migration installs them
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            # Already there (the usual case after a migrate): leave it, so the app role may run migrate
            # once `audit protect` gave the function and the table to another owner.
            cur.execute(
                "SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgname = %s"
                " AND t.tgrelid = 'core_event'::regclass AND p.prosrc LIKE %s",
                ["core_event_no_update", "%chain_seq%"],
            )
            if cur.fetchone() is None:
                cur.execute(PG_TRIGGER)
        elif conn.vendor == "sqlite":
            for sql in SQLITE_TRIGGERS:
                cur.execute(sql)


# ------------------------------------------------------------------ PostgreSQL: the app role cannot edit


def event_table_protect(*, app_role: str, owner_role: str) -> list[str]:
    """Make `owner_role` (created NOLOGIN if missing) own core_event, and leave `app_role` only SELECT and
    INSERT on it: no UPDATE, DELETE or TRUNCATE, and no way to drop the trigger (only the owner may). Run
    as a superuser or the database owner. Returns the statements run."""
    from psycopg import sql  # PostgreSQL only: this path never runs on SQLite

    if connection.vendor != "postgresql":
        raise RuntimeError("只有 PostgreSQL 支持按角色收回权限；SQLite 依靠触发器和散列链。")
    ident = sql.Identifier
    statements = []
    with connection.cursor() as cur:
        # ALTER TABLE waits for nothing: deferred foreign-key checks of this transaction run now
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [owner_role])
        if cur.fetchone() is None:
            statements.append(sql.SQL("CREATE ROLE {} NOLOGIN").format(ident(owner_role)))
        statements += [
            sql.SQL("ALTER TABLE core_event OWNER TO {}").format(ident(owner_role)),
            sql.SQL("ALTER FUNCTION core_event_append_only() OWNER TO {}").format(ident(owner_role)),
            sql.SQL("REVOKE ALL ON core_event FROM {}").format(ident(app_role)),
            sql.SQL("GRANT SELECT, INSERT ON core_event TO {}").format(ident(app_role)),
        ]
        cur.execute(
            "SELECT pg_get_serial_sequence('core_event', 'id')",
        )
        seq = cur.fetchone()[0]
        if seq:
            statements.append(
                sql.SQL("GRANT USAGE, SELECT ON SEQUENCE {} TO {}").format(sql.SQL(seq), ident(app_role))
            )
        done = []
        for statement in statements:
            cur.execute(statement)
            done.append(statement.as_string(cur.connection))
    return done


# ------------------------------------------------------------------ SQLite: the flush exception, per thread

_flushing = __import__("threading").local()


class flushing:
    """While Django's flush empties every table (tests): the SQLite delete trigger lets rows go."""

    def __enter__(self):
        _flushing.on = True

    def __exit__(self, *exc):
        _flushing.on = False


def sqlite_functions_register(conn) -> None:
    if conn.vendor == "sqlite" and conn.connection is not None:
        conn.connection.create_function("xinfang_flushing", 0, lambda: int(getattr(_flushing, "on", False)))


def on_connection_created(sender, connection, **kwargs) -> None:
    sqlite_functions_register(connection)


def on_post_migrate(sender, using="default", **kwargs) -> None:

    conn = connections[using]
    conn.ensure_connection()
    sqlite_functions_register(conn)
    event_triggers_install(conn)
