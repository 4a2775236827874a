"""One search over every case the actor may see — open, closed, transferred out — read through the one
read path (`case_list_visible`), by number, name, phone or the words of the request, with filters and a sort."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.utils import timezone

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_list_visible
from xinfang.core.keyset import (
    COUNT_CAP,
    CappedCount,
    Key,
    capped_count,
    cursor_decode,
    cursor_encode,
    keyset_page,
    page_count,
)
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.selectors import light_q
from xinfang.orgs.acting import Actor
from xinfang.people.validators import normalize_phone
from xinfang.search.models import SavedView
from xinfang.search.tokens import query_tokens

# Each sort as keyset keys ending in a unique column, so that every page is an index range after the last row
# shown (xinfang.core.keyset). "due": the case's denormalised nearest due date (Case.due_on), undated last.
SORT_KEYS: dict[str, tuple[Key, ...]] = {
    "newest": (Key("registered_at", "datetime", desc=True), Key("id", desc=True)),
    "oldest": (Key("registered_at", "datetime"), Key("id")),
    "due": (
        Key("due_on", "date", nulls_last=True),
        Key("registered_at", "datetime", desc=True),
        Key("id", desc=True),
    ),
    "number": (Key("number", "str"),),
}
SORTS = {
    "newest": ("-registered_at", "-pk"),
    "oldest": ("registered_at", "pk"),
    "due": (F("due_on").asc(nulls_last=True), "-registered_at", "-pk"),
    "number": ("number",),
}
LIGHTS = ("red", "yellow", "green")
_PHONE = re.compile(r"^1\d{10}$")
_NUMBER = re.compile(r"^[0-9A-Za-z]+(-[0-9A-Za-z]+)+$")


@dataclass
class SearchFilters:
    q: str = ""
    state: list[str] = field(default_factory=list)
    light: str = ""
    body: int | None = None  # the body that holds the case now
    category: int | None = None
    petition_type: str = ""
    registered_from: date | None = None
    registered_to: date | None = None
    sort: str = "newest"


def fulltext_ids(words: str) -> RawSQL | None:
    """The cases whose indexed words contain every token of `words` (a subquery of case ids)."""
    toks = query_tokens(words)
    if not toks:
        return None
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT case_id FROM search_casetext WHERE to_tsvector('simple', tokens) @@ plainto_tsquery('simple', %s)",
            [" ".join(toks)],
        )
    # FTS5: each token quoted (a phrase of one token), all of them required
    match = " ".join('"' + t.replace('"', '""') + '"' for t in toks)
    return RawSQL("SELECT rowid FROM search_casefts WHERE search_casefts MATCH %s", [match])


def fulltext_case_ids(words: str, *, limit: int, among: list[int] | None = None) -> list[int]:
    """The ids of at most `limit` cases whose indexed words contain every token of `words` (in the index's own
    order), or of those among the ids `among`: a bounded read of the index, where `fulltext_ids` as a filter
    lists every match (issue 14)."""
    toks = query_tokens(words)
    if not toks or among == []:
        return []
    if connection.vendor == "postgresql":
        sql = "SELECT case_id FROM search_casetext WHERE to_tsvector('simple', tokens) @@ plainto_tsquery('simple', %s)"
        params: list = [" ".join(toks)]
        if among is not None:
            sql += " AND case_id = ANY(%s)"
            params.append(list(among))
    else:
        sql = "SELECT rowid FROM search_casefts WHERE search_casefts MATCH %s"
        params = [" ".join('"' + t.replace('"', '""') + '"' for t in toks)]
        if among is not None:
            sql += " AND rowid IN (" + ", ".join(["%s"] * len(among)) + ")"
            params += list(among)
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT %s", [*params, limit])
        return [row[0] for row in cursor.fetchall()]


def _named_q(term: str) -> tuple[Q | None, bool]:
    """The cases a term names — a 编号, a phone, a petitioner's name — as a filter (small, indexed subqueries),
    and whether its words are looked up in the full-text index too (not for a phone number)."""
    term = term.strip()
    compact = re.sub(r"[\s\-]", "", term)
    q = Q(pk__in=Case.objects.filter(number__iexact=term).values("pk")) if _NUMBER.match(term) else None
    phone = normalize_phone(compact)
    if _PHONE.match(phone):
        by_phone = Q(pk__in=Case.objects.filter(petitioners__person__phone=phone).values("pk"))
        return (by_phone if q is None else q | by_phone), False
    by_name = Q(pk__in=Case.objects.filter(petitioners__person__name=term).values("pk"))
    return (by_name if q is None else q | by_name), True


def _term_q(term: str) -> Q:
    q, words = _named_q(term)
    ids = fulltext_ids(term) if words else None
    if ids is not None:
        q = Q(pk__in=ids) if q is None else q | Q(pk__in=ids)
    return q if q is not None else Q(pk__in=[])


def case_search(*, actor: Actor, filters: SearchFilters) -> QuerySet[Case]:
    """Every visible case matching the filters, sorted. The light reads the case's own `due_on` (the nearest
    open clock the body holding it owes, denormalised on the case: issue 14), as the queue does: red on the due
    day or after, yellow within XINFANG_YELLOW_DAYS, green beyond (deadlines.lights; the filter is a range on the
    indexed column, deadlines.selectors.light_q). Paged by `case_search_page`."""
    qs = case_list_visible(actor=actor)
    if filters.q.strip():
        qs = qs.filter(_term_q(filters.q))
    return _filtered(qs, filters)


def case_search_export(*, actor: Actor, filters: SearchFilters) -> QuerySet[Case]:
    """The search's list for its CSV export (the caller takes the first rows): `case_search`, except that words
    matching at most CANDIDATE_CAP cases are a filter on those ids, read from the index first with a LIMIT (as
    `case_search_page` reads them), instead of "id IN (every match)", which lets the database read every
    visible case in the sort's order looking for a rare word (5 s at 1,000,000 cases, issue 14). A common word
    keeps the subquery: its matches are dense, the export's LIMIT stops the walk early."""
    if not filters.q.strip():
        return case_search(actor=actor, filters=filters)
    named, words = _named_q(filters.q)
    found_ids = fulltext_case_ids(filters.q, limit=CANDIDATE_CAP + 1) if words else []
    if len(found_ids) > CANDIDATE_CAP:
        return case_search(actor=actor, filters=filters)
    ids = list(found_ids)
    if named is not None:
        ids += Case.objects.filter(named).values_list("pk", flat=True)[: CANDIDATE_CAP + 1]
    return _filtered(case_list_visible(actor=actor).filter(pk__in=ids), filters)


