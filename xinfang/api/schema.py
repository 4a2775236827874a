"""Touches to the generated OpenAPI schema for rules a serializer field cannot state on its own."""

from __future__ import annotations

NOT_BLANK = {"type": "string", "pattern": r"\S"}


def postprocess(result, generator, request, public):
    """SuggestIn needs a title or a request with some text (SuggestIn.validate): say so with anyOf, so the
    schema's valid examples are the ones the API accepts."""
    suggest = result.get("components", {}).get("schemas", {}).get("SuggestIn")
    if suggest is not None:
        suggest["anyOf"] = [
            {"required": ["request"], "properties": {"request": NOT_BLANK}},
            {"required": ["title"], "properties": {"title": NOT_BLANK}},
        ]
    return result
