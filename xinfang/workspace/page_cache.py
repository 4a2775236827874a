"""The rendered case page, kept per (what the page shows, who looks, in what language, on which day) — issue 14,
ADR 0020.

A repeat view of `/cases/<pk>/` skips the ~15 ORM queries and the template: one SQL statement decides, for
this actor and this moment, whether the case is visible (the WHERE of `cases_visible_to`, compiled by the ORM
once per acting body and reused) and reads the case's **fingerprint** — the case row itself and a compact
copy of every related row the page shows (its events, clocks, petitioners and their persons, attachments,
notices, documents and their service, drafts, referrals, 协办 bodies, repeats and the case it repeats). The
page is looked up under a key made of that fingerprint, the user and the acting body with its roles, the
language, today's date (the lights), the path and the code's own version, and it is served only if the
reference data (body, region, category, organisation, user names, the holiday calendar) has not changed since
it was stored. What is never in a stored page: the CSRF token and the CSP nonce (placeholders, filled in per
response), flash messages (a request with any pending is rendered afresh), a bound form or an error (only the
plain GET is cached), a revealed personal datum (htmx, another URL), a query string (rendered afresh).

Every request still authenticates (the session and user middleware), decides visibility now (404 when the
case is not visible to this actor at this moment), and writes its read event to the outbox.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import NamedTuple

import psycopg
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connections, router
from django.db.backends.utils import CursorDebugWrapper
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from xinfang.cases.models import Case
from xinfang.cases.selectors import CASE_RELATED, cases_unscoped, cases_visible_to
from xinfang.core.outbox import event_record_later
from xinfang.deadlines.calendar import local_date
from xinfang.orgs.acting import Actor
from xinfang.orgs.middleware import SESSION_KEY

CSRF_MARK = b"\x00xf-csrf\x00"  # a NUL never survives a form field (Django refuses it) nor a template
NONCE_MARK = b"\x00xf-nonce\x00"
REFGEN_KEY = "xinfang:case-page:refgen"
KEY_PREFIX = "xinfang:case-page:"
# The reference data a case page names but no case row carries: a change to any of these makes every stored
# page stale (a new generation). Saves that touch only `last_login` are left out (every login does one).
REFERENCE_MODELS = (
    "orgs.Body",
    "orgs.Region",
    "orgs.User",
    "cases.Category",
    "resolution.Organisation",
    "deadlines.CalendarDay",
    "deadlines.CalendarYear",
)
RENDER_SETTINGS = (
    "XINFANG_YELLOW_DAYS",
    "XINFANG_COUNT_WORKING_DAYS_ONLY",
    "XINFANG_EVALUATION_WINDOW_DAYS",
    "TIME_ZONE",
    "LANGUAGE_CODE",
)
_SENTINEL = -7_354_921_886_301  # a pk no case has: where the compiled visibility query takes the case's id
_visible_sql: dict[tuple, tuple[str, tuple, int]] = {}


def enabled() -> bool:
    return getattr(settings, "XINFANG_CASE_PAGE_CACHE", True)


def _code_version() -> str:
    """The running code: a stored page from another release is never served (a shared Redis outlives a
    deploy). The newest modification time and the count of the package's source and template files."""
    root = Path(__file__).resolve().parents[1]
    newest, count = 0.0, 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith((".py", ".html", ".mo")):
                newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime)
                count += 1
    # and the settings that change what a page says (lights, windows)
    shown = [getattr(settings, name, None) for name in RENDER_SETTINGS]
    return f"{newest:.3f}-{count}-{shown}"


CODE_VERSION = _code_version()


# ------------------------------------------------------------------------------------------ fingerprint


def _concat(vendor: str, *columns: str) -> str:
    """Columns as one text value, NULL spelt out (a NULL would blank the whole concatenation)."""
    return " || ':' || ".join(f"COALESCE(CAST({c} AS TEXT), '~')" for c in columns)


def _agg(vendor: str, expression: str, order: str) -> str:
    """The rows' values in one text value (the order only keeps equal data equal; it is no part of safety)."""
    if vendor == "postgresql":
        return f"STRING_AGG({expression}, ',' ORDER BY {order})"
    return f"GROUP_CONCAT({expression}, ',')"


def _table(label: str) -> str:
    return apps.get_model(label)._meta.db_table