def _filtered(qs: QuerySet[Case], filters: SearchFilters) -> QuerySet[Case]:
    """The filters other than the words, and the sort."""
    if filters.state:
        qs = qs.filter(state__in=filters.state)
    if filters.body:
        qs = qs.filter(current_body_id=filters.body)
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    if filters.petition_type:
        qs = qs.filter(petition_type=filters.petition_type)
    if filters.registered_from:
        qs = qs.filter(registered_at__date__gte=filters.registered_from)
    if filters.registered_to:
        qs = qs.filter(registered_at__date__lte=filters.registered_to)
    if filters.light in LIGHTS:
        qs = qs.filter(light_q(filters.light, today=local_date(timezone.now())))
    return qs.select_related("category", "current_body", "problem_region").order_by(
        *SORTS.get(filters.sort, SORTS["newest"])
    )


def case_search_page(*, actor: Actor, filters: SearchFilters, after: str | None, size: int) -> SearchPage:
    """One page of the search after the cursor `after` (keyset), and the number found counted up to a cap
    (no COUNT over the whole visible scope). BadCursor for a cursor this search did not give out."""
    keys = SORT_KEYS.get(filters.sort, SORT_KEYS["newest"])
    if not filters.q.strip():
        qs = case_search(actor=actor, filters=filters)
        page = keyset_page(qs, keys, after=after, size=size)
        prefetch_related_objects(page.rows, "petitioners__person")
        found = page_count(qs, page)
        return SearchPage(rows=page.rows, next_cursor=page.next_cursor, first=page.first, found=found)
    # Words (issue 14): `case_search`'s filter "id IN (every case whose words match)" let both databases list
    # every match — or, when none is visible, read every visible case in the sort's order looking for one
    # (5 s at 1,000,000 cases). Here the matches are read from the index first, at most CANDIDATE_CAP of them.
    named, words = _named_q(filters.q)
    base = _filtered(case_list_visible(actor=actor), filters)
    found_ids = fulltext_case_ids(filters.q, limit=CANDIDATE_CAP + 1) if words else []
    if len(found_ids) <= CANDIDATE_CAP:
        return _page_of_candidates(base, named, found_ids, keys, after=after, size=size)
    return _page_of_window(base, named, filters.q, found_ids, keys, after=after, size=size)


# At most this many full-text matches are read to find a page; a word that matches more (a common word) is
# checked against the next WINDOW cases of the list in its order instead (issue 14).
CANDIDATE_CAP = 2000
WINDOW = 1000


