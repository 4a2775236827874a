"""Keyset paging (issue 14): a page is "the next N rows after the last one shown", never OFFSET N, so page 200
costs what page 1 costs, and rows inserted meanwhile neither repeat nor push rows off a page.

A list names its order as `Key`s ending in a unique column (the id); the cursor is the last row's values of
those columns, as an opaque URL-safe string. A first key that is NULL for some rows (a case without a running
clock) sorts them last, as a second run over the NULL rows (`nulls_last`): each run is a range on an index in
index order, where `ORDER BY … NULLS LAST` is not (SQLite keeps NULLs first in its indexes).

No COUNT over the scope either: `capped_count` counts up to a cap ("1,000+").
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xinfang.core.errors import ValidationFailed

COUNT_CAP = 1000


class BadCursor(ValidationFailed):
    """The `after` cursor is not one this list gave out (edited, truncated, or from another list)."""

    code = "bad_cursor"
    default_message = _("翻页参数无效，请从第一页重新查看。")


@dataclass(frozen=True)
class Key:
    field: str
    kind: str = "int"  # int, str, date, datetime: how the cursor carries its value
    desc: bool = False
    nulls_last: bool = False  # only for the first key: rows where it is NULL come after all the others


def _dump(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in ("date", "datetime"):
        return value.isoformat()
    return value


def _load(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if kind == "datetime" and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return moment
    raise ValueError(kind)


def cursor_encode(keys: Sequence[Key], row: Any) -> str:
    values = [_dump(k.kind, getattr(row, k.field)) for k in keys]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(keys: Sequence[Key], cursor: str) -> list[Any]:
    """The values a cursor carries, or BadCursor (never a 500 for a hand-edited URL)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError("shape")
        out = [_load(k.kind, v) for k, v in zip(keys, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise BadCursor() from None
    for i, (k, v) in enumerate(zip(keys, out, strict=True)):
        if v is None and not (i == 0 and k.nulls_last):
            raise BadCursor()
    return out


def _after_q(keys: Sequence[Key], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in the order of `keys` (all non-NULL): (a > x) OR (a = x AND b > y) …, with
    the redundant bound a >= x in front so that the planner starts the index range there."""
    alternatives = Q()
    for i, k in enumerate(keys):
        step = Q(**{f"{k.field}__{'lt' if k.desc else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{keys[j].field: values[j]})
        alternatives |= step
    first = keys[0]
    return Q(**{f"{first.field}__{'lte' if first.desc else 'gte'}": values[0]}) & alternatives


def _ordered(qs: QuerySet, keys: Sequence[Key]) -> QuerySet:
    return qs.order_by(*[F(k.field).desc() if k.desc else F(k.field).asc() for k in keys])


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None  # None on the last page
    first: bool  # no cursor was given

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    def __iter__(self):  # a template's `{% for row in page %}`, as with a Paginator's page
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def keyset_page(
    qs: QuerySet, keys: Sequence[Key], *, after: str | None, size: int, nulls: bool = True
) -> KeysetPage:
    """The `size` rows of `qs` after the cursor `after` (from the start when empty), in the order of `keys`.
    At most two queries (one when the first key is never NULL, or the page ends before the NULL rows, or the
    caller says that its filter leaves no NULL rows: `nulls=False`)."""
    values = cursor_decode(keys, after) if after else None
    first = keys[0]
    if not first.nulls_last:
        part = _ordered(qs, keys)
        if values is not None:
            part = part.filter(_after_q(keys, values))
        rows = list(part[: size + 1])
    else:
        rest = keys[1:]
        rows = []
        if values is None or values[0] is not None:
            part = _ordered(qs.filter(**{f"{first.field}__isnull": False}), keys)
            if values is not None:
                part = part.filter(_after_q(keys, values))
            rows = list(part[: size + 1])
        if len(rows) <= size and nulls:
            part = _ordered(qs.filter(**{f"{first.field}__isnull": True}), rest)
            if values is not None and values[0] is None:
                part = part.filter(_after_q(rest, values[1:]))
            rows += list(part[: size + 1 - len(rows)])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows, next_cursor=cursor_encode(keys, rows[-1]) if more else None, first=values is None
    )


@dataclass(frozen=True)
class CappedCount:
    """A count that stopped at a cap: `n` exact when not `capped`, else "more than the cap"."""

    n: int
    capped: bool

    def __str__(self) -> str:
        return f"{self.n:,}+" if self.capped else f"{self.n:,}"


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> CappedCount:
    """COUNT over at most cap + 1 rows (SELECT COUNT(*) FROM (… LIMIT cap + 1)): bounded at any scope."""
    n = qs.order_by()[: cap + 1].count()
    return CappedCount(min(n, cap), n > cap)


def page_count(qs: QuerySet, page: KeysetPage, cap: int = COUNT_CAP) -> CappedCount:
    """How many rows the list has, for a page of it: the page's own length when it is the whole list (no
    query), else `capped_count`."""
    if page.first and not page.has_next:
        return CappedCount(len(page.rows), False)
    return capped_count(qs, cap)


def keyset_page_for_request(
    qs: QuerySet,
    keys: Sequence[Key],
    params,
    *,
    size: int,
    nulls: bool = True,
    param: str = "after",
    by_id: bool = False,
) -> tuple[KeysetPage, str]:
    """A page's rows for an HTML list: the cursor from the query string `params[param]`; a cursor the list did
    not give out (a hand-edited 下一页 link) gives the first page and the message to show, never a 500.
    `by_id`: the page read as `keyset_page_by_id` (keys first, then the rows by id)."""

    def page(after: str | None) -> KeysetPage:
        if by_id:
            return keyset_page_by_id(qs, keys, after=after, size=size)
        return keyset_page(qs, keys, after=after, size=size, nulls=nulls)

    try:
        return page(params.get(param) or None), ""
    except BadCursor as e:
        return page(None), str(e.message)


def query_without(params, *names: str) -> str:
    """The query string of `params` less `names` (the cursor): what 第一页 and 下一页 links keep."""
    kept = params.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


def keyset_page_merged(
    qs: QuerySet, parts: Sequence[QuerySet], keys: Sequence[Key], *, after: str | None, size: int
) -> KeysetPage:
    """A keyset page of `qs` where its filter is an OR of terms that no one index serves in order (督办 the body
    issued OR received): each of `parts` is one term, a narrowing of `qs` an index reads in the order of
    `keys`; the next `size` + 1 keys of each are merged here and the page's rows fetched by id from `qs`
    (its select_related / prefetch_related apply). len(parts) + 1 queries whatever the data size. The last
    key must be the id; no key may be NULL (`nulls_last` is not supported here)."""
    if any(k.nulls_last for k in keys) or keys[-1].field not in ("id", "pk"):
        raise ValueError("keyset_page_merged: keys must end in the id and have no nulls_last")
    values = cursor_decode(keys, after) if after else None
    fields = [k.field for k in keys]
    found: dict[Any, tuple] = {}
    for part in parts:
        ordered = _ordered(part.prefetch_related(None), keys)
        if values is not None:
            ordered = ordered.filter(_after_q(keys, values))
        for row in ordered.values_list(*fields)[: size + 1]:
            found[row[-1]] = row
    merged = list(found.values())
    for i in reversed(range(len(keys))):  # stable sorts, least significant key first
        merged.sort(key=itemgetter(i), reverse=keys[i].desc)
    more = len(merged) > size
    ids = [row[-1] for row in merged[:size]]
    by_id = {row.pk: row for row in qs.filter(pk__in=ids)} if ids else {}
    rows = [by_id[i] for i in ids if i in by_id]
    return KeysetPage(
        rows=rows, next_cursor=cursor_encode(keys, rows[-1]) if more and rows else None, first=values is None
    )


def keyset_page_by_id(qs: QuerySet, keys: Sequence[Key], *, after: str | None, size: int) -> KeysetPage:
    """`keyset_page` in two steps: the page's keys from `qs`'s own table (its index, its filters — the per-row
    visibility EXISTS included — but none of its select_related joins), then the page's rows by id. For a list
    of rows about cases: with the joins in one statement PostgreSQL may join and sort the whole filtered list
    before the LIMIT (a hash join over every item of a 100,000-item campaign, or every due 回访 of a body, when
    the statistics are stale — a bulk import, the first nightly 回访 run), which grows with the data; the keys
    alone are an index range under the LIMIT on either database, and the rows a lookup of `size` ids
    (issue 14). Two queries; the keys must end in the id and have no nulls_last."""
    return keyset_page_merged(qs, [qs], keys, after=after, size=size)
