"""Registering a petition (登记): numbering, the 查询码, petitioners (一人一档), the received date, and what
the petition becomes beside an earlier case of the same matter — the rules are rows of the registration
table (workflow.REGISTRATION_OUTCOMES); this module only names their conditions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.attachments import MAX_ATTACHMENTS, attachment_problem
from xinfang.cases.models import (
    Attachment,
    Case,
    CasePetitioner,
    Category,
    Channel,
    PetitionType,
    State,
)
from xinfang.cases.querycode import query_code_hash, query_code_new
from xinfang.cases.services.notices import notice_issue
from xinfang.cases.services.numbering import case_number_next
from xinfang.cases.similarity import SAME_MATTER_THRESHOLD, overlap
from xinfang.cases.workflow import OPEN_STATES, OPENING, REGISTRATION_OUTCOMES, ClockKind
from xinfang.core.audit import events_chained_last
from xinfang.core.db import Prepared, retry_on_deadlock
from xinfang.core.errors import PermissionDenied, ValidationFailed
from xinfang.core.events import event_record
from xinfang.core.notify import sms_send_many
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.clocks import clock_start
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, BodyKind, Region, Role
from xinfang.people.models import Person
from xinfang.people.services import person_get_or_create, person_validate

MAX_REPRESENTATIVES = 5  # 条例 Art. 20


@dataclass
class PetitionerInput:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_representative: bool = False
    email: str = ""


@dataclass
class RegistrationResult:
    case: Case
    query_code: str
    earlier: Case | None = None
    outcome: str = "registered"  # registered | repeat_linked | not_accepted | not_reaccepted
    message: str = ""
    warnings: list[str] = field(default_factory=list)


def _validate(
    *,
    request: str,
    petitioners: list[PetitionerInput],
    petition_type: str,
    channel: str,
    anonymous: bool,
    people_count: int,
    attachments: list,
) -> None:
    errors: dict[str, str] = {}
    if not (request or "").strip():
        errors["request"] = gettext("请填写信访诉求。")
    if len(request or "") > 5000:
        errors["request"] = gettext("诉求不超过5000字，详细内容请写入事实和理由或作为附件上传。")
    if petition_type not in PetitionType.values:
        errors["petition_type"] = gettext("请选择信访类型。")
    if channel not in Channel.values:
        errors["channel"] = gettext("请选择来源渠道。")
    if not petitioners and not (anonymous and petition_type == PetitionType.ACCUSATION):
        errors["petitioners"] = gettext("请至少填写一名信访人（只有检举控告类可以匿名）。")
    for i, p in enumerate(petitioners):
        for key, message in person_validate(name=p.name, id_number=p.id_number, phone=p.phone).items():
            errors[f"petitioners.{i}.{key}"] = message
    if sum(1 for p in petitioners if p.is_representative) > MAX_REPRESENTATIVES:
        errors["petitioners"] = gettext(
            "多人共同信访应当推选代表，代表人数不得超过5人（《信访工作条例》第二十条）。"
        )
    if people_count < max(1, len(petitioners)):
        errors["people_count"] = gettext("涉及人数不能少于填写的信访人数。")
    # The one attachment policy (content, size, count), whoever registers: staff form, portal or API.
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = gettext("附件最多%(n)s个。") % {"n": MAX_ATTACHMENTS}
    for f in attachments:
        if problem := attachment_problem(f):
            errors["attachments"] = problem[1]
            break
    if errors:
        raise ValidationFailed(
            gettext("登记信息有误：%(errors)s") % {"errors": gettext("；").join(errors.values())},
            code="invalid_registration",
            extra=errors,
        )


@dataclass
class RepeatCandidate:
    case: Case
    score: float  # overlap of the requests (character bigrams), 0–1
    final: bool  # a 复核意见 was given: the same facts and reasons are not accepted again (Art. 36 ¶3)


def _same_person_cases(
    *, person_ids: list[int], subject_text: str, problem_region: Region | int, exclude_pk: int | None
) -> QuerySet[Case] | None:
    if person_ids:
        qs = Case.objects.filter(petitioners__person_id__in=person_ids)
    elif subject_text:
        qs = Case.objects.filter(anonymous=True, subject_text=subject_text)
    else:
        return None
    return (
        qs.filter(problem_region=problem_region, is_repeat=False)
        .exclude(pk=exclude_pk)
        .distinct()
        .order_by("registered_at", "pk")
        .only("pk", "request", "facts", "title", "state", "number", "handling_body", "rereviewed_at")
    )


REPEAT_SEARCH_LIMIT = 50  # the earliest cases compared, at most
# Registration's search (up to PREPARED_PEOPLE petitioners, nothing excluded): _same_person_cases compiled once
# per number of petitioners (core.db.Prepared), each registration binding its people and region.
PREPARED_PEOPLE = 8
_SAME_PERSON = Prepared(
    lambda *ids: _same_person_cases(
        person_ids=list(ids[:-1]), subject_text="", problem_region=ids[-1], exclude_pk=None
    )[:REPEAT_SEARCH_LIMIT]
)


def repeat_candidates(
    *,
    people: list[Person],
    problem_region: Region,
    request: str,
    facts: str = "",
    subject_text: str = "",
    exclude_pk: int | None = None,
) -> list[RepeatCandidate]:
    """The earlier cases that may be the same matter (docs/domain.md §9): one petitioner in common (or, for an
    anonymous report, the same subject), the same 问题属地, and a request that is basically the same — the
    request decides, so the same person's other matters are never candidates. Earliest first."""
    person_ids = [p.pk for p in people if p.pk]
    if person_ids and len(person_ids) <= PREPARED_PEOPLE and exclude_pk is None:
        earlier_cases = _SAME_PERSON.rows(*person_ids, problem_region.pk)
    else:
        qs = _same_person_cases(
            person_ids=person_ids,
            subject_text=subject_text,
            problem_region=problem_region,
            exclude_pk=exclude_pk,
        )
        if qs is None:
            return []
        earlier_cases = list(qs[:REPEAT_SEARCH_LIMIT])
    text = f"{request}\n{facts}"
    out = []
    for earlier in earlier_cases:
        score = overlap(text, f"{earlier.request}\n{earlier.facts}")
        if score >= SAME_MATTER_THRESHOLD:
            out.append(RepeatCandidate(case=earlier, score=round(score, 2), final=_is_final(earlier)))
    return out


