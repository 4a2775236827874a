"""The ledger and the 督查台账 at two data sizes (issue 14's acceptance): the same queries with 3 of a body's
yellow items and with 30, so that an N+1 cannot come back."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from xinfang.cases.tests.factories import register, registrar
from xinfang.deadlines.models import Clock
from xinfang.deadlines.services import ledger_build
from xinfang.deadlines.tests.test_ledger import REGISTERED, YELLOW_DAY, _at
from xinfang.orgs.models import User

pytestmark = pytest.mark.django_db


def _cases(n: int, first: int) -> None:
    with time_machine.travel(REGISTERED, tick=False):
        for i in range(n):
            register(by=registrar(), seed=first + i)
    ledger_build(day=YELLOW_DAY)


def _urls() -> dict[str, tuple[str, str]]:
    body = Clock.objects.select_related("body").first().body
    return {
        "ledger": ("dengji_dc", reverse("deadlines:ledger")),
        "oversight": ("ducha", reverse("deadlines:oversight")),
        "oversight_body": ("ducha", reverse("deadlines:oversight_body", args=[body.pk])),
    }


@pytest.mark.parametrize("name", ["ledger", "oversight", "oversight_body"])
def test_the_same_queries_at_3_items_and_30(demo_city, client, django_assert_max_num_queries, name):
    _cases(3, first=1)
    username, url = _urls()[name]
    client.force_login(User.objects.get(username=username))
    with _at(YELLOW_DAY), django_assert_max_num_queries(14) as small:
        assert client.get(url).status_code == 200
    _cases(27, first=100)
    with _at(YELLOW_DAY), django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200
