"""Every write the hall makes: keyword-only arguments, the actor, one transaction, the rows it changes
locked, an event for each step. Case changes go through the case services (`case_register`, `case_act`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.models import Case, Category, Channel, Notice, NoticeKind, PetitionType, State
from xinfang.cases.selectors import case_get_for_actor
from xinfang.cases.services import PetitionerInput, RegistrationResult, case_act, case_register
from xinfang.cases.workflow import BY_ACTION
from xinfang.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from xinfang.core.events import event_record
from xinfang.core.periods import GROUP_VISIT_MAX_REPRESENTATIVES
from xinfang.deadlines.calendar import local_date
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, Region, Role
from xinfang.people.services import person_get_or_create
from xinfang.reception.models import (
    LAWYER_KINDS,
    ArchiveRecord,
    ArchiveSequence,
    ConsultationKind,
    DutyKind,
    DutyShift,
    Hearing,
    HearingBasis,
    HearingParticipant,
    HearingStatus,
    ParticipantRole,
    Retention,
    Service,
    ServiceDay,
    ServiceKind,
    Ticket,
    TicketStatus,
    Visit,
    VisitOutcome,
    VisitPerson,
)

HALL_ROLES = (Role.REGISTRAR,)
MAX_RECORDING_BYTES = 2 * 1024 * 1024 * 1024  # a morning's video at the recorder's bitrate


def _event(
    actor: Actor, obj, action: str, *, new: dict[str, Any] | None = None, old=None, reason="", basis=""
):
    return event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        obj=obj,
        action=action,
        old=old,
        new=new,
        reason=reason,
        legal_basis=basis,
    )


def _hall_staff(actor: Actor) -> None:
    if actor.body is None:
        raise PermissionDenied()
    actor.require_role(*HALL_ROLES)


def _own_service(actor: Actor, service: Service) -> Service:
    if service.body_id != actor.body.pk:
        raise NotFound()
    if not service.is_active:
        raise ValidationFailed(gettext("该窗口已停用。"), code="service_inactive")
    return service


# ----------------------------------------------------------------------------- 安检排号: check-in, queue


def service_day_open(
    *, actor: Actor, service: Service, on: date | None = None, agency: Body | None = None
) -> ServiceDay:
    """Open a service for a day, naming the 有权处理机关 present at an agency window (实时接访)."""
    _hall_staff(actor)
    _own_service(actor, service)
    on = on or timezone.localdate()
    if service.kind == ServiceKind.AGENCY and agency is None:
        agency = service.default_agency
    if service.kind == ServiceKind.AGENCY and agency is None:
        raise ValidationFailed(gettext("部门窗口须指定当日到场接访的机关。"), code="agency_required")
    with transaction.atomic():
        day, _ = ServiceDay.objects.get_or_create(service=service, date=on)
        day = ServiceDay.objects.select_for_update().get(pk=day.pk)
        old = {"agency": day.agency_id}
        if agency is not None and day.agency_id != agency.pk:
            day.agency = agency
            day.save(update_fields=["agency"])
        _event(
            actor,
            day,
            "hall_day_open",
            old=old,
            new={"service": service.pk, "date": on, "agency": day.agency_id},
        )
    return day


def ticket_issue(
    *,
    actor: Actor,
    service: Service,
    party_size: int = 1,
    from_kiosk: bool = False,
    now: datetime | None = None,
) -> Ticket:
    """安检排号: the next number of this service today. The day's counter row is locked, so two check-ins
    at once wait for each other and never share a number (and the unique constraint would refuse it)."""
    _hall_staff(actor)
    _own_service(actor, service)
    if not 1 <= int(party_size) <= 500:
        raise ValidationFailed(gettext("来访人数应在1至500之间。"), code="invalid_party_size")
    now = now or timezone.now()
    on = local_date(now)
    with transaction.atomic():
        day, _ = ServiceDay.objects.get_or_create(
            service=service, date=on, defaults={"agency": service.default_agency}
        )
        day = ServiceDay.objects.select_for_update().get(pk=day.pk)
        day.last_number += 1
        day.save(update_fields=["last_number"])
        ticket = Ticket.objects.create(
            service_day=day,
            number=day.last_number,
            code=f"{service.prefix}{day.last_number:03d}",
            party_size=party_size,
            from_kiosk=from_kiosk,
            issued_at=now,
        )
        _event(
            actor,
            ticket,
            "hall_checkin",
            new={"code": ticket.code, "service": service.pk, "kiosk": from_kiosk},
        )
    return ticket


def _lock_ticket(actor: Actor, ticket: Ticket | int) -> Ticket:
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    locked = Ticket.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound()
    service = Service.objects.only("body_id").get(
        pk=ServiceDay.objects.only("service_id").get(pk=locked.service_day_id).service_id
    )
    if service.body_id != actor.body.pk:
        raise NotFound()
    return locked


def ticket_call_next(*, actor: Actor, service_day: ServiceDay, now: datetime | None = None) -> Ticket | None:
    """Call the lowest waiting number at this window. The day row is locked so two officers pressing
    "call next" at one window call two different numbers."""
    _hall_staff(actor)
    now = now or timezone.now()
    with transaction.atomic():
        day = (
            ServiceDay.objects.select_for_update().filter(pk=service_day.pk).select_related("service").first()
        )
        if day is None or day.service.body_id != actor.body.pk:
            raise NotFound()
        ticket = (
            Ticket.objects.select_for_update()
            .filter(service_day=day, status=TicketStatus.WAITING)
            .order_by("number")
            .first()
        )
        if ticket is None:
            return None
        ticket.status = TicketStatus.CALLED
        ticket.called_at = now
        ticket.calls += 1
        ticket.called_by = actor.user
        ticket.save(update_fields=["status", "called_at", "calls", "called_by"])
        _event(actor, ticket, "hall_call", new={"code": ticket.code, "waited_s": ticket.waited_seconds})
    return ticket


def ticket_recall(*, actor: Actor, ticket: Ticket) -> Ticket:
    """Call the same number again (shown on the board as a fresh call)."""
    _hall_staff(actor)
    with transaction.atomic():
        t = _lock_ticket(actor, ticket)
        if t.status != TicketStatus.CALLED:
            raise TransitionNotAllowed(gettext("只能重呼已叫号未到的号码。"), code="not_called")
        t.calls += 1
        t.save(update_fields=["calls"])
        _event(actor, t, "hall_recall", new={"calls": t.calls})
    return t


def ticket_start(*, actor: Actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    _hall_staff(actor)
    with transaction.atomic():
        t = _lock_ticket(actor, ticket)
        if t.status not in (TicketStatus.CALLED, TicketStatus.WAITING):
            raise TransitionNotAllowed(gettext("该号码不在待接待状态。"), code="not_callable")
        now = now or timezone.now()
        t.called_at = t.called_at or now
        t.started_at = now
        t.status = TicketStatus.SERVING
        t.save(update_fields=["called_at", "started_at", "status"])
        _event(actor, t, "hall_start", new={"code": t.code})
    return t


def ticket_no_show(*, actor: Actor, ticket: Ticket) -> Ticket:
    _hall_staff(actor)
    with transaction.atomic():
        t = _lock_ticket(actor, ticket)
        if t.status != TicketStatus.CALLED:
            raise TransitionNotAllowed(gettext("只有已叫号的号码可以过号。"), code="not_called")
        t.status = TicketStatus.NO_SHOW
        t.finished_at = timezone.now()
        t.save(update_fields=["status", "finished_at"])
        _event(actor, t, "hall_no_show", new={"code": t.code})
    return t


def ticket_transfer(
    *, actor: Actor, ticket: Ticket, to_service: Service, agency: Body | None = None
) -> Ticket:
    """导访分流: send the visitor on to another service (a room, an agency's window, the lawyers, the
    one-stop centre, the 复查/复核 desk). They get a number there; the first ticket keeps the link."""
    _hall_staff(actor)
    _own_service(actor, to_service)
    with transaction.atomic():
        t = _lock_ticket(actor, ticket)
        if t.status in (TicketStatus.DONE, TicketStatus.TRANSFERRED, TicketStatus.NO_SHOW):
            raise TransitionNotAllowed(gettext("该号码已办结，不能再分流。"), code="ticket_closed")
        if to_service.pk == t.service_day.service_id:
            raise ValidationFailed(gettext("请选择另一个窗口。"), code="same_service")
        if agency is not None:
            service_day_open(actor=actor, service=to_service, agency=agency)
        new = ticket_issue(actor=actor, service=to_service, party_size=t.party_size)
        new.transferred_from = t
        new.save(update_fields=["transferred_from"])
        now = timezone.now()
        t.status = TicketStatus.TRANSFERRED
        t.called_at = t.called_at or now
        t.finished_at = now
        t.save(update_fields=["status", "called_at", "finished_at"])
        _event(actor, t, "hall_triage", new={"from": t.code, "to": new.code, "service": to_service.pk})
    return new


# --------------------------------------------------------------------------------- 值班: duty rosters


def duty_shift_add(
    *,
    actor: Actor,
    on: date,
    kind: str,
    name: str,
    affiliation: str = "",
    service: Service | None = None,
    user=None,
    note: str = "",
) -> DutyShift:
    _hall_staff(actor)
    errors = {}
    if kind not in DutyKind.values:
        errors["kind"] = gettext("请选择值班类别。")
    if not (name or "").strip():
        errors["name"] = gettext("请填写值班人员姓名。")
    if errors:
        raise ValidationFailed(gettext("；").join(errors.values()), code="invalid_shift", extra=errors)
    if service is not None:
        _own_service(actor, service)
    with transaction.atomic():
        shift = DutyShift.objects.create(
            body=actor.body,
            date=on,
            kind=kind,
            name=name.strip(),
            affiliation=affiliation.strip(),
            service=service,
            user=user,
            note=note.strip(),
        )
        _event(actor, shift, "hall_duty_add", new={"date": on, "kind": kind, "name": shift.name})
    return shift


def duty_shift_remove(*, actor: Actor, shift: DutyShift) -> None:
    _hall_staff(actor)
    with transaction.atomic():
        locked = DutyShift.objects.select_for_update().filter(pk=shift.pk, body=actor.body).first()
        if locked is None:
            raise NotFound()
        if locked.led_visits.exists() or locked.lawyer_visits.exists():
            raise TransitionNotAllowed(gettext("该值班人员已参与接待，不能删除。"), code="shift_in_use")
        _event(
            actor,
            locked,
            "hall_duty_remove",
            old={"date": locked.date, "kind": locked.kind, "name": locked.name},
        )
        locked.delete()


# ------------------------------------------------------------------------------- 接待接访: the visit


@dataclass
class NewCaseInput:
    petition_type: str
    problem_region: Region
    request: str
    facts: str = ""
    category: Category | None = None
    title: str = ""


@dataclass
class VisitResult:
    visit: Visit
    registration: RegistrationResult | None = None
    warnings: list[str] = field(default_factory=list)


def _visit_validate(
    *,
    actor: Actor,
    people: list[PetitionerInput],
    is_group: bool,
    people_count: int,
    statement: str,
    outcome: str,
    consultation_kind: str,
    case_number: str,
    new_case: NewCaseInput | None,
    leader_shift: DutyShift | None,
    lawyer_shift: DutyShift | None,
    recording_start,
    recording_end,
    recording_file,
    on: date,
) -> None:
    errors: dict[str, str] = {}
    if not people:
        errors["people"] = gettext("请至少填写一名来访人。")
    reps = sum(1 for p in people if p.is_representative)
    named = len(people) if is_group else reps
    if named > GROUP_VISIT_MAX_REPRESENTATIVES or reps > GROUP_VISIT_MAX_REPRESENTATIVES:
        errors["people"] = gettext(
            "多人走访应当推选代表，代表人数不得超过%(max)s人（《信访工作条例》第二十条）。"
        ) % {"max": GROUP_VISIT_MAX_REPRESENTATIVES}
    if people_count < max(1, len(people)):
        errors["people_count"] = gettext("来访人数不能少于填写的来访人数。")
    if not (statement or "").strip():
        errors["statement"] = gettext("请记录来访人反映的内容。")
    if outcome not in VisitOutcome.values:
        errors["outcome"] = gettext("请选择接待结果。")
    if outcome == VisitOutcome.CONSULTATION and consultation_kind not in ConsultationKind.values:
        errors["consultation_kind"] = gettext("请选择咨询类别。")
    if outcome == VisitOutcome.EXISTING_CASE and not (case_number or "").strip():
        errors["case_number"] = gettext("请填写已有信访事项的编号。")
    if outcome == VisitOutcome.NEW_CASE:
        if new_case is None or new_case.petition_type not in PetitionType.values:
            errors["petition_type"] = gettext("请选择信访类型。")
        if new_case is None or new_case.problem_region is None:
            errors["problem_region"] = gettext("请选择问题属地。")
        if not actor.has_role(Role.REGISTRAR):
            errors["outcome"] = gettext("登记信访事项需要登记员角色。")
    for key, shift, kinds in (
        ("leader_shift", leader_shift, (DutyKind.LEADER,)),
        ("lawyer_shift", lawyer_shift, LAWYER_KINDS),
    ):
        if shift is not None and (
            shift.body_id != actor.body.pk or shift.date != on or shift.kind not in kinds
        ):
            errors[key] = gettext("请选择当日在岗的值班人员。")
    if recording_start and recording_end and recording_end < recording_start:
        errors["recording_end"] = gettext("录制结束时间不能早于开始时间。")
    if recording_file is not None and getattr(recording_file, "size", 0) > MAX_RECORDING_BYTES:
        errors["recording_file"] = gettext("录音录像文件超过2GB，请改为填写录制设备和编号。")
    if errors:
        raise ValidationFailed(
            gettext("接待记录有误：%(errors)s") % {"errors": gettext("；").join(errors.values())},
            code="invalid_visit",
            extra=errors,
        )


def matter_visit_number(*, matter: Case, person_ids: list[int], before: datetime | None = None) -> int:
    """Which visit of these people on this matter a new one is (1: the first). 最多访一次 counts matters
    whose people never came back on it."""
    qs = Visit.objects.filter(matter=matter, people__person_id__in=person_ids)
    if before is not None:
        qs = qs.filter(started_at__lt=before)
    return qs.values("pk").distinct().count() + 1


def visit_record(
    *,
    actor: Actor,
    ticket: Ticket | None = None,
    people: list[PetitionerInput],
    statement: str,
    outcome: str,
    is_group: bool = False,
    people_count: int | None = None,
    reply: str = "",
    consultation_kind: str = "",
    case_number: str = "",
    new_case: NewCaseInput | None = None,
    leader_shift: DutyShift | None = None,
    lawyer_shift: DutyShift | None = None,
    recording_ref: str = "",
    recording_device: str = "",
    recording_start: datetime | None = None,
    recording_end: datetime | None = None,
    recording_file=None,
    now: datetime | None = None,
) -> VisitResult:
    """接待接访: record who came and what they said, who received them (officer, leader, lawyer), the
    recording, and link it to the person's file and to an existing case or a new one (registered through
    `case_register` with channel 来访). A consultation needs no case and is counted as such."""
    _hall_staff(actor)
    now = now or timezone.now()
    on = local_date(now)
    people_count = people_count or max(1, len(people))
    is_group = bool(is_group) or people_count >= _group_min()
    if is_group:
        people = [PetitionerInput(**{**p.__dict__, "is_representative": True}) for p in people]
    _visit_validate(
        actor=actor,
        people=people,
        is_group=is_group,
        people_count=people_count,
        statement=statement,
        outcome=outcome,
        consultation_kind=consultation_kind,
        case_number=case_number,
        new_case=new_case,
        leader_shift=leader_shift,
        lawyer_shift=lawyer_shift,
        recording_start=recording_start,
        recording_end=recording_end,
        recording_file=recording_file,
        on=on,
    )
    result = VisitResult(visit=None)
    with transaction.atomic():
        locked_ticket = None
        if ticket is not None:
            locked_ticket = _lock_ticket(actor, ticket)
            if locked_ticket.status in (TicketStatus.DONE, TicketStatus.TRANSFERRED):
                raise TransitionNotAllowed(gettext("该号码已有接待记录。"), code="ticket_closed")
        case = None
        if outcome == VisitOutcome.EXISTING_CASE:
            case = case_get_for_actor(actor=actor, number=case_number.strip())
        elif outcome == VisitOutcome.NEW_CASE:
            result.registration = case_register(
                actor=actor,
                channel=Channel.VISIT,
                petition_type=new_case.petition_type,
                problem_region=new_case.problem_region,
                request=new_case.request or statement,
                facts=new_case.facts,
                title=new_case.title,
                category=new_case.category,
                petitioners=people,
                people_count=people_count,
                flags={"is_group": is_group},
                registered_at=now,
            )
            case = result.registration.case
        persons = [
            person_get_or_create(name=p.name, id_number=p.id_number, phone=p.phone, address=p.address)
            for p in people
        ]
        matter = (case.repeat_of or case) if case is not None else None
        visit_no = 1
        if matter is not None:
            visit_no = matter_visit_number(matter=matter, person_ids=[p.pk for p in persons], before=now)
        visit = Visit.objects.create(
            body=actor.body,
            ticket=locked_ticket,
            service_day_id=locked_ticket.service_day_id if locked_ticket else None,
            date=on,
            started_at=(locked_ticket.started_at or locked_ticket.called_at or now) if locked_ticket else now,
            ended_at=now,
            officer=actor.user,
            leader_shift=leader_shift,
            lawyer_shift=lawyer_shift,
            is_group=is_group,
            people_count=people_count,
            statement=statement.strip(),
            reply=reply.strip(),
            outcome=outcome,
            consultation_kind=consultation_kind if outcome == VisitOutcome.CONSULTATION else "",
            case=case,
            matter=matter,
            matter_visit_no=visit_no,
            recording_ref=recording_ref.strip(),
            recording_device=recording_device.strip(),
            recording_start=recording_start,
            recording_end=recording_end,
        )
        if recording_file is not None:
            visit.recording_file.save(recording_file.name, recording_file, save=True)
        VisitPerson.objects.bulk_create(
            [
                VisitPerson(visit=visit, person=person, is_representative=p.is_representative, order=i)
                for i, (person, p) in enumerate(zip(persons, people, strict=True))
                if person.pk not in {x.pk for x in persons[:i]}
            ]
        )
        if locked_ticket is not None:
            locked_ticket.status = TicketStatus.DONE
            locked_ticket.called_at = locked_ticket.called_at or now
            locked_ticket.started_at = locked_ticket.started_at or locked_ticket.called_at
            locked_ticket.finished_at = now
            locked_ticket.save(update_fields=["status", "called_at", "started_at", "finished_at"])
        if visit_no > 1:
            result.warnings.append(gettext("该来访人就同一事项已是第%(n)s次来访。") % {"n": visit_no})
        _event(
            actor,
            visit,
            "hall_visit",
            new={
                "ticket": locked_ticket.code if locked_ticket else None,
                "outcome": outcome,
                "case": case.number if case else None,
                "matter_visit_no": visit_no,
                "people_count": people_count,
                "is_group": is_group,
                "leader_shift": leader_shift,
                "lawyer_shift": lawyer_shift,
                "recording": bool(recording_ref or recording_file),
            },
            basis="《信访工作条例》第十九条、第二十条" if is_group else "《信访工作条例》第十九条",
        )
        result.visit = visit
    return result


def _group_min() -> int:

    return settings.XINFANG_GROUP_VISIT_MIN_PEOPLE


# ------------------------------------------------------------------------------------ 公开听证


@dataclass
class ParticipantInput:
    role: str
    name: str
    affiliation: str = ""


def hearing_schedule(
    *,
    actor: Actor,
    case: Case,
    basis: str,
    scheduled_at: datetime,
    place: str,
    participants: list[ParticipantInput],
    reason: str = "",
    expected_version: int | None = None,
) -> Hearing:
    """Decide to hold a hearing: the case's `hearing_start` action pauses its 复核 (or 办理) clock from today
    and issues the 听证通知 to the petitioner; the hearing's own record keeps time, place and participants."""
    if basis not in HearingBasis.values:
        raise ValidationFailed(gettext("请选择听证依据。"), code="invalid_basis")
    errors = {}
    if not (place or "").strip():
        errors["place"] = gettext("请填写听证地点。")
    if scheduled_at is None:
        errors["scheduled_at"] = gettext("请填写听证时间。")
    elif local_date(scheduled_at) < timezone.localdate():
        errors["scheduled_at"] = gettext("听证时间不能早于今天。")
    if not any(p.role == ParticipantRole.HEARING_OFFICER for p in participants):
        errors["participants"] = gettext("请至少指定一名听证员。")
    for p in participants:
        if p.role not in ParticipantRole.values or not p.name.strip():
            errors["participants"] = gettext("参加人须写明身份和姓名。")
    expected_state = State.REREVIEWING if basis == HearingBasis.REREVIEW else State.ACCEPTED
    if case.state != expected_state:
        errors["basis"] = (
            gettext("复核听证只适用于复核中的事项（第三十六条）。")
            if basis == HearingBasis.REREVIEW
            else gettext("重大、复杂、疑难事项的听证适用于已受理、按第三十一条第（六）项办理的事项。")
        )
    if errors:
        raise ValidationFailed(gettext("；").join(errors.values()), code="invalid_hearing", extra=errors)
    names = "、".join(f"{ParticipantRole(p.role).label}{p.name}" for p in participants)
    notice_reason = (
        f"地点：{place.strip()}，时间：{timezone.localtime(scheduled_at):%Y年%m月%d日 %H:%M}；参加人：{names}"
    )
    if reason.strip():
        notice_reason = f"{reason.strip()}。{notice_reason}"
    with transaction.atomic():
        updated = case_act(
            case=case,
            actor=actor,
            action="hearing_start",
            expected_version=expected_version,
            reason=notice_reason,
            hearing_date=local_date(scheduled_at),
        )
        notice = Notice.objects.filter(case=updated, kind=NoticeKind.HEARING).order_by("-id").first()
        hearing = Hearing.objects.create(
            body=actor.body,
            case=updated,
            basis=basis,
            scheduled_at=scheduled_at,
            place=place.strip(),
            paused_on=timezone.localdate(),
            notice=notice,
        )
        HearingParticipant.objects.bulk_create(
            [
                HearingParticipant(
                    hearing=hearing,
                    role=p.role,
                    name=p.name.strip(),
                    affiliation=p.affiliation.strip(),
                    order=i,
                )
                for i, p in enumerate(participants)
            ]
        )
        _event(
            actor,
            hearing,
            "hearing_schedule",
            new={
                "case": updated.number,
                "basis": basis,
                "scheduled_at": scheduled_at,
                "place": hearing.place,
            },
            basis=BY_ACTION["hearing_start"].legal_basis,
        )
    return hearing


