"""Random sequences of actions keep the invariants: one state at a time, one event per applied action,
nothing changed by a refused action, a 终结 case never reopens."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.cases.models import Outcome, Route, State
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import head, officer, register, registrar
from xinfang.core.errors import ApplicationError
from xinfang.core.models import Event
from xinfang.deadlines.models import Clock
from xinfang.orgs.models import Body

pytestmark = pytest.mark.django_db

ACTORS = {
    "registrar": registrar,
    "officer": officer,
    "head": head,
    "city_officer": lambda: officer("990100-housing"),
    "gov_officer": lambda: officer("990100-government"),
}


def _inputs():
    return {
        "target_body": Body.objects.get(code="990101-housing"),
        "due_date": timezone.localdate() + timedelta(days=20),
        "told_where": "人民法院",
        "route": Route.HANDLE,
        "outcome": Outcome.EXPLAIN,
        "text": "意见正文",
        "days": 10,
        "reason": "理由",
    }


STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "transfer",
                "assign",
                "tell",
                "designate_lead",
                "receive",
                "object",
                "objection_agree",
                "objection_refuse",
                "accept",
                "divert",
                "refuse",
                "refuse_again",
                "extend",
                "hearing_start",
                "hearing_end",
                "mediate",
                "answer",
                "request_review",
                "decide_review",
                "request_rereview",
                "decide_rereview",
                "conclude",
                "terminate",
                "archive",
            ]
        ),
        st.sampled_from(sorted(ACTORS)),
    ),
    min_size=1,
    max_size=14,
)
_seeds = itertools.count(1000)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_random_sequences_keep_invariants(demo_city, steps):
    case = register(seed=next(_seeds)).case
    inputs = _inputs()
    terminated = False
    for action, who in steps:
        before = (case.state, case.version)
        events = (
            Event.objects.filter(object_type="cases.case", object_id=str(case.pk))
            .exclude(action="read")
            .count()
        )
        open_clocks = Clock.objects.filter(case=case, is_open=True).count()
        try:
            case = case_act(case=case, actor=ACTORS[who](), action=action, **inputs)
        except ApplicationError:
            case.refresh_from_db()
            assert (case.state, case.version) == before
            assert (
                Event.objects.filter(object_type="cases.case", object_id=str(case.pk))
                .exclude(action="read")
                .count()
                == events
            )
            assert Clock.objects.filter(case=case, is_open=True).count() == open_clocks
            continue
        if getattr(case, "draft", None) is not None:
            # A handler's sign-off action (答复, 延期 …) is a draft for the head: nothing in the case moves yet.
            case.refresh_from_db()
            assert (case.state, case.version) == before
            assert Clock.objects.filter(case=case, is_open=True).count() == open_clocks
            continue
        assert case.version == before[1] + 1
        assert (
            Event.objects.filter(object_type="cases.case", object_id=str(case.pk))
            .exclude(action="read")
            .count()
            == events + 1
        )
        assert case.state in State.values
        if terminated:
            assert case.state in (State.TERMINATED, State.ARCHIVED)
        terminated = terminated or case.state == State.TERMINATED
        if case.state == State.ARCHIVED:
            assert not Clock.objects.filter(case=case, is_open=True).exists()
