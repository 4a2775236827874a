"""Registering a petition (登记): numbering, the 查询码, petitioners (一人一档), repeats, Art. 19 and 36."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.models import (
    MAX_ATTACHMENT_BYTES,
    Attachment,
    Case,
    CasePetitioner,
    Category,
    Channel,
    NoticeKind,
    PetitionType,
    State,
)
from xinfang.cases.querycode import query_code_hash, query_code_new
from xinfang.cases.services.notices import notice_issue
from xinfang.cases.services.numbering import case_number_next
from xinfang.cases.similarity import same_matter
from xinfang.cases.workflow import OPEN_STATES, ClockKind
from xinfang.core.db import retry_on_deadlock
from xinfang.core.errors import PermissionDenied, ValidationFailed
from xinfang.core.events import event_record
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
    for f in attachments:
        if f.size > MAX_ATTACHMENT_BYTES:
            errors["attachments"] = gettext("附件“%(name)s”超过20MB。") % {"name": f.name}
    if errors:
        raise ValidationFailed(
            gettext("登记信息有误：%(errors)s") % {"errors": gettext("；").join(errors.values())},
            code="invalid_registration",
            extra=errors,
        )


def find_earlier_same_matter(
    *,
    people: list[Person],
    problem_region: Region,
    request: str,
    facts: str = "",
    subject_text: str = "",
    exclude_pk: int | None = None,
) -> Case | None:
    """The earliest case of the same person on the same matter (DOMAIN §9): one petitioner in common (or,
    for an anonymous report, the same subject), the same 问题属地, and a request that is basically the same."""
    person_ids = [p.pk for p in people]
    if person_ids:
        qs = Case.objects.filter(petitioners__person_id__in=person_ids)
    elif subject_text:
        qs = Case.objects.filter(anonymous=True, subject_text=subject_text)
    else:
        return None
    qs = (
        qs.filter(problem_region=problem_region, is_repeat=False)
        .exclude(pk=exclude_pk)
        .distinct()
        .order_by("registered_at")
        .only("pk", "request", "facts", "title", "state", "number", "handling_body", "rereviewed_at")
    )
    for earlier in qs[:50]:
        if same_matter(f"{request}\n{facts}", f"{earlier.request}\n{earlier.facts}"):
            return earlier
    return None


def _art19_lower_body_handling(earlier: Case, body: Body) -> bool:
    """Art. 19 ¶3: accepted or being handled below, within its period, and now brought to a higher body."""
    if earlier.state not in {State.RECEIVED, State.ACCEPTED} or earlier.handling_body_id is None:
        return False
    handler = Body.objects.select_related("region").get(pk=earlier.handling_body_id)
    return (
        handler.pk != body.pk
        and handler.region.path.startswith(body.region.path)
        and (handler.region_id != body.region_id or handler.path.startswith(body.path))
        and earlier.clocks.filter(is_open=True, kind__in=[ClockKind.ACCEPTANCE, ClockKind.HANDLING]).exists()
    )


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
) -> RegistrationResult:
    """Register a petition. A repeat of an open matter is linked to it instead of opening a second case;
    after 终结 the same matter is refused with a 不再受理 notice; a matter accepted below within its period is
    refused by the higher level (Art. 19)."""
    petitioners = petitioners or []
    attachments = attachments or []
    flags = flags or {}
    if actor.petitioner:
        if body is None:
            raise PermissionDenied(gettext("网上信访须指定受理的信访部门。"))
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
    now = registered_at or timezone.now()
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

    with transaction.atomic():
        people = [
            person_get_or_create(
                name=p.name, id_number=p.id_number, phone=p.phone, address=p.address, email=p.email
            )
            for p in petitioners
        ]
        earlier = (
            None
            if force_new
            else find_earlier_same_matter(
                people=people,
                problem_region=problem_region,
                request=request,
                facts=facts,
                subject_text=subject_text,
            )
        )
        code = query_code_new()
        direct = body.kind != BodyKind.XINFANG  # an agency registering what was brought to it (Art. 23)
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
            suggestion=suggestion or {},
            state=State.RECEIVED if direct else State.REGISTERED,
        )
        if direct:
            case.handling_body = body
            case.received_at = now
        result = RegistrationResult(case=case, query_code=code, earlier=earlier)
        notice_kind = None
        if earlier is not None:
            root = earlier.repeat_of or earlier
            case.is_repeat = True
            case.repeat_of = root
            if earlier.state in {State.TERMINATED} or (
                earlier.state == State.ARCHIVED and earlier.rereviewed_at
            ):
                case.state = State.NOT_REACCEPTED
                case.closed_at = now
                notice_kind = NoticeKind.NOT_REACCEPT
                result.outcome = "not_reaccepted"
                result.message = f"该事项已经复核终结（原编号{earlier.number}），同一事实和理由不再受理。"
            elif _art19_lower_body_handling(earlier, body):
                case.state = State.NOT_ACCEPTED
                case.closed_at = now
                notice_kind = NoticeKind.NOT_ACCEPT
                result.outcome = "not_accepted"
                result.message = (
                    f"该事项已由{earlier.handling_body.name}受理、正在办理期限内（原编号{earlier.number}），"
                    "上级机关不予受理（《信访工作条例》第十九条第三款）。"
                )
            elif earlier.state in OPEN_STATES or earlier.state in {State.CONCLUDED, State.ARCHIVED}:
                case.state = State.REPEAT_LINKED
                case.closed_at = now
                result.outcome = "repeat_linked"
                result.message = f"与{earlier.number}为同一信访人反映的同一事项，已作为重复信访并入原事项。"
            else:  # refused or diverted earlier: a new petition is a new case, flagged as a repeat
                case.state = State.REGISTERED if not direct else State.RECEIVED
                result.outcome = "registered"
                result.message = (
                    f"与{earlier.number}（{State(earlier.state).label}）为同一事项，已标记为重复信访。"
                )
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
        if case.state == State.REGISTERED:
            clock_start(
                case=case,
                kind=ClockKind.REGISTRATION,
                body=body,
                start=today,
                days=15,
                legal_basis="第二十二条",
            )
        elif case.state == State.RECEIVED:
            clock_start(
                case=case,
                kind=ClockKind.ACCEPTANCE,
                body=body,
                start=today,
                days=15,
                legal_basis="第二十三条第二款",
            )
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
                "force_new": force_new,
                "suggestion": suggestion or {},
            },
            reason=force_reason or result.message,
            legal_basis="《信访工作条例》第二十二条、第二十三条",
        )
        if notice_kind is not None:
            legal = (
                "《信访工作条例》第三十六条第三款"
                if notice_kind == NoticeKind.NOT_REACCEPT
                else "《信访工作条例》第十九条第三款"
            )
            notice_issue(
                case=case,
                kind=notice_kind,
                body=body,
                legal_basis=legal,
                context={"reason": result.message, "earlier": earlier},
                event_id=event.pk,
            )
        phones = [p.phone for p in people if p.phone]
        number = case.number
        transaction.on_commit(lambda: _send_receipt(phones, number, code))
    return result


def _send_receipt(phones: list[str], number: str, code: str) -> None:
    from xinfang.core.notify import sms_send

    for phone in phones:
        sms_send(
            phone=phone, text=f"【信访】您的信访事项已登记，编号{number}，查询码{code}。请妥善保管查询码。"
        )
