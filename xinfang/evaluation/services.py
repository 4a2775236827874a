from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.models import Case, Notice, NoticeKind, State
from xinfang.cases.selectors import cases_unscoped
from xinfang.cases.workflow import ClockKind
from xinfang.core.audit import events_chained_last
from xinfang.core.db import Prepared, first_of, related, retry_on_deadlock, row_insert
from xinfang.core.errors import Conflict, NotFound, TransitionNotAllowed, ValidationFailed, WindowClosed
from xinfang.core.events import event_record
from xinfang.core.i18n import message_date
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.clocks import clock_stop
from xinfang.deadlines.models import Clock
from xinfang.evaluation.models import (
    Evaluation,
    EvaluationChannel,
    ReturnVisit,
    ReturnVisitKind,
    ReturnVisitStatus,
    Satisfaction,
    Stage,
)
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, BodyKind, Role

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


# The reads of every evaluation and 回访 plan, compiled once per database (core.db.Prepared).
_LOCKED = Prepared(lambda pk: Case.objects.select_for_update().filter(pk=pk))
_WINDOW = Prepared(
    lambda case: first_of(Clock.objects.filter(case=case, kind=ClockKind.EVALUATION).order_by("-id"))
)
_PLANNED = Prepared(lambda case, stage: first_of(ReturnVisit.objects.filter(case=case, stage=stage)))


@retry_on_deadlock
def evaluation_record(*, case: Case, actor: Actor, result: str, comment: str = "") -> Evaluation:
    """The petitioner evaluates the latest answer once, within its window; staff may record a phone
    evaluation on the petitioner's behalf (and it says so)."""
    if result not in Satisfaction.values:
        raise ValidationFailed(gettext("请选择满意、基本满意或不满意。"), code="invalid_satisfaction")
    if not actor.petitioner:
        actor.require_role(Role.REGISTRAR, Role.CASE_OFFICER, Role.SUPERVISOR)
    with transaction.atomic(), events_chained_last():
        found = _LOCKED.rows(case.pk)
        if not found:
            raise Case.DoesNotExist("Case matching query does not exist.")
        locked = found[0]
        stage = _stage_of(locked)
        today = local_date(timezone.now())
        window = _WINDOW.first(locked.pk)
        if window is None or not window.is_open or today > window.due_on:
            closed = window.due_on if window else None
            raise WindowClosed(
                gettext("评价期限已于%(date)s届满。") % {"date": message_date(closed)}
                if closed
                else gettext("当前没有可评价的答复。"),
                code="evaluation_window_closed",
            )
        evaluation = Evaluation(
            case=locked,
            stage=stage,
            result=result,
            comment=comment[:2000],
            channel=EvaluationChannel.ONLINE if actor.petitioner else EvaluationChannel.PHONE_ON_BEHALF,
            recorded_by=None if actor.petitioner else actor.user,
        )
        # No savepoint: a second evaluation of the answer fails the whole transaction, which this block's own
        # atomic() rolls back (to its savepoint when a caller's transaction is around it) as Conflict leaves.
        try:
            row_insert(evaluation)
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


# ---------------------------------------------------------------------------------------- 回访 (return visit)
# After each answer the body calls (or visits) the petitioner: how the answer was received, whether the
# matter is settled, and — if they give one by phone — their satisfaction, recorded as given on their behalf
# (docs/domain.md §7; docs/quality.md "Return visits"). Scheduled when the answer's notice is issued (the
# hook below, registered in apps.py) and by the daily job for answers that came in another way.

# The notice that gives an answer, and the stage it answers (the evaluation's stage).
ANSWER_NOTICES: dict[str, str] = {
    NoticeKind.OPINION: Stage.ANSWER,
    NoticeKind.MEDIATION: Stage.ANSWER,
    NoticeKind.REVIEW_OPINION: Stage.REVIEW,
    NoticeKind.REREVIEW_OPINION: Stage.REREVIEW,
}
RETURN_VISIT_ROLES = (Role.REGISTRAR, Role.CASE_OFFICER, Role.SUPERVISOR)


def return_visit_after_days() -> int:
    """Days after the answer the visit is planned for (local practice: XINFANG_RETURN_VISIT_AFTER_DAYS)."""
    return int(getattr(settings, "XINFANG_RETURN_VISIT_AFTER_DAYS", 7))


def return_visit_body(case: Case) -> Body:
    """Who calls back: the 信访部门 that registered the case (it sent the matter on and answers for the
    petitioner's experience of it); for a case brought straight to an agency, the body that answered."""
    registering = case.registering_body
    if registering.kind == BodyKind.XINFANG:
        return registering
    return case.current_body


def return_visit_schedule(
    *,
    case: Case,
    stage: str,
    actor: Actor | None = None,
    on: date | None = None,
    kind: str = ReturnVisitKind.PHONE,
) -> ReturnVisit:
    """Plan the 回访 of one answer (once per case and stage; a second call returns the first)."""
    if stage not in Stage.values:
        raise ValidationFailed(gettext("回访对象不正确。"), code="invalid_stage")
    if kind not in ReturnVisitKind.values:
        raise ValidationFailed(gettext("请选择回访方式。"), code="invalid_return_visit_kind")
    # No savepoint inside a caller's transaction (a notice's hook): what fails here fails the action.
    with transaction.atomic(savepoint=False):
        existing = _PLANNED.first(case.pk, fixed=(str(stage),))
        if existing is not None:
            return existing
        # cached for return_visit_body, its read compiled once (every answer plans a 回访)
        related(case, "registering_body")
        body = return_visit_body(case)
        scheduled_on = on or local_date(timezone.now()) + timedelta(days=return_visit_after_days())
        try:
            with transaction.atomic():
                visit = ReturnVisit(
                    case=case,
                    stage=stage,
                    body=body,
                    kind=kind,
                    scheduled_on=scheduled_on,
                    scheduled_by=actor.user if actor else None,
                )
                row_insert(visit)
        except IntegrityError:  # scheduled at the same moment by the hook and the daily job
            return ReturnVisit.objects.get(case=case, stage=stage)
        event_record(
            actor=actor.user if actor else None,
            actor_label=actor.label if actor else "系统",
            body=body,
            obj=visit,  # on the visit, not the case: the case's own history stays the handling's steps
            action="return_visit_schedule",
            new={"case": case.pk, "stage": stage, "kind": kind, "scheduled_on": scheduled_on},
        )
    return visit


