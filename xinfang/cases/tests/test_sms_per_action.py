"""The SMS an action sends to its petitioners go to the queue as ONE task (one queue write per action, not one
per petitioner), and the worker still hands each petitioner their own message."""

from __future__ import annotations

import pytest

from xinfang.cases.services import PetitionerInput, case_act
from xinfang.cases.tests.factories import register, registrar, valid_id
from xinfang.core.notify import LocmemSmsBackend
from xinfang.core.tasks import HUEY
from xinfang.orgs.models import Body

PHONES = ["13800000001", "13800000002", "13800000003"]


@pytest.fixture
def queue():
    """The queue as in production (not immediate): tasks wait until `work()` runs them as a worker would."""
    HUEY.immediate = False
    HUEY.flush()

    def work() -> list:
        tasks = []
        while (task := HUEY.dequeue()) is not None:
            tasks.append(task.name)
            HUEY.execute(task)
        return tasks

    try:
        yield work
    finally:
        HUEY.flush()
        HUEY.immediate = True


@pytest.mark.django_db(transaction=True)
def test_registration_and_a_notice_each_queue_one_task_for_all_petitioners(demo_city, queue):
    LocmemSmsBackend.sent.clear()
    people = [
        PetitionerInput(name=f"联名人{i}", id_number=valid_id(40 + i), phone=phone)
        for i, phone in enumerate(PHONES)
    ]
    result = register(petitioners=people)
    assert HUEY.pending_count() == 1
    assert len(queue()) == 1
    assert [m.phone for m in LocmemSmsBackend.sent] == PHONES
    assert all(f"查询码{result.query_code}" in m.text for m in LocmemSmsBackend.sent)

    LocmemSmsBackend.sent.clear()
    housing = Body.objects.get(code="990101-housing")
    case_act(case=result.case, actor=registrar(), action="transfer", target_body=housing)
    assert HUEY.pending_count() == 1
    assert len(queue()) == 1
    assert [m.phone for m in LocmemSmsBackend.sent] == PHONES
    assert all(result.case.number in m.text and "转送" in m.text for m in LocmemSmsBackend.sent)
