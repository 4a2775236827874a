"""倒流 (a new petition on a matter already 办结) flagged at registration, and 提级包案 with the 五个重新."""

from __future__ import annotations

import pytest

from xinfang.cases.models import Case, State
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.factories import register, registrar, valid_id
from xinfang.core.errors import ValidationFailed
from xinfang.supervision import services
from xinfang.supervision.models import (
    FIVE_RENEWALS,
    Backflow,
    BackflowStatus,
    LeaderCaseLevel,
    LeaderCaseStatus,
    StepKind,
)

pytestmark = pytest.mark.django_db

REQUEST = "幸福小区5号楼屋顶漏水多年，物业和开发商互相推诿，请求责令维修并赔偿损失"
PERSON = [PetitionerInput(name="钱六一", id_number=valid_id(61), phone="13900000061")]


def _concluded(world) -> Case:
    case = world.held_case(request=REQUEST, petitioners=PERSON)
    Case.objects.filter(pk=case.pk).update(state=State.CONCLUDED)
    return case


def test_a_new_petition_after_banjie_is_flagged_on_registration(world, django_capture_on_commit_callbacks):
    earlier = _concluded(world)
    with django_capture_on_commit_callbacks(execute=True):
        # the registrar sees the earlier case and registers anew: the matter came back after 办结
        result = register(
            by=registrar(),
            request=REQUEST,
            petitioners=PERSON,
            repeat_choice="new",
            repeat_of=earlier.pk,
            force_reason="已办结后再次信访",
        )
    flag = Backflow.objects.get(case=result.case)
    assert flag.earlier == earlier and flag.status == BackflowStatus.FLAGGED
    assert services.backflow_scan(since=earlier.registered_at.date()) == 0  # already flagged, once only


def test_an_open_earlier_case_is_no_backflow(world, django_capture_on_commit_callbacks):
    earlier = world.held_case(request=REQUEST, petitioners=PERSON)
    assert earlier.state not in services.DONE_STATES
    with django_capture_on_commit_callbacks(execute=True):
        register(by=registrar(), request="另一件事：门前道路破损请求修复", petitioners=PERSON)
    assert not Backflow.objects.exists()


def test_the_scan_finds_repeat_links_the_signal_missed(world):
    earlier = _concluded(world)
    later = world.held_case(request="完全不同的诉求：请求补发养老金", seed=7)
    Case.objects.filter(pk=later.pk).update(repeat_of=earlier, is_repeat=True)
    assert services.backflow_scan(since=earlier.registered_at.date()) == 1
    assert Backflow.objects.get(case=later).found_by == "repeat_link"


def _flagged(world):
    earlier = _concluded(world)
    later = world.held_case(seed=8)
    Case.objects.filter(pk=later.pk).update(repeat_of=earlier, is_repeat=True)
    services.backflow_scan(since=earlier.registered_at.date())
    return earlier, Backflow.objects.get(case=later)


def test_raise_to_a_higher_leader_with_the_five_renewals(world):
    earlier, flag = _flagged(world)
    county = services.leader_case_open(actor=world.county_leader, case=earlier, plan="原包案方案")
    renewals = {key: f"{label}：已落实" for key, label in FIVE_RENEWALS}
    with pytest.raises(ValidationFailed) as missing:
        services.backflow_raise(
            actor=world.supervisor,
            backflow=flag,
            leader=world.city_leader.user,
            plan="新方案",
            renewals={**renewals, "reassess": ""},
        )
    assert missing.value.code == "renewals_missing"
    with pytest.raises(ValidationFailed) as same_level:
        other_county = services._leader_membership(world.county_leader.user).user
        services.backflow_raise(
            actor=world.supervisor, backflow=flag, leader=other_county, plan="新方案", renewals=renewals
        )
    assert same_level.value.code == "leader_not_higher"
    raised = services.backflow_raise(
        actor=world.supervisor,
        backflow=flag,
        leader=world.city_leader.user,
        plan="一案一策：市领导牵头",
        renewals=renewals,
    )
    flag.refresh_from_db()
    assert flag.status == BackflowStatus.RAISED and flag.leader_case == raised
    assert raised.level == LeaderCaseLevel.RAISED and raised.raised_from == county
    assert raised.leader == world.city_leader.user and raised.renewals["rehear"].startswith("重新接谈")
    assert raised.steps.count() == 4


def test_leader_records_steps_notes_and_outcome(world):
    case = world.held_case()
    lc = services.leader_case_open(actor=world.county_leader, case=case, plan="摸清诉求，依法解决")
    step = services.leader_case_step_record(
        actor=world.county_leader, leader_case=lc, kind=StepKind.GRASP, note="入户走访"
    )
    assert step.done_on is not None
    services.leader_case_note_add(actor=world.county_leader, leader_case=lc, text="已协调住建局")
    services.leader_case_close(
        actor=world.county_leader, leader_case=lc, resolved=True, outcome="达成协议，息诉罢访"
    )
    lc.refresh_from_db()
    assert lc.status == LeaderCaseStatus.RESOLVED
    from xinfang.supervision.selectors import leader_case_list

    ledger = list(leader_case_list(actor=world.county_leader, mine=True))
    assert ledger == [lc] and ledger[0].steps_done == 1


def _backflow_checks(callbacks) -> int:
    return sum(1 for fn in callbacks if fn.__qualname__ == "case_registered.<locals>.check")


def test_a_petition_like_no_earlier_one_is_not_checked_again(world, django_capture_on_commit_callbacks):
    """Registration's similarity search found nothing: the check after the commit (the same search) is not run."""
    with django_capture_on_commit_callbacks() as callbacks:
        register(by=registrar(), request=REQUEST, petitioners=PERSON)
    assert _backflow_checks(callbacks) == 0
    # the same matter again: registration finds the first one, so the check runs (and flags only a 办结 one)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = register(by=registrar(), request=REQUEST, petitioners=PERSON, repeat_choice="new")
    assert _backflow_checks(callbacks) == 1 and not Backflow.objects.filter(case=again.case).exists()
