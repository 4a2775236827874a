"""The quality review's API lists (plans, a plan's sample items, 整改) keep their query count when the rows
behind them grow (issue 14, ADR 0018 "Every list page": two data sizes, so an N+1 cannot come back)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.api.tests.test_api import client_for
from xinfang.cases.tests.factories import officer
from xinfang.evaluation.tests.conftest import HOUSING, at, evaluator
from xinfang.evaluation.tests.test_quality_views import _drawn, _fail

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("which", ["plans", "items", "rectifications"])
def test_quality_api_lists_keep_their_query_count_as_data_grows(demo_city, which):
    ev = evaluator()
    counts, lengths = [], []
    for size, start in ((2, 1), (8, 20)):
        plan = _drawn(ev, size, start)
        for item in plan.items.all()[: size // 2]:
            with at("04-05"):
                _fail(ev, item)
        url = {
            "plans": "/api/v1/quality/plans/",
            "items": f"/api/v1/quality/plans/{plan.pk}/items/",
            "rectifications": "/api/v1/quality/rectifications/",
        }[which]
        c = client_for(ev if which != "rectifications" else officer(HOUSING))
        assert c.get(url).status_code == 200  # warm: the token's user, caches
        with CaptureQueriesContext(connection) as ctx:
            response = c.get(url)
        assert response.status_code == 200, response.content
        counts.append(len(ctx.captured_queries))
        lengths.append(len(response.json()))
    assert lengths[1] > lengths[0]  # the list did grow (1 → 2 plans, 2 → 8 items, 1 → 5 整改) …
    assert counts[1] == counts[0], counts  # … and its queries did not
