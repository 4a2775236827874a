"""Small pieces every app's REST module shares, so each rule is written once.

- ``ERRORS``: the error answers an operation declares in the OpenAPI schema.
- ``path_id``: ids in paths are taken as text and turned into numbers here, so that ``/things/abc/`` is the
  API's JSON 404 rather than the URL resolver's HTML page (the schema still says integer).
- ``require_role``: a refused role gets the same 404 as a missing record.
- ``validated``: a serializer's validated data, or the API's 400 with its stable code.
"""

from __future__ import annotations

from typing import Any

from xinfang.api.serializers import ErrorOut
from xinfang.core.errors import NotFound

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def path_id(value: str | int) -> int:
    value = str(value)
    if not value.isdigit() or len(value) > 18:
        raise NotFound()
    return int(value)


def require_role(actor, *roles) -> None:
    if not actor.has_role(*roles):
        raise NotFound()


def validated(serializer_class, data) -> Any:
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.validated_data