def fingerprint_sql(vendor: str) -> str:
    """Everything the case page shows that is not reference data, for the case `c`: a change to any of it
    changes the result. Every source of the template and its inclusion tags is here (docs/adr/0020)."""
    cat = lambda *cols: _concat(vendor, *cols)  # noqa: E731
    agg = lambda expr, order: _agg(vendor, expr, order)  # noqa: E731
    event, person = _table("core.Event"), _table("people.Person")
    petitioner, attachment = _table("cases.CasePetitioner"), _table("cases.Attachment")
    notice, clock = _table("cases.Notice"), _table("deadlines.Clock")
    document, service = _table("documents.Document"), _table("documents.Service")
    draft, referral = _table("documents.Draft"), _table("resolution.Referral")
    co_bodies = Case.co_bodies.through._meta.db_table
    case = Case._meta.db_table
    order = 'cp."order"'  # a reserved word
    columns = [
        # the case's history: append-only, so its newest id and count say all (reads are not shown)
        f"SELECT {cat('COUNT(*)', 'MAX(e.id)')} FROM {event} e WHERE e.object_type = %s AND e.object_id = %s "
        "AND e.action <> 'read'",
        f"SELECT {agg(cat('cp.id', 'cp.person_id', 'cp.is_representative', order, 'p.updated_at'), 'cp.id')}"
        f" FROM {petitioner} cp JOIN {person} p ON p.id = cp.person_id WHERE cp.case_id = c.id",
        f"SELECT {agg(cat('a.id', 'a.name', 'a.size'), 'a.id')} FROM {attachment} a WHERE a.case_id = c.id",
        f"SELECT {agg(cat('n.id', 'n.issued_by_id', 'n.next_right_deadline', 'n.next_right'), 'n.id')}"
        f" FROM {notice} n WHERE n.case_id = c.id",
        "SELECT "
        + agg(
            cat(
                "k.id",
                "k.kind",
                "k.body_id",
                "k.started_on",
                "k.days",
                "k.extension_days",
                "k.pauses",
                "k.paused_since",
                "k.due_on",
                "k.beyond_known_calendar",
                "k.counted",
                "k.is_open",
                "k.stopped_on",
                "k.on_time",
            ),
            "k.id",
        )
        + f" FROM {clock} k WHERE k.case_id = c.id",
        f"SELECT {agg(cat('d.id', 'd.issued_by_id', 's.id', 's.method', 's.tracking_number', 's.received_on'), 'd.id')}"
        f" FROM {document} d LEFT JOIN {service} s ON s.document_id = d.id WHERE d.case_id = c.id",
        f"SELECT {agg(cat('r.id', 'r.status', 'r.decided_at', 'r.drafted_by_id'), 'r.id')}"
        f" FROM {draft} r WHERE r.case_id = c.id",
        f"SELECT {agg(cat('f.id', 'f.updated_at'), 'f.id')} FROM {referral} f WHERE f.case_id = c.id",
        f"SELECT {agg(cat('b.body_id'), 'b.body_id')} FROM {co_bodies} b WHERE b.case_id = c.id",
        # repeats and the case repeated: whether the actor may see them is decided from their rows
        f"SELECT {agg(cat('x.id', 'x.version', 'x.updated_at'), 'x.id')} FROM {case} x WHERE x.repeat_of_id = c.id",
        f"SELECT {cat('x.version', 'x.updated_at')} FROM {case} x WHERE x.id = c.repeat_of_id",
    ]
    subqueries = ",\n  ".join(f"({q})" for q in columns)
    # who is acting, as the database has it now: the roles the user holds at the acting body, and that body
    membership, body, region = _table("orgs.Membership"), _table("orgs.Body"), _table("orgs.Region")
    actor = (
        f"(SELECT {agg('m.role', 'm.role')} FROM {membership} m WHERE m.user_id = %s AND m.body_id = %s),\n  "
        f"(SELECT COUNT(DISTINCT m.body_id) FROM {membership} m WHERE m.user_id = %s),\n  "
        f"(SELECT {cat('b.kind', 'b.path', 'b.name', 'g.path')} FROM {body} b JOIN {region} g ON g.id = b.region_id"
        " WHERE b.id = %s)"
    )
    # the case row whole, as named columns: a column added by a migration while a worker runs leaves its
    # prepared statement valid (PostgreSQL refuses a `c.*` whose row type changed since it was prepared)
    row = ", ".join(f'c."{f.column}"' for f in Case._meta.concrete_fields)
    return (
        f"SELECT {actor},\n  {row},\n  {subqueries}\nFROM {case} c WHERE c.id = %s AND c.id IN ({{visible}})"
    )


