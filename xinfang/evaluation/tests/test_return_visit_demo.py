"""The demo's 回访: planned for the generated answers that have none, a few recorded (with phone ratings given on
the petitioner's behalf), loaded once."""

import pytest

from xinfang.evaluation.models import EvaluationChannel, ReturnVisit, ReturnVisitStatus
from xinfang.evaluation.return_visit_demo import demo_load

pytestmark = pytest.mark.django_db


def test_demo_return_visits(demo_city):
    from xinfang.generator.generate import generate_bulk

    generate_bulk(cases=300, seed=2026)
    planned = ReturnVisit.objects.count()
    assert planned  # the bulk path plans each answer's 回访 as the notice hook does (issue 14)
    line = demo_load()
    assert "新安排 0 件" in line  # the daily job's catch-up finds none missing
    assert "回访演示数据" in line and ReturnVisit.objects.exists(), line
    done = ReturnVisit.objects.exclude(status=ReturnVisitStatus.SCHEDULED)
    assert done.exists() and done.filter(body__code="990101-xinfang").count() == done.count()
    rated = done.filter(evaluation__isnull=False)
    assert all(v.evaluation.channel == EvaluationChannel.PHONE_ON_BEHALF for v in rated)
    again = demo_load()
    assert "未重复生成" in again and done.count() == ReturnVisit.objects.exclude(status="scheduled").count()
