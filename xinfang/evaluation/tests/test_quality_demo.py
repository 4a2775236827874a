"""The demo's reviewed quarter loads through the services, once: a few failed cases under 整改 that the
district 住建局's demo user sees."""

import pytest

from xinfang.evaluation.models import Rectification, RectificationStatus, Review, ReviewPlan
from xinfang.evaluation.quality_demo import demo_load

pytestmark = pytest.mark.django_db


def test_demo_reviewed_quarter(demo_city):
    from xinfang.generator.generate import generate_services

    generate_services(cases=60, seed=2026)
    line = demo_load()
    assert "质效评价" in line, line
    plan = ReviewPlan.objects.get()
    assert plan.items.exists() and Review.objects.filter(item__plan=plan).exists()
    rects = Rectification.objects.all()
    assert 1 <= rects.count() <= 3
    assert rects.filter(status=RectificationStatus.OPEN).exists()
    assert "已存在" in demo_load() and ReviewPlan.objects.count() == 1