def _statement(actor) -> tuple[str, tuple, int]:
    """The fingerprint statement with the visibility test of `cases_visible_to(actor)` for one case, compiled
    by the ORM once per acting body (its parameters depend on nothing but the body's id, kind, path and
    region path, all in the key): the SQL, its parameters, and which of them is the case's id."""
    body = actor.body
    db = router.db_for_read(Case)
    key = (db, body.pk, body.kind, body.path, body.region.path)
    found = _visible_sql.get(key)
    if found is None:
        qs = cases_visible_to(actor).filter(pk=_SENTINEL).values("pk")
        sql, params = qs.query.get_compiler(using=db).as_sql()
        sql, params = patterns_inlined(sql, params)
        where = [i for i, p in enumerate(params) if p == _SENTINEL]
        assert len(where) == 1, "the case's id is one parameter of the visibility query"
        if len(_visible_sql) > 1000:
            _visible_sql.clear()
        vendor = connections[db].vendor
        found = _visible_sql[key] = (
            fingerprint_sql(vendor).replace("{visible}", sql),
            tuple(params),
            where[0],
        )
    return found


# A "bodies under this one" prefix as the paths are written (region codes, body codes, slashes), and nothing
# that could end a string literal or escape in one: only such a pattern is written into the statement.
_PATH_PATTERN = re.compile(r"[0-9A-Za-z/.\-]*%")


def patterns_inlined(sql: str, params) -> tuple[str, list]:
    """The statement with each `LIKE %s` pattern of a path prefix written in as a literal, the other
    parameters still bound. SQLite re-prepares a statement whose LIKE pattern is a bound parameter every time
    that parameter is bound (the plan may depend on the pattern: the LIKE optimisation), so the page's
    statement, with the six "bodies under" tests of `cases_visible_to`, was parsed and planned on every view
    (≈ 0.6 ms of its 0.75 ms). The pattern is fixed per acting body, and so is the statement
    (`_statement`). The same text on PostgreSQL, whose plan of a prepared statement then knows the prefix."""
    pieces = sql.split("%s")
    if len(pieces) != len(params) + 1 or "%%" in sql:
        return sql, list(params)  # not the shape expected: left as the ORM wrote it (correct, slower)
    out, kept = [pieces[0]], []
    for value, after in zip(params, pieces[1:], strict=True):
        if isinstance(value, str) and out[-1].rstrip().endswith("LIKE") and _PATH_PATTERN.fullmatch(value):
            out.append("'" + value.replace("%", "%%") + "'")
        else:
            out.append("%s")
            kept.append(value)
        out.append(after)
    return "".join(out), kept


class _PreparedCursor(psycopg.Cursor):
    """A psycopg cursor binding its parameters in the server and executing each statement prepared: the
    server parses and plans the page's statement (≈ 60 subqueries) once per connection and statement, not on
    every view. Django's own cursors bind on the client (`server_side_binding` off) and never prepare."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _PreparedDebugCursor(CursorDebugWrapper):
    """Django's query log (DEBUG, `CaptureQueriesContext`, the tests' query counts) for the prepared statement:
    its text as written. Django's `last_executed_query` reads psycopg's client-side query text, which a
    statement bound and prepared in the server does not have (the log got None)."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params, use_last_executed_query=False):
            return super(CursorDebugWrapper, self).execute(sql, params)


def _cursor(connection):
    """Django's cursor for the page's statement — through Django's wrapper, so it is counted and logged as
    any query — prepared on PostgreSQL where the connection allows it (`prepare_threshold` set: the default
    with `XINFANG_CASE_PAGE_PREPARE`, off behind a pooler in transaction mode, config/settings/base.py)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.validate_thread_sharing()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        return connection.cursor()
    cursor = _PreparedCursor(connection.connection)
    if connection.queries_logged:
        return _PreparedDebugCursor(cursor, connection)
    return connection.make_cursor(cursor)


class Found(NamedTuple):
    digest: str  # what the page shows
    roles: frozenset[str]  # the roles the user holds at the acting body now
    body: str  # the acting body's kind, path, name and region path now
    bodies: int  # how many bodies the user is a member of (one: the session need not name it)


def case_fingerprint(actor, pk: int) -> Found | None:
    """None when the case is not visible to `actor` (the caller answers 404 — after checking `actor` is who
    the database says, see `actor_current`), else a digest of what the page shows and the actor as the
    database has it. One SQL statement: the visibility test and the reads are the same snapshot."""
    if actor.body is None:
        return None
    connection = connections[router.db_for_read(Case)]
    sql, params, where = _statement(actor)
    args = list(params)
    args[where] = pk
    body = actor.body
    with _cursor(connection) as cursor:
        cursor.execute(
            sql, [actor.user.pk, body.pk, actor.user.pk, body.pk, Case._meta.label_lower, str(pk), pk, *args]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    roles = frozenset((row[0] or "").split(",")) - {""}
    return Found(hashlib.sha256(repr(row).encode()).hexdigest(), roles, row[2] or "", row[1])


def _body_text(body) -> str:
    return ":".join((body.kind, body.path, body.name, body.region.path))


def actor_current(request, actor, found: Found) -> bool:
    """The actor the statement was asked for is the one the database has now (as ActingBodyMiddleware would
    find it): same roles at the same body, the body unchanged (kind, path and region decide what it sees),
    and — where the session names no body — still the user's only one. Else its answer is not used."""
    return (
        bool(found.roles)
        and found.roles == actor.roles
        and found.body == _body_text(actor.body)
        and (request.session.get(SESSION_KEY) is not None or found.bodies == 1)
    )


