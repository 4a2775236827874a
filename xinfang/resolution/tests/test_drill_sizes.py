"""The figures' drill-down (/resolution/figures/drill/) lists the referrals behind a cell on keyset pages: its
query count must not grow with the rows behind the cell (issue 14, ADR 0018 "Every list page")."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfang.cases.tests.factories import registrar
from xinfang.resolution import services
from xinfang.resolution.rules import Outcome, ReferralKind
from xinfang.resolution.tests.conftest import both_agree, mediator
from xinfang.resolution.tests.test_views import login

pytestmark = pytest.mark.django_db


def _agreements(centre, n: int, start: int) -> list:
    reg, m = registrar(), mediator(centre["rmtj"])
    made = []
    for i in range(start, start + n):
        r = services.referral_create(
            actor=reg,
            kind=ReferralKind.PEOPLES_MEDIATION,
            organisation=centre["rmtj"],
            summary=f"邻里纠纷{i}",
            parties=both_agree(f"当事人{i}"),
        )
        services.referral_outcome_record(
            actor=m, referral_id=r.pk, outcome=Outcome.MEDIATION_AGREEMENT, text="达成协议"
        )
        made.append(r)
    return made


def test_drill_down_queries_do_not_grow_with_the_referrals_behind_the_cell(centre, django_assert_num_queries):
    year = timezone.localdate().year  # the office's year (Asia/Shanghai), not the UTC one
    url = f"/resolution/figures/drill/?column=mediated_ok&year={year}"
    c = login(registrar("990100-xinfang"))
    small = _agreements(centre, 3, 0)
    c.get(url)  # warm: the session's acting body, template caches
    with CaptureQueriesContext(connection) as three:
        page = c.get(url).content.decode()
    assert all(r.number in page for r in small)
    more = _agreements(centre, 27, 3)
    with django_assert_num_queries(len(three.captured_queries)):
        page = c.get(url).content.decode()
    assert all(
        r.number in page for r in small + more
    )  # all thirty on the first page (50), in the same queries