def _lock_hearing(actor: Actor, hearing: Hearing | int) -> Hearing:
    pk = hearing.pk if isinstance(hearing, Hearing) else hearing
    locked = Hearing.objects.select_for_update().filter(pk=pk, body=actor.body).first()
    if locked is None:
        raise NotFound()
    return locked


def hearing_conclude(*, actor: Actor, hearing: Hearing, minutes: str, conclusion: str) -> Hearing:
    """The hearing was held: minutes and conclusion recorded, the case's clock runs again from today (the
    days it was paused are left out of the 复核 period, Art. 36 ¶2)."""
    errors = {}
    if not (minutes or "").strip():
        errors["minutes"] = gettext("请填写听证笔录。")
    if not (conclusion or "").strip():
        errors["conclusion"] = gettext("请填写听证结论。")
    if errors:
        raise ValidationFailed(gettext("；").join(errors.values()), code="invalid_hearing", extra=errors)
    with transaction.atomic():
        h = _lock_hearing(actor, hearing)
        if h.status != HearingStatus.SCHEDULED:
            raise TransitionNotAllowed(gettext("该听证已结束或已取消。"), code="hearing_closed")
        case_act(
            case=h.case_id, actor=actor, action="hearing_end", reason=f"听证结论：{conclusion.strip()[:200]}"
        )
        h.status = HearingStatus.CONCLUDED
        h.concluded_on = timezone.localdate()
        h.minutes = minutes.strip()
        h.conclusion = conclusion.strip()
        h.save(update_fields=["status", "concluded_on", "minutes", "conclusion", "updated_at"])
        _event(
            actor,
            h,
            "hearing_conclude",
            new={"concluded_on": h.concluded_on},
            basis="《信访工作条例》第三十六条第二款",
        )
    return h


