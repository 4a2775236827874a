"""The case list's paging: keyset (cursor) pages and a capped count (issue 14), so the list costs the same at
page 1 and page 2,000 and at 10k or 5M cases. `next` is the URL of the following page (null on the last);
`count` stops at COUNT_CAP with `count_capped` true ("1,000+"). A cursor the API did not give is a 400 with
the stable code `bad_cursor`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from xinfang.core.keyset import (
    COUNT_CAP,
    CappedCount,
    Key,
    KeysetPage,
    keyset_page,
    keyset_page_by_id,
    page_count,
)

# Newest first; the id breaks ties between cases registered in the same microsecond.
CASE_LIST_KEYS = (Key("registered_at", "datetime", desc=True), Key("id", desc=True))


class KeysetCursorPagination(BasePagination):
    """Keyset pages over `keys` (core/keyset.py); a list's own order comes from its subclass (`keyset_pagination`)."""

    page_size = 50
    cursor_query_param = "cursor"
    count_cap = COUNT_CAP
    keys: tuple[Key, ...] = ()

    def paginate_queryset(self, queryset, request: Request, view=None) -> list:
        self.request = request
        after = request.query_params.get(self.cursor_query_param) or None
        self.page: KeysetPage = keyset_page(queryset, self.keys, after=after, size=self.page_size)
        self.count: CappedCount = page_count(queryset, self.page, self.count_cap)
        return self.page.rows

    def _next_link(self) -> str | None:
        if self.page.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.page.next_cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.count.n,
                "count_capped": self.count.capped,
                "next": self._next_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["count", "count_capped", "next", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": COUNT_CAP,
                    "description": f"符合条件的件数，最多计到{COUNT_CAP}（count_capped 为真时表示超过）",
                },
                "count_capped": {"type": "boolean", "description": f"件数超过{COUNT_CAP}"},
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "下一页的地址（最后一页为 null）",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "翻页游标：取上一页答复中 next 地址里的值（无效时返回 400 bad_cursor）",
                "schema": {"type": "string"},
            }
        ]


class CaseCursorPagination(KeysetCursorPagination):
    keys = CASE_LIST_KEYS


def keyset_pagination(keys: tuple[Key, ...], size: int = 50) -> type[KeysetCursorPagination]:
    """The cursor pagination of one list (its order as keyset keys, ending in the id): the other apps' API lists
    (hall visits, hearings, archive, referrals) answer as the case list does — count (capped), count_capped,
    next, results."""
    return type("KeysetPagination", (KeysetCursorPagination,), {"keys": tuple(keys), "page_size": size})


# ---------------------------------------------------------------------------- the array lists' windows

WINDOW = 200  # rows per answer of an array list

WINDOW_PARAMETERS = [
    OpenApiParameter(
        "cursor",
        str,
        OpenApiParameter.QUERY,
        description='翻页游标：取上一窗答复头 Link（rel="next"）地址里的值（无效时返回 400 bad_cursor）',
    ),
    OpenApiParameter(
        "offset",
        int,
        OpenApiParameter.QUERY,
        description="旧式偏移（越往后越慢，仅为兼容保留；请用 cursor）",
    ),
]


def offset_window(request: Request, qs: QuerySet, size: int | None = None) -> list:
    """The window of `size` rows at `offset` (0 when absent or not a number): the old way of the array lists,
    which costs more the deeper it goes. Kept for registers that grow with decisions, not cases, and for
    clients that still send `offset`."""
    try:
        offset = max(int(request.query_params.get("offset", 0)), 0)
    except ValueError:
        offset = 0
    return list(qs[offset : offset + (size or WINDOW)])


def keyset_window(
    request: Request,
    qs: QuerySet,
    keys: tuple[Key, ...],
    *,
    page: Callable[[str | None, int], KeysetPage] | None = None,
    size: int | None = None,
) -> tuple[list, dict[str, str]]:
    """An array list's rows and its answer's headers (issue 14): a keyset window of `size` rows after the
    `cursor` (the keys alone from the list's index, then the rows by id: `keyset_page_by_id`, or the list's own
    `page(after, size)`), the next window's URL in a `Link: <…>; rel="next"` header (RFC 8288) — the body
    stays the array it was. A request with `offset` gets the old window (`offset_window`). A cursor the list
    did not give out is BadCursor (400 bad_cursor)."""
    if "offset" in request.query_params:
        return offset_window(request, qs, size), {}
    size = size or WINDOW
    after = request.query_params.get("cursor") or None
    window = page(after, size) if page is not None else keyset_page_by_id(qs, keys, after=after, size=size)
    if window.next_cursor is None:
        return window.rows, {}
    following = replace_query_param(request.build_absolute_uri(), "cursor", window.next_cursor)
    return window.rows, {"Link": f'<{following}>; rel="next"'}
