"""The 倒流 list (issue 14): a keyset page, newest first, the same queries with 2 rows and with 33 (more than a
page), a 下一页 link that continues without repeating a row, and a hand-edited cursor that gives the first page
with a message instead of a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.supervision.models import Backflow, BackflowStatus
from xinfang.supervision.tests.test_views import client_for

pytestmark = pytest.mark.django_db

URL = reverse("supervision:backflows")


def _backflows(world, n: int, *, start: int) -> list[Backflow]:
    earlier = world.held_case()
    now = timezone.now()
    return [
        Backflow.objects.create(
            case=world.held_case(),
            earlier=earlier,
            found_by="repeat_link",
            detected_at=now - timedelta(hours=start + i),
        )
        for i in range(n)
    ]


def _numbers(html: str) -> list[str]:
    table = html.split('data-testid="backflows"', 1)[1].split("</table>", 1)[0]
    return [cell.split(">", 1)[1].split("<", 1)[0] for cell in table.split('<td><a href="')[1:]]


def test_the_same_queries_at_2_backflows_and_33(world, django_assert_max_num_queries):
    c = client_for(world.supervisor)
    _backflows(world, 2, start=0)
    with django_assert_max_num_queries(12) as small:
        page = c.get(URL)
    assert page.status_code == 200 and len(_numbers(page.content.decode())) == 2
    _backflows(world, 31, start=10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = c.get(URL)
    assert page.status_code == 200


def test_pages_run_newest_first_without_repeats(world):
    c = client_for(world.supervisor)
    made = _backflows(world, 33, start=0)
    Backflow.objects.filter(pk=made[5].pk).update(status=BackflowStatus.DISMISSED)
    expected = [b.case.number for b in made if b.pk != made[5].pk]  # newest first: made in that order
    first = c.get(URL).content.decode()
    shown = _numbers(first)
    assert shown == expected[:30]
    after = first.split("after=", 1)[1].split('"', 1)[0]
    second = c.get(f"{URL}?status=flagged&after={after}").content.decode()
    assert _numbers(second) == expected[30:]
    assert 'rel="next"' not in second and "第一页" in second
    everything = c.get(f"{URL}?status=").content.decode()
    assert made[5].case.number in _numbers(everything)


def test_a_hand_edited_cursor_gives_the_first_page_with_a_message(world):
    c = client_for(world.supervisor)
    _backflows(world, 2, start=0)
    page = c.get(f"{URL}?status=flagged&after=not-a-cursor")
    assert page.status_code == 200
    html = page.content.decode()
    assert "翻页参数无效" in html and len(_numbers(html)) == 2


def test_refused_roles_do_not_see_the_list(world):
    _backflows(world, 1, start=0)
    assert client_for(world.housing_head).get(URL).status_code == 404
