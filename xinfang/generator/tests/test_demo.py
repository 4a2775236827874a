import sys

import pytest

from xinfang.cases.models import Case
from xinfang.generator.demo import DEMO_BULK, DEMO_SERVICES, demo_cases_load

pytestmark = pytest.mark.django_db


def test_demo_cases_without_time_machine_take_the_bulk_path(demo_city, monkeypatch):
    # A plain `pip install` of an older checkout lacked time-machine; the demo must still start.
    monkeypatch.setitem(sys.modules, "time_machine", None)
    summary = demo_cases_load()
    assert Case.objects.count() == DEMO_SERVICES + DEMO_BULK
    assert "批量" in summary
    assert demo_cases_load() == "演示事项已存在，未重复生成。"
