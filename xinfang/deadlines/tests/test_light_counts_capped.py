"""The ledger's light counts without a COUNT over the body's open clocks (issue 14): exact under the cap and
equal to the full count, "n+" where the cap is reached, nothing claimed past it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang.cases.tests.factories import register, registrar
from xinfang.cases.workflow import ClockKind
from xinfang.deadlines.clocks import clock_start_until
from xinfang.deadlines.selectors import light_counts_for_body, light_counts_for_body_capped

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_capped_counts_agree_with_the_full_count(demo_city):
    with time_machine.travel(MONDAY, tick=False):
        for i, offset in enumerate([-2, 0, 1, 2, 9]):
            case = register(seed=10 + i).case
            clock_start_until(
                case=case,
                kind=ClockKind.ASSIGNMENT,
                body=case.current_body,
                start=MONDAY.date(),
                due=MONDAY.date() + timedelta(days=offset),
            )
        body = registrar().body
        full = light_counts_for_body(body=body)  # each case also owes its registration duty (green)
        assert light_counts_for_body_capped(body=body) == {k: str(v) for k, v in full.items()}
        assert full == {"red": 2, "yellow": 2, "green": 6}
        assert light_counts_for_body_capped(body=body, cap=3) == {"red": "2", "yellow": "1+", "green": ""}
        assert light_counts_for_body_capped(body=body, cap=1) == {"red": "1+", "yellow": "", "green": ""}