# ------------------------------------------------------------------------------------------ the actor

# (user id, body id) → (body, roles), as the last full request of this process read them. Only a guess: a
# stored page is served only when the fingerprint statement finds the same roles and body in the database.
_actors: dict[tuple[int, int], tuple] = {}


def actor_remember(request, actor) -> None:
    if len(_actors) > 10000:
        _actors.clear()
    _actors[(actor.user.pk, request.session.get(SESSION_KEY))] = (actor.body, actor.roles)


def actor_remembered(request) -> Actor | None:
    """The actor of this session as last seen in this process, or None (then the full request runs)."""
    found = _actors.get((request.user.pk, request.session.get(SESSION_KEY)))
    if found is None:
        return None
    return Actor(user=request.user, body=found[0], roles=found[1])


# ------------------------------------------------------------------------------------------ the store


def usable(request) -> bool:
    """Only the plain GET: no query string, no flash message waiting to be shown."""
    return (
        enabled()
        and request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and not len(get_messages(request))
    )


def page_key(request, actor, pk: int, fingerprint: str) -> str:
    user = actor.user
    parts = (
        CODE_VERSION,
        pk,
        fingerprint,
        user.pk,
        user.get_full_name(),
        actor.body.pk,
        actor.body.name,
        actor.body.kind,
        tuple(sorted(actor.roles)),
        get_language(),
        timezone.get_current_timezone_name(),
        local_date(timezone.now()).isoformat(),  # the lights and the lapsed windows count from today
        request.path,
    )
    return KEY_PREFIX + hashlib.sha256(repr(parts).encode()).hexdigest()


def lookup(key: str) -> tuple[bytes | None, str]:
    """The stored page, if it was stored under the reference data of now, and that generation."""
    found = cache.get_many([REFGEN_KEY, key])
    generation = found.get(REFGEN_KEY)
    if generation is None:
        cache.add(REFGEN_KEY, secrets.token_hex(8), timeout=None)
        return None, cache.get(REFGEN_KEY)
    entry = found.get(key)
    if entry is None or entry[0] != generation:
        return None, generation
    return entry[1], generation


def store(key: str, request, response: HttpResponse, csrf_token: str, generation: str) -> None:
    """Keep the page with this response's CSRF token and CSP nonce taken out."""
    if response.status_code != 200 or response.streaming:
        return
    content = response.content.replace(csrf_token.encode(), CSRF_MARK)
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        content = content.replace(nonce.encode(), NONCE_MARK)
    cache.set(key, (generation, content), timeout=settings.XINFANG_CASE_PAGE_CACHE_SECONDS)


def respond(request, content: bytes) -> HttpResponse:
    """The stored page with this request's own CSRF token and CSP nonce."""
    content = content.replace(CSRF_MARK, get_token(request).encode())
    if NONCE_MARK in content:
        content = content.replace(NONCE_MARK, str(request.csp_nonce).encode())
    return HttpResponse(content)


def case_read(actor, pk: int) -> Case | None:
    """A first view: the case whose visibility `case_fingerprint` decided a moment ago in this request (the
    WHERE of `cases_visible_to`, for this actor, now), read by its id without deciding it a second time (the
    visibility query was a third of an uncached page), and its read event. None if it is gone since."""
    case = (
        cases_unscoped(
            reason="case page: visibility decided in this request by case_fingerprint (cases_visible_to)"
        )
        .select_related(*CASE_RELATED)
        .filter(pk=pk)
        .first()
    )
    if case is not None:
        read_logged(actor, pk)
    return case


def read_logged(actor, pk: int) -> None:
    """The read event of a page served from the store: the same outbox row `case_get_for_actor` writes."""
    event_record_later(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        object_type=Case._meta.label_lower,
        object_id=pk,
        action="read",
    )


# -------------------------------------------------------------------------------- reference data changes


def _reference_changed(sender, instance=None, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    cache.set(REFGEN_KEY, secrets.token_hex(8), timeout=None)


def connect_signals() -> None:
    """From WorkspaceConfig.ready(), in every process (a management command that renames a body too)."""
    for label in REFERENCE_MODELS:
        model = apps.get_model(label)
        post_save.connect(_reference_changed, sender=model, dispatch_uid=f"case-page-{label}")
        post_delete.connect(_reference_changed, sender=model, dispatch_uid=f"case-page-{label}-del")