def find_earlier_same_matter(**kwargs) -> Case | None:
    """The earliest case of the same person on the same matter, or None."""
    found = repeat_candidates(**kwargs)
    return found[0].case if found else None


def _is_final(case: Case) -> bool:
    # The 复核意见 itself makes the matter final (Art. 36 ¶3), from the moment it is given.
    return case.rereviewed_at is not None or case.state == State.TERMINATED


def _handled_below_in_period(earlier: Case, body: Body, today: date) -> bool:
    """Art. 19 ¶3: accepted or being handled below, *within its period*, and now brought to a higher body.
    Once the lower body's period has run out the higher body may take the matter up."""
    if earlier.state not in {State.RECEIVED, State.ACCEPTED} or earlier.handling_body_id is None:
        return False
    handler = Body.objects.select_related("region").get(pk=earlier.handling_body_id)
    return (
        handler.pk != body.pk
        and handler.region.path.startswith(body.region.path)
        and (handler.region_id != body.region_id or handler.path.startswith(body.path))
        and earlier.clocks.filter(
            is_open=True,
            kind__in=[ClockKind.ACCEPTANCE, ClockKind.HANDLING],
            due_on__gte=today,
        ).exists()
    )


@dataclass
class _Facts:
    earlier: Case | None
    body: Body
    today: date


# The conditions the table (workflow.REGISTRATION_OUTCOMES) names.
REGISTRATION_CONDITIONS: dict[str, Callable[[_Facts], bool]] = {
    "always": lambda f: True,
    "earlier_final": lambda f: f.earlier is not None and _is_final(f.earlier),
    "earlier_not_final": lambda f: f.earlier is not None and not _is_final(f.earlier),
    "earlier_handled_below_in_period": lambda f: (
        f.earlier is not None and _handled_below_in_period(f.earlier, f.body, f.today)
    ),
    "earlier_open_or_concluded": lambda f: (
        f.earlier is not None
        and (f.earlier.state in OPEN_STATES or f.earlier.state in {State.CONCLUDED, State.ARCHIVED})
    ),
    "earlier_closed_otherwise": lambda f: f.earlier is not None,
}


def registration_outcome(*, earlier: Case | None, body: Body, today: date, choice: str | None = None):
    """The row of the registration table that applies: the registrar's choice if it is allowed here, else
    the first row whose condition holds. A choice the law does not allow is refused."""
    facts = _Facts(earlier=earlier, body=body, today=today)
    if choice:
        row = next((r for r in REGISTRATION_OUTCOMES if r.choice == choice), None)
        if row is None:
            raise ValidationFailed(gettext("未知的重复件处理方式。"), code="invalid_repeat_choice")
        if not REGISTRATION_CONDITIONS[row.allowed](facts):
            message = (
                gettext(
                    "只有已经复核的事项，才能以同一事实和理由不再受理（《信访工作条例》第三十六条第三款）。"
                )
                if row.choice == "not_reaccept"
                else gettext("没有可以并入的原事项，或原事项已经复核。")
            )
            raise ValidationFailed(
                message, code="repeat_choice_not_allowed", extra={"repeat_choice": message}
            )
        return row
    return next(r for r in REGISTRATION_OUTCOMES if REGISTRATION_CONDITIONS[r.applies](facts))


