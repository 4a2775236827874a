"""One search over every case the actor may see — open, closed, transferred out — read through the one
read path (`case_list_visible`), by number, name, phone or the words of the request, with filters and a sort."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import F, Q, QuerySet, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.utils import timezone

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_list_visible
from xinfang.core.keyset import CappedCount, Key, keyset_page, page_count
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


def _term_q(term: str) -> Q:
    term = term.strip()
    compact = re.sub(r"[\s\-]", "", term)
    q = Q(pk__in=Case.objects.filter(number__iexact=term).values("pk")) if _NUMBER.match(term) else Q()
    phone = normalize_phone(compact)
    if _PHONE.match(phone):
        return q | Q(pk__in=Case.objects.filter(petitioners__person__phone=phone).values("pk"))
    q |= Q(pk__in=Case.objects.filter(petitioners__person__name=term).values("pk"))
    ids = fulltext_ids(term)
    if ids is not None:
        q |= Q(pk__in=ids)
    return q


def case_search(*, actor: Actor, filters: SearchFilters) -> QuerySet[Case]:
    """Every visible case matching the filters, sorted. The light reads the case's own `due_on` (the nearest
    open clock the body holding it owes, denormalised on the case: issue 14), as the queue does: red on the due
    day or after, yellow within XINFANG_YELLOW_DAYS, green beyond (deadlines.lights; the filter is a range on the
    indexed column, deadlines.selectors.light_q). Paged by `case_search_page`."""
    qs = case_list_visible(actor=actor)
    if filters.q.strip():
        qs = qs.filter(_term_q(filters.q))
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
    qs = case_search(actor=actor, filters=filters)
    keys = SORT_KEYS.get(filters.sort, SORT_KEYS["newest"])
    page = keyset_page(qs, keys, after=after, size=size)
    prefetch_related_objects(page.rows, "petitioners__person")
    found = page_count(qs, page)
    return SearchPage(rows=page.rows, next_cursor=page.next_cursor, first=page.first, found=found)


@dataclass
class SearchPage:
    rows: list[Case]
    next_cursor: str | None
    first: bool
    found: CappedCount

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def saved_views_for(*, actor: Actor) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=actor.user)
