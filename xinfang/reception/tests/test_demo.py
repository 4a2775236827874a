"""The demo's busy hall day loads through the services, once."""

import pytest

from xinfang.reception.demo import demo_load
from xinfang.reception.models import Service, Ticket, Visit

pytestmark = pytest.mark.django_db


def test_demo_hall_day(demo_city):
    line = demo_load()
    assert "30人" in line and Service.objects.count() == 8
    assert (
        Ticket.objects.filter(status="waiting").exists() and Visit.objects.filter(is_group=True).count() == 1
    )
    assert Visit.objects.filter(is_group=True).get().people.count() == 5
    visits = Visit.objects.count()
    assert "已存在" in demo_load() and Visit.objects.count() == visits
