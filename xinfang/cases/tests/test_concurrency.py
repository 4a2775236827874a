"""Many officers act on one case at once: exactly one wins each race, the log matches the final state."""

import threading

import pytest
from django.db import connection, connections

from xinfang.cases.models import Case, State
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import officer, register, registrar
from xinfang.core.errors import Conflict, TransitionNotAllowed
from xinfang.core.models import Event
from xinfang.orgs.models import Body

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises"
    ),
]


def _race(case_pk: int, action: str, actors, version: int, **inputs):
    results: list[str] = []
    barrier = threading.Barrier(len(actors))

    def run(a):
        try:
            barrier.wait()
            case_act(case=case_pk, actor=a, action=action, expected_version=version, **inputs)
            results.append("won")
        except (Conflict, TransitionNotAllowed) as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_many_threads_one_winner_per_race(demo_city):
    reg = registrar()
    case = register(by=reg).case
    housing = Body.objects.get(code="990101-housing")
    registrars = [reg] * 8
    results = _race(case.pk, "transfer", registrars, case.version, target_body=housing)
    assert results.count("won") == 1 and results.count("conflict") == 7

    case.refresh_from_db()
    officers = [officer()] * 8
    results = _race(case.pk, "receive", officers, case.version)
    assert results.count("won") == 1 and results.count("conflict") == 7

    case.refresh_from_db()
    results = _race(case.pk, "accept", officers, case.version, route="6")
    assert results.count("won") == 1

    final = Case.objects.get(pk=case.pk)
    assert final.state == State.ACCEPTED and final.version == 3
    actions = list(
        Event.objects.filter(object_id=str(case.pk))
        .exclude(action="read")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["register", "transfer", "receive", "accept"]
