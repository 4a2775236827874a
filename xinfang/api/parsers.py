"""The API reads JSON only, and refuses JSON no field could hold before any serializer sees it."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework.parsers import JSONParser

from xinfang.core.errors import ValidationFailed

# No request of ours nests deeper than 4 (a registration's flags, a petitioner in a list); 32 is generous
# and far below the depth at which Python's parser runs out of stack.
MAX_DEPTH = 32


def _check(value, depth: int = 0) -> None:
    """Too deep, or a NUL character anywhere (PostgreSQL text cannot hold one): refused as a whole."""
    stack = [(value, depth)]
    while stack:
        item, level = stack.pop()
        if level > MAX_DEPTH:
            raise ValidationFailed(gettext("JSON 嵌套过深。"), code="json_too_deep")
        if isinstance(item, str):
            if "\x00" in item:
                raise ValidationFailed(gettext("内容中不能含有空字符（NUL）。"), code="nul_character")
        elif isinstance(item, dict):
            stack.extend((k, level + 1) for k in item)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ValidationFailed(gettext("JSON 嵌套过深。"), code="json_too_deep") from None
        _check(data)
        return data
