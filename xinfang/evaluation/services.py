from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.models import Case, State
from xinfang.cases.workflow import ClockKind
from xinfang.core.db import retry_on_deadlock
from xinfang.core.errors import Conflict, TransitionNotAllowed, ValidationFailed, WindowClosed
from xinfang.core.events import event_record
from xinfang.core.i18n import message_date
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.clocks import clock_stop
from xinfang.deadlines.models import Clock
from xinfang.evaluation.models import Evaluation, EvaluationChannel, Satisfaction, Stage
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Role

STAGE_FOR_STATE = {
    State.ANSWERED: Stage.ANSWER,
    State.REVIEWED: Stage.REVIEW,
    State.REREVIEWED: Stage.REREVIEW,
    State.CONCLUDED: None,
    State.TERMINATED: Stage.REREVIEW,
}


def _stage_of(case: Case) -> str:
    if case.state == State.CONCLUDED:
        return Stage.REVIEW if case.reviewed_at else Stage.ANSWER
    stage = STAGE_FOR_STATE.get(State(case.state))
    if stage is None:
        raise TransitionNotAllowed(gettext("该事项尚未答复，暂不能评价。"), code="nothing_to_evaluate")
    return stage


@retry_on_deadlock
def evaluation_record(*, case: Case, actor: Actor, result: str, comment: str = "") -> Evaluation:
    """The petitioner evaluates the latest answer once, within its window; staff may record a phone
    evaluation on the petitioner's behalf (and it says so)."""
    if result not in Satisfaction.values:
        raise ValidationFailed(gettext("请选择满意、基本满意或不满意。"), code="invalid_satisfaction")
    if not actor.petitioner:
        actor.require_role(Role.REGISTRAR, Role.CASE_OFFICER, Role.SUPERVISOR)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        stage = _stage_of(locked)
        today = local_date(timezone.now())
        window = Clock.objects.filter(case=locked, kind=ClockKind.EVALUATION).order_by("-id").first()
        if window is None or not window.is_open or today > window.due_on:
            closed = window.due_on if window else None
            raise WindowClosed(
                gettext("评价期限已于%(date)s届满。") % {"date": message_date(closed)}
                if closed
                else gettext("当前没有可评价的答复。"),
                code="evaluation_window_closed",
            )
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    case=locked,
                    stage=stage,
                    result=result,
                    comment=comment[:2000],
                    channel=EvaluationChannel.ONLINE
                    if actor.petitioner
                    else EvaluationChannel.PHONE_ON_BEHALF,
                    recorded_by=None if actor.petitioner else actor.user,
                )
        except IntegrityError:
            raise Conflict(
                gettext("该答复已经评价过，每次答复只能评价一次。"), code="already_evaluated"
            ) from None
        clock_stop(case=locked, kinds=[ClockKind.EVALUATION], on=today, action="evaluate")
        event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=actor.body,
            obj=locked,
            action="evaluate",
            new={"stage": stage, "result": result, "channel": evaluation.channel},
            reason=comment[:500],
        )
    return evaluation