def hearing_cancel(*, actor: Actor, hearing: Hearing, reason: str) -> Hearing:
    if not (reason or "").strip():
        raise ValidationFailed(gettext("请填写取消理由。"), code="missing_reason")
    with transaction.atomic():
        h = _lock_hearing(actor, hearing)
        if h.status != HearingStatus.SCHEDULED:
            raise TransitionNotAllowed(gettext("该听证已结束或已取消。"), code="hearing_closed")
        case_act(case=h.case_id, actor=actor, action="hearing_end", reason=f"听证取消：{reason.strip()}")
        h.status = HearingStatus.CANCELLED
        h.concluded_on = timezone.localdate()
        h.save(update_fields=["status", "concluded_on", "updated_at"])
        _event(actor, h, "hearing_cancel", reason=reason.strip())
    return h


def _personal_data_in(text: str, case: Case) -> bool:

    if re.search(r"\d{17}[\dXx]|1[3-9]\d{9}", text):
        return True
    names = case.petitioners.values_list("person__name", flat=True)
    return any(n and n in text for n in names)


def hearing_publish(*, actor: Actor, hearing: Hearing, summary: str) -> Hearing:
    """经过听证的复核意见可以依法向社会公示 (Art. 36 ¶2): only a concluded 复核 hearing whose 复核意见 has been
    given, never a 检举控告 matter, and a summary that names nobody (no names, ID numbers or phones)."""
    summary = (summary or "").strip()
    with transaction.atomic():
        h = _lock_hearing(actor, hearing)
        case = Case.objects.get(pk=h.case_id)
        if h.status != HearingStatus.CONCLUDED:
            raise TransitionNotAllowed(gettext("听证结束后方可公示。"), code="hearing_not_concluded")
        if h.basis != HearingBasis.REREVIEW or not case.rereviewed_at:
            raise TransitionNotAllowed(
                gettext("可以公示的是经过听证的复核意见：须为复核听证且已出具复核意见（第三十六条第二款）。"),
                code="not_publishable",
            )
        if case.petition_type == PetitionType.ACCUSATION:
            raise TransitionNotAllowed(gettext("检举控告类事项不予公示。"), code="not_publishable")
        if not summary:
            raise ValidationFailed(gettext("请填写公示内容。"), code="missing_summary")
        if _personal_data_in(summary, case):
            raise ValidationFailed(
                gettext("公示内容不得包含信访人姓名、身份证号码或电话号码。"), code="personal_data_in_summary"
            )
        h.public_summary = summary
        h.published_at = timezone.now()
        h.save(update_fields=["public_summary", "published_at", "updated_at"])
        _event(
            actor,
            h,
            "hearing_publish",
            new={"published_at": h.published_at},
            basis="《信访工作条例》第三十六条第二款",
        )
    return h