@functools.total_ordering
class _Desc:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value

    def __lt__(self, other: _Desc) -> bool:
        return self.value > other.value


def _rank(keys: tuple[Key, ...], values: list[Any]) -> tuple:
    """A sortable tuple for a row's key values in the order of `keys` (descending keys reversed, a NULL first
    key after every other value), as the database orders them."""
    out: list[Any] = []
    for k, v in zip(keys, values, strict=True):
        if k.nulls_last:
            out.append(v is None)
            if v is None:
                out.append(0)
                continue
        out.append(_Desc(v) if k.desc else v)
    return tuple(out)


def _rows_by_id(base: QuerySet[Case], ids: list[int]) -> list[Case]:
    by_id = {c.pk: c for c in base.filter(pk__in=ids)} if ids else {}
    rows = [by_id[i] for i in ids if i in by_id]
    prefetch_related_objects(rows, "petitioners__person")
    return rows


def _page_of_candidates(
    base: QuerySet[Case],
    named: Q | None,
    found_ids: list[int],
    keys: tuple[Key, ...],
    *,
    after: str | None,
    size: int,
) -> SearchPage:
    """Every visible match is among `found_ids` and the cases the term names: their sort keys are read (no
    ORDER BY, no LIMIT: a lookup by id, which no planner turns into a walk of the whole list), sorted here, and
    the page after the cursor taken — the same rows and cursors as `keyset_page` over `case_search`."""
    values = cursor_decode(keys, after) if after else None
    ids = list(found_ids)
    if named is not None:  # a handful (a name, a 编号, a phone): one array of ids, not an OR of subqueries
        ids += Case.objects.filter(named).values_list("pk", flat=True)[: CANDIDATE_CAP + 1]
    fields = [k.field for k in keys]
    matched = list(base.filter(pk__in=ids).order_by().values_list(*fields, "pk")) if ids else []
    matched.sort(key=lambda row: _rank(keys, list(row[:-1])))
    total = len(matched)
    if values is not None:
        start = _rank(keys, values)
        matched = [row for row in matched if _rank(keys, list(row[:-1])) > start]
    rows = _rows_by_id(base, [row[-1] for row in matched[:size]])
    return SearchPage(
        rows=rows,
        next_cursor=cursor_encode(keys, rows[-1]) if len(matched) > size and rows else None,
        first=values is None,
        found=CappedCount(min(total, COUNT_CAP), total > COUNT_CAP),
    )


def _page_of_window(
    base: QuerySet[Case],
    named: Q | None,
    words: str,
    found_ids: list[int],
    keys: tuple[Key, ...],
    *,
    after: str | None,
    size: int,
) -> SearchPage:
    """A word with more than CANDIDATE_CAP matches: the next WINDOW visible cases of the list (its order, after
    the cursor) are read, the matches among them looked up in the index by id, and the page is the first
    `size` of those. When the window holds fewer, the page says how far it looked and 下一页 goes on after the
    window (`searched`), so no request reads more than WINDOW cases however rare the word is in this body's
    list. The count: the visible matches among the index's first 1,001, "at least" (or "1,000+")."""
    fields = [k.field for k in keys]
    window = keyset_page(base.select_related(None).only(*fields), keys, after=after, size=WINDOW)
    ids = [c.pk for c in window.rows]
    hits = set(fulltext_case_ids(words, limit=len(ids) or 1, among=ids))
    if (
        named is not None and ids
    ):  # the window's rows are visible and filtered already: the names' ids suffice
        hits |= set(Case.objects.filter(named).values_list("pk", flat=True)[: CANDIDATE_CAP + 1])
    shown = [c for c in window.rows if c.pk in hits]
    rows = _rows_by_id(base, [c.pk for c in shown[:size]])
    if len(shown) > size and rows:
        following, searched = cursor_encode(keys, rows[-1]), 0
    elif window.has_next:
        following, searched = window.next_cursor, len(ids)
    else:
        following, searched = None, 0
    least = capped_count(base.filter(pk__in=found_ids[: COUNT_CAP + 1]))
    return SearchPage(
        rows=rows,
        next_cursor=following,
        first=window.first,
        found=CappedCount(least.n, True),
        searched=searched,
    )


@dataclass
class SearchPage:
    rows: list[Case]
    next_cursor: str | None
    first: bool
    found: CappedCount
    # > 0: this page looked at that many cases of the list only (a common word); 下一页 goes on from there
    searched: int = 0

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def saved_views_for(*, actor: Actor) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=actor.user)