def _arrival(arrived_at: datetime | date | None, now: datetime) -> datetime:
    """When the petition reached the body; a date in the past only within the backdating window."""
    if arrived_at is None:
        return now
    if isinstance(arrived_at, date) and not isinstance(arrived_at, datetime):
        arrived_at = timezone.make_aware(datetime.combine(arrived_at, time(9, 0)))
    gap = (local_date(now) - local_date(arrived_at)).days
    limit = settings.XINFANG_BACKDATE_MAX_DAYS
    if gap < 0:
        message = gettext("收到日期不能晚于登记日期。")
        raise ValidationFailed(message, code="arrived_in_future", extra={"arrived_on": message})
    if gap > limit:
        message = gettext("收到日期最多只能早于登记日期%(days)s天（补登须在此期限内）。") % {"days": limit}
        raise ValidationFailed(message, code="backdate_too_far", extra={"arrived_on": message})
    return arrived_at


@retry_on_deadlock
def case_register(
    *,
    actor: Actor,
    body: Body | None = None,
    channel: str,
    petition_type: str,
    problem_region: Region,
    request: str,
    facts: str = "",
    title: str = "",
    petitioners: list[PetitionerInput] | None = None,
    category: Category | None = None,
    subject_text: str = "",
    subject_body: Body | None = None,
    anonymous: bool = False,
    people_count: int | None = None,
    flags: dict[str, Any] | None = None,
    attachments: list | None = None,
    suggestion: dict | None = None,
    force_new: bool = False,
    force_reason: str = "",
    registered_at: datetime | None = None,
    arrived_at: datetime | date | None = None,
    repeat_choice: str | None = None,
    repeat_of: Case | int | None = None,
) -> RegistrationResult:
    """Register a petition. What it becomes beside an earlier case of the same matter is the registration
    table's (workflow.REGISTRATION_OUTCOMES): refused at once after a 复核意见 (Art. 36 ¶3), refused by the
    higher level while handled below in period (Art. 19 ¶3), linked as a repeat, or a new case. The registrar
    may choose (`repeat_choice`: link | new | not_reaccept, with `repeat_of` one of `repeat_candidates`);
    the event keeps the choice, the candidate and the reason. `arrived_at`: when the letter arrived, the
    visit happened or the form was submitted — the clocks count from it (backdating only within
    XINFANG_BACKDATE_MAX_DAYS, logged)."""
    petitioners = petitioners or []
    attachments = attachments or []
    flags = flags or {}
    if force_new and not repeat_choice:
        repeat_choice = "new"
    if actor.petitioner:
        if body is None:
            raise PermissionDenied(gettext("网上信访须指定受理的信访部门。"))
        if repeat_choice or arrived_at is not None:
            raise PermissionDenied(gettext("信访人不能指定登记方式。"))
    else:
        actor.require_role(Role.REGISTRAR)
        body = actor.body
    people_count = people_count or max(1, len(petitioners))
    _validate(
        request=request,
        petitioners=petitioners,
        petition_type=petition_type,
        channel=channel,
        anonymous=anonymous,
        people_count=people_count,
        attachments=attachments,
    )
    if repeat_choice == "new" and repeat_of is not None and not force_reason.strip():
        message = gettext("作为新事项登记时，请写明与原事项不同之处。")
        raise ValidationFailed(message, code="missing_reason", extra={"force_reason": message})
    now = registered_at or timezone.now()
    arrived = _arrival(arrived_at, now)
    today = local_date(now)
    if suggestion:
        # What intake suggested is kept beside what the registrar chose, so both can be shown and compared.
        suggestion = {
            **suggestion,
            "chosen": {
                "category": {"code": category.code, "name": category.name} if category else None,
                "petition_type": petition_type,
                "law_related": bool(flags.get("law_related")),
            },
        }

    with transaction.atomic(), events_chained_last():
        people = [
            person_get_or_create(
                name=p.name,
                id_number=p.id_number,
                phone=p.phone,
                address=p.address,
                email=p.email,
                # staff have the petitioner before them; the portal's submitter is not identified
                update_contact=not actor.petitioner,
                actor=actor,
            )
            for p in petitioners
        ]
        candidates = repeat_candidates(
            people=people,
            problem_region=problem_region,
            request=request,
            facts=facts,
            subject_text=subject_text,
        )
        earlier = candidates[0].case if candidates else None
        if repeat_of is not None:
            wanted = repeat_of.pk if isinstance(repeat_of, Case) else int(repeat_of)
            earlier = next((c.case for c in candidates if c.case.pk == wanted), None)
            if earlier is None:
                message = gettext("所选原事项与本次信访不是同一信访人的同一事项。")
                raise ValidationFailed(message, code="not_a_candidate", extra={"repeat_of": message})
        row = registration_outcome(earlier=earlier, body=body, today=today, choice=repeat_choice)
        code = query_code_new()
        opening = OPENING["xinfang" if body.kind == BodyKind.XINFANG else "agency"]
        state = row.state or opening.state
        case = Case(
            number=case_number_next(body=body, year=today.year),
            query_code_hash=query_code_hash(code),
            channel=channel,
            petition_type=petition_type,
            category=category,
            problem_region=problem_region,
            title=title.strip()[:200],
            request=request.strip(),
            facts=facts.strip(),
            subject_text=subject_text,
            subject_body=subject_body,
            anonymous=anonymous and not petitioners,
            people_count=people_count,
            law_related=bool(flags.get("law_related")),
            skipped_levels=bool(flags.get("skipped_levels")),
            is_group=bool(flags.get("is_group")) or people_count >= settings.XINFANG_GROUP_VISIT_MIN_PEOPLE,
            cross_boundary=list(flags.get("cross_boundary") or []),
            is_backlog=bool(flags.get("is_backlog")),
            leader_in_charge=bool(flags.get("leader_in_charge")),
            reached_higher=bool(flags.get("reached_higher")),
            registering_body=body,
            current_body=body,
            registered_at=now,
            arrived_at=arrived,
            suggestion=suggestion or {},
            state=state,
        )
        if state == State.RECEIVED:
            case.handling_body = body
            case.received_at = arrived
        linked = earlier if row.repeat else None
        if linked is not None:
            case.is_repeat = True
            case.repeat_of = linked.repeat_of or linked
        if row.state is not None:
            case.closed_at = now
        message = (
            row.message.format(
                number=earlier.number,
                body=earlier.handling_body.name if earlier.handling_body_id else "",
                state=State(earlier.state).label,
            )
            if row.message and earlier is not None
            else ""
        )
        result = RegistrationResult(
            case=case, query_code=code, earlier=linked, outcome=row.outcome, message=message
        )
        # For a receiver of post_save (supervision's 倒流 check): the similarity search of this registration
        # found no earlier case of the same matter, so running it again after the commit cannot find one.
        case.repeat_candidates_none = not candidates  # type: ignore[attr-defined]
        case.save()
        CasePetitioner.objects.bulk_create(
            [
                CasePetitioner(case=case, person=person, is_representative=p.is_representative, order=i)
                for i, (person, p) in enumerate(zip(people, petitioners, strict=True))
            ]
        )
        for f in attachments:
            Attachment.objects.create(
                case=case,
                file=f,
                name=f.name[:200],
                size=f.size,
                content_type=getattr(f, "content_type", "") or "",
                uploaded_by_body=body,
            )
        if row.state is None:
            # the law counts from the day it reached the body (Art. 22, 23: 收到…之日), not from the typing
            clock_start(
                case=case,
                kind=opening.clock.kind,
                body=body,
                start=local_date(arrived),
                days=opening.clock.days,
                legal_basis=opening.clock.legal_basis,
            )
        backdated = (local_date(now) - local_date(arrived)).days
        event = event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=body,
            obj=case,
            action="register",
            new={
                "state": case.state,
                "number": case.number,
                "channel": channel,
                "petition_type": petition_type,
                "repeat_of": case.repeat_of_id,
                "outcome": row.key,
                "repeat_choice": repeat_choice or "",
                "candidate": earlier.number if earlier else None,
                "force_new": repeat_choice == "new",
                "arrived_at": arrived.isoformat(),
                "backdated_days": backdated,
                "suggestion": suggestion or {},
            },
            reason=force_reason or message,
            legal_basis=row.legal_basis,
        )
        if row.notice is not None:
            notice_issue(
                case=case,
                kind=row.notice,
                body=body,
                legal_basis=row.legal_basis,
                context={"reason": message, "earlier": earlier},
                event_id=event.pk,
            )
        # The receipt (with the 查询码) goes to the phone given with this petition, which for the portal may
        # not be the file's: the submitter gets their own case's code, the file is left as it was.
        phones = [p.phone or person.phone for person, p in zip(people, petitioners, strict=True)]
        phones = [ph for ph in phones if ph]
        number = case.number
        transaction.on_commit(lambda: _send_receipt(phones, number, code))
    return result


def _send_receipt(phones: list[str], number: str, code: str) -> None:
    text = f"【信访】您的信访事项已登记，编号{number}，查询码{code}。请妥善保管查询码。"
    sms_send_many((phone, text) for phone in phones)  # one queue write for all the petitioners