# ------------------------------------------------------------------------------------ 结案归档


ARCHIVABLE_STATES = BY_ACTION["archive"].source_values


def archive_number_next(*, body: Body, year: int) -> str:
    seq, _ = ArchiveSequence.objects.get_or_create(body=body, year=year)
    seq = ArchiveSequence.objects.select_for_update().get(pk=seq.pk)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{body.code}-档-{year}-{seq.last:05d}"


def case_archive(
    *, actor: Actor, case: Case, retention: str, location: str = "", expected_version: int | None = None
) -> ArchiveRecord:
    """结案归档: the case's `archive` action (the table decides who may), and its 档号 and 保管期限."""
    if retention not in Retention.values:
        raise ValidationFailed(gettext("请选择保管期限。"), code="invalid_retention", extra={"retention": ""})
    with transaction.atomic():
        archived = case_act(case=case, actor=actor, action="archive", expected_version=expected_version)
        now = timezone.now()
        record = ArchiveRecord.objects.create(
            case=archived,
            body=actor.body,
            number=archive_number_next(body=actor.body, year=local_date(now).year),
            retention=retention,
            location=location.strip(),
            archived_at=now,
            archived_by=actor.user,
        )
        _event(
            actor,
            record,
            "hall_archive",
            new={"case": archived.number, "number": record.number, "retention": retention},
        )
    return record
