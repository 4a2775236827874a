"""The event digest is the hash every chain already written was made with: the faster way to the same text
(issue 14: the digest was the largest single cost of `xinfang generate`) must not change one hash.

The reference below is the digest as it was first written: each JSON value through a round trip and
`_canonical_json`, then one `json.dumps` of the content with the previous link. The pinned hashes were printed
by that code before it changed."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from xinfang.core.audit import (
    CONTENT_FIELDS,
    GENESIS,
    _canonical_json,
    event_digest,
    event_digest_of_parts,
    event_payload_parts,
)

SHANGHAI = timezone(timedelta(hours=8))
ROWS = [
    {
        "occurred_at": datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI),
        "actor_id": 3,
        "actor_label": "东城区信访局登记员",
        "body_id": 7,
        "object_type": "cases.case",
        "object_id": 42,
        "action": "register",
        "old_values": {},
        "new_values": {
            "state": "registered",
            "number": "990101-2026-000001",
            "repeat_of": None,
            "suggestion": {},
            "force_new": True,
            "backdated_days": 0,
        },
        "reason": "",
        "legal_basis": "《信访工作条例》第二十二条",
    },
    {
        "occurred_at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "actor_id": None,
        "actor_label": None,
        "body_id": None,
        "object_type": "people.person",
        "object_id": "9",
        "action": "edit",
        "old_values": None,
        "new_values": [],
        "reason": None,
        "legal_basis": "",
    },
    {
        "occurred_at": datetime(2025, 12, 31, 23, 59, 59, tzinfo=SHANGHAI),
        "actor_id": "5",
        "actor_label": "系统",
        "body_id": "2",
        "object_type": "cases.case",
        "object_id": "1",
        "action": "x",
        "old_values": {"b": (1, 2.0, 2.5), 3: "数", "a": {"z": 1e20, "y": [True, None, '\u2028"q"\\']}},
        "new_values": {"nested": {"list": [{"k": 1.0}], "t": ("a",)}, "emoji": "😀", "ctrl": "\x00\x1f"},
        "reason": "理由\n第二行",
        "legal_basis": "第三十五条",
    },
]
PINNED = [
    (
        "0adeaf229ca6936844c0820a74188def122abca740ef92eadcf7cc9f1de7b258",
        "a9098136f6c00c902c9c59037af78e195bc4193e3627d4b4e12a6c50a8828e81",
    ),
    (
        "a7334256926f04524d4f5825ea81b7830c48ed9c81b23ccccdbebb640ee78a2d",
        "c7bb6f7af1f3c827c78ca2b91b248d5ead6681f284a2c9e13c03c9c5414b980b",
    ),
    (
        "35e727a2423bd68b1d205d19ad1292cca22f111c2817b8ff8419aef2153d9678",
        "f32acbfd49d8f624bb9f94f40b92e1415041c2b81bd29cc3312044b7eff12a3f",
    ),
]


def _reference_digest(values, prev):
    content = {}
    for name in CONTENT_FIELDS:
        value = values[name]
        if name == "occurred_at":
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        elif name in ("old_values", "new_values"):
            value = _canonical_json(json.loads(json.dumps(value or {})))
        elif name in ("actor_id", "body_id"):
            value = None if value is None else int(value)
        else:
            value = "" if value is None else str(value)
        content[name] = value
    payload = json.dumps({"prev": prev, **content}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


@pytest.mark.parametrize(("row", "pinned"), list(zip(ROWS, PINNED, strict=True)))
def test_the_digest_of_a_row_is_the_one_written_before(row, pinned):
    assert (event_digest(row, GENESIS), event_digest(row, "ab" * 32)) == pinned
    assert _reference_digest(row, GENESIS) == pinned[0]


def _value(rng: random.Random, depth: int = 0):
    kinds = ["str", "int", "none", "bool", "float", "whole", "tuple", "enum"]
    if depth < 3:
        kinds += ["dict", "dict", "list"]
    kind = rng.choice(kinds)
    if kind == "str":
        return rng.choice(["", "a", "信访", '"\\', "\n\t", "\u2028", "😀", "x" * 40])
    if kind == "int":
        return rng.randint(-(10**12), 10**12)
    if kind == "none":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "float":
        return rng.choice([0.5, -2.25, 1e-7, 3.14159])
    if kind == "whole":
        return rng.choice([1.0, 0.0, -3.0, 1e20])
    if kind == "tuple":
        return tuple(_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    if kind == "enum":
        from xinfang.cases.models import State

        return rng.choice(list(State))
    if kind == "list":
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["a", "b", "状态", "prev", "z", 7, "7x"]
    return {rng.choice(keys): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_the_digest_agrees_with_the_first_written_rule_on_every_kind_of_value():
    rng = random.Random(14)
    for n in range(3000):
        row = {
            "occurred_at": datetime(2026, 1, 1, tzinfo=SHANGHAI)
            + timedelta(seconds=rng.randint(0, 10**8), microseconds=rng.choice([0, 1, 999999])),
            "actor_id": rng.choice([None, 1, "12"]),
            "actor_label": rng.choice([None, "", "登记员", '"q"']),
            "body_id": rng.choice([None, 5]),
            "object_type": "cases.case",
            "object_id": rng.choice([1, "22"]),
            "action": rng.choice(["register", "answer"]),
            "old_values": _value(rng),
            "new_values": _value(rng),
            "reason": rng.choice([None, "", "理由"]),
            "legal_basis": "第三十五条",
        }
        prev = GENESIS if n % 2 else hashlib.sha256(str(n).encode()).hexdigest()
        expected = _reference_digest(row, prev)
        assert event_digest(row, prev) == expected, row
        assert event_digest_of_parts(event_payload_parts(row), prev) == expected