def return_visit_on_notice(*, notice: Notice, context: dict | None = None) -> None:
    """The hook the case services call when a notice is issued (cases.services.notices.NOTICE_ISSUED_HOOKS):
    an answer's notice schedules its 回访."""
    stage = ANSWER_NOTICES.get(notice.kind)
    if stage is not None:
        return_visit_schedule(case=notice.case, stage=stage)


SCHEDULE_CHUNK = 500  # case ids per query and per transaction (SQLite binds each id as one SQL variable)


def return_visits_schedule_missing(*, day: date) -> int:
    """The daily job's catch-up: every answer whose evaluation window is open and that has no 回访 yet (an
    answer written by an import or before 回访 existed) gets one, planned for `day` at the earliest.

    In chunks of `SCHEDULE_CHUNK` cases, each chunk one transaction: after a bulk load of a million cases the
    open windows number in the tens of thousands, which one `IN (…)` cannot bind on SQLite ("too many SQL
    variables") and one commit per visit makes slow. A run stopped half-way is finished by the next one
    (`return_visit_schedule` returns the visit already planned)."""
    open_windows = Clock.objects.filter(kind=ClockKind.EVALUATION, is_open=True, started_on__lte=day)
    case_ids = sorted(set(open_windows.values_list("case_id", flat=True)))
    cases = cases_unscoped(reason="回访日常任务：为已答复而未安排回访的事项安排回访（无人读取事项内容）")
    after_days = return_visit_after_days()
    made = 0
    for start in range(0, len(case_ids), SCHEDULE_CHUNK):
        chunk = case_ids[start : start + SCHEDULE_CHUNK]
        planned = set(ReturnVisit.objects.filter(case_id__in=chunk).values_list("case_id", "stage"))
        with transaction.atomic():
            for case in cases.filter(pk__in=chunk).select_related("registering_body", "current_body"):
                try:
                    stage = _stage_of(case)
                except TransitionNotAllowed:
                    continue
                if (case.pk, stage) in planned:
                    continue
                after = local_date(case.answered_at or timezone.now()) + timedelta(days=after_days)
                return_visit_schedule(case=case, stage=stage, on=max(after, day))
                made += 1
    return made


def return_visit_record(
    *,
    actor: Actor,
    visit: ReturnVisit | int,
    status: str,
    outcome: str,
    satisfaction: str = "",
    comment: str = "",
    kind: str = "",
) -> ReturnVisit:
    """Record a 回访: done (what the petitioner said; a satisfaction they gave on the call is recorded through
    `evaluation_record` as given on their behalf — channel PHONE_ON_BEHALF, the officer named) or the
    petitioner could not be reached."""
    actor.require_role(*RETURN_VISIT_ROLES)
    outcome = (outcome or "").strip()
    errors: dict[str, str] = {}
    if status not in (ReturnVisitStatus.DONE, ReturnVisitStatus.UNREACHABLE):
        errors["status"] = gettext("请选择已回访或未能联系。")
    if status == ReturnVisitStatus.DONE and not outcome:
        errors["outcome"] = gettext("请填写回访情况。")
    if satisfaction and status != ReturnVisitStatus.DONE:
        errors["satisfaction"] = gettext("未能联系信访人，不能代为评价。")
    if satisfaction and satisfaction not in Satisfaction.values:
        errors["satisfaction"] = gettext("请选择满意、基本满意或不满意。")
    if kind and kind not in ReturnVisitKind.values:
        errors["kind"] = gettext("请选择回访方式。")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), code="invalid_return_visit", extra=errors)
    pk = visit.pk if isinstance(visit, ReturnVisit) else visit
    with transaction.atomic():
        locked = ReturnVisit.objects.select_for_update().filter(pk=pk).first()
        if locked is None or actor.body is None or locked.body_id != actor.body.pk:
            raise NotFound()
        if locked.status != ReturnVisitStatus.SCHEDULED:
            raise Conflict(gettext("该回访已经记录过。"), code="return_visit_recorded")
        evaluation = None
        if satisfaction:
            case = Case.objects.get(pk=locked.case_id)
            if _stage_of(case) != locked.stage:
                raise TransitionNotAllowed(
                    gettext("该事项已进入下一程序，此次回访不能再代为评价。"), code="stage_moved_on"
                )
            evaluation = evaluation_record(case=case, actor=actor, result=satisfaction, comment=comment)
        old = {"status": locked.status}
        locked.status = status
        locked.outcome = outcome[:2000]
        locked.done_at = timezone.now()
        locked.recorded_by = actor.user
        locked.evaluation = evaluation
        if kind:
            locked.kind = kind
        locked.save()
        event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=actor.body,
            object_type=Case._meta.label_lower,
            object_id=locked.case_id,
            action="return_visit_record",
            old=old,
            new={
                "return_visit": locked.pk,
                "status": status,
                "kind": locked.kind,
                "satisfaction": satisfaction,
                "evaluation": evaluation.pk if evaluation else None,
            },
            reason=outcome[:500],
        )
    return locked
