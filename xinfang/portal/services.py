"""Writes from the petitioner's portal. They add the portal's protections (rate limits, lockout) around
the cases services and never change a case any other way."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from xinfang.cases.models import Case, Channel
from xinfang.cases.querycode import query_code_check, query_code_hash
from xinfang.cases.services import PetitionerInput, RegistrationResult, case_act, case_register
from xinfang.cases.services.numbering import case_number_normalize
from xinfang.cases.workflow import ClockKind
from xinfang.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from xinfang.core.events import event_record
from xinfang.core.notify import email_send, sms_send
from xinfang.core.outbox import event_record_later
from xinfang.deadlines.models import Clock
from xinfang.evaluation.services import evaluation_record
from xinfang.orgs.acting import PETITIONER
from xinfang.orgs.models import Body, BodyKind, Region, RegionLevel
from xinfang.orgs.selectors import body_of_kind_for_region
from xinfang.people.models import Person
from xinfang.people.services import contact_change_record
from xinfang.portal import ratelimit

# Compared against when the 编号 does not exist, so that "no such number" costs the same time as a
# wrong code and the two cannot be told apart.
_DUMMY_HASH = query_code_hash("PORTALDUMMY")
WRONG_NUMBER_OR_CODE = gettext_lazy("编号或查询码不正确，请核对后重新输入。")


class WrongNumberOrCode(NotFound):
    code = "wrong_number_or_code"
    default_message = WRONG_NUMBER_OR_CODE


@dataclass(frozen=True)
class PetitionInput:
    name: str
    id_number: str
    phone: str
    address: str
    problem_region: Region
    petition_type: str
    request: str
    facts: str
    email: str = ""


def portal_body_for_region(*, region: Region) -> Body:
    """The 信访部门 that registers an online petition: the county's for a county or township, the city's
    for the city — the level closest to the matter (属地管理, 条例 Art. 22)."""
    level_region = region
    while level_region.level == RegionLevel.TOWNSHIP and level_region.parent_id is not None:
        level_region = level_region.parent
    body = body_of_kind_for_region(region=level_region, kind=BodyKind.XINFANG)
    if body is None:
        raise ValidationFailed(
            gettext("该地区暂未开通网上信访，请向当地信访部门来信或来访。"), code="no_xinfang_body"
        )
    return body


def portal_submit(*, petition: PetitionInput, attachments: list, address: str) -> RegistrationResult:
    """Register an online petition at the 信访部门 of its 问题属地, after the rate limits.

    Every valid attempt counts against the limits (also one the service refuses), so that the limits
    cannot be probed for free. The receipt SMS is sent by case_register; the e-mail (if given) here."""
    ratelimit.SUBMIT_PER_ADDRESS.check(address)
    ratelimit.SUBMIT_PER_ID.check(petition.id_number)
    ratelimit.SUBMIT_PER_ADDRESS.hit(address)
    ratelimit.SUBMIT_PER_ID.hit(petition.id_number)
    body = portal_body_for_region(region=petition.problem_region)
    result = case_register(
        actor=PETITIONER,
        body=body,
        channel=Channel.ONLINE,
        petition_type=petition.petition_type,
        problem_region=petition.problem_region,
        request=petition.request,
        facts=petition.facts,
        petitioners=[
            PetitionerInput(
                name=petition.name,
                id_number=petition.id_number,
                phone=petition.phone,
                address=petition.address,
                email=petition.email,
            )
        ],
        attachments=attachments,
    )
    if petition.email:
        number, code, to = result.case.number, result.query_code, petition.email
        transaction.on_commit(
            lambda: email_send(
                to=[to],
                subject=f"【信访】您的信访事项已登记（编号{number}）",
                text=(
                    f"您的信访事项已由{body.name}登记，编号{number}，查询码{code}。\n"
                    "请妥善保管查询码，凭编号和查询码可在网上信访“查询进展”中查看办理情况。"
                ),
            )
        )
    return result


def portal_case_unlock(*, number: str, code: str, address: str) -> Case:
    """The case for this 编号 and 查询码, or one and the same refusal whatever was wrong.

    Locked out after 5 wrong codes per 编号 and per address for 15 minutes; while locked even the right
    code is refused (otherwise the lockout would still answer the guess)."""
    ratelimit.TRACK_PER_ADDRESS.check(address)
    ratelimit.WRONG_CODE_PER_ADDRESS.check(address)
    typed, number = number, case_number_normalize(number)
    code = unicodedata.normalize("NFKC", code or "")  # a full-width 查询码 is the same code
    if number is None:
        # Not a 编号 at all (a typo in its shape): said so, and no guess of a code was made, so it does not
        # count toward the wrong-code lockout (only toward the plain rate limit).
        ratelimit.TRACK_PER_ADDRESS.hit(address)
        raise ValidationFailed(
            gettext("编号格式不正确（如 990101-xinfang-2026-000042），请核对后重新输入。"),
            code="malformed_number",
            extra={"number": typed[:60]},
        )
    number_key = number.upper()
    ratelimit.WRONG_CODE_PER_NUMBER.check(number_key)
    ratelimit.TRACK_PER_ADDRESS.hit(address)
    case = (
        Case.objects.filter(number=number).only("pk", "number", "query_code_hash", "registering_body").first()
    )
    ok = query_code_check(code, case.query_code_hash if case else _DUMMY_HASH)
    if case is None or not ok:
        ratelimit.WRONG_CODE_PER_ADDRESS.hit(address)
        ratelimit.WRONG_CODE_PER_NUMBER.hit(number_key)
        raise WrongNumberOrCode()
    ratelimit.WRONG_CODE_PER_NUMBER.reset(number_key)
    event_record_later(  # through the outbox, as staff reads (ADR 0015)
        actor=None,
        actor_label="信访人（网上查询）",
        body=None,
        obj=case,
        action="read",
        reason="凭查询码查询",
    )
    return case


def portal_evaluate(*, case: Case, result: str, comment: str = ""):
    """The petitioner's evaluation of the latest answer, once (the service enforces it; this only gives a
    replayed form the plain reason instead of "the window has closed")."""

    window = Clock.objects.filter(case=case, kind=ClockKind.EVALUATION).order_by("-id").first()
    if window is not None and not window.is_open and window.stopped_by == "evaluate":
        raise Conflict(gettext("该答复您已经评价过，每次答复只能评价一次。"), code="already_evaluated")
    return evaluation_record(case=case, actor=PETITIONER, result=result, comment=comment)


def portal_appeal(*, case: Case, action: str, reason: str) -> Case:
    """请求复查 (Art. 35) or 复核 (Art. 36) by the petitioner; the service checks the window."""
    if action not in ("request_review", "request_rereview"):
        raise ApplicationError(gettext("未知的请求。"), code="unknown_action")
    return case_act(case=case, actor=PETITIONER, action=action, reason=reason)


def portal_contact_change(*, case: Case, phone: str = "", address: str = "", email: str = ""):
    """The petitioner of a case unlocked with its 编号 and 查询码 changes their contact details (issue #9):
    the only way the portal changes a person's file. The change is logged (masked), and the old phone and
    e-mail are told, so that a change nobody asked for is noticed by the person it concerns."""

    link = case.petitioners.order_by("-is_representative", "order", "id").first()
    if link is None:
        raise ValidationFailed(gettext("该事项没有登记信访人，无法变更联系方式。"), code="no_petitioner")
    new = {"phone": (phone or "").strip(), "address": (address or "").strip(), "email": (email or "").strip()}
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=link.person_id)
        old = {f: getattr(person, f) for f, v in new.items() if v and getattr(person, f) != v}
        if not old:
            raise ValidationFailed(gettext("填写的联系方式与原来的相同。"), code="contact_unchanged")
        for field in old:
            setattr(person, field, new[field])
        person.full_clean(exclude=["id_number", "name", "kind"])
        person.save(update_fields=[*old, "updated_at"])
        contact_change_record(
            person=person,
            old=old,
            actor=PETITIONER,
            reason=f"信访人凭编号和查询码变更联系方式（事项{case.number}）",
        )
        event_record(
            actor=None,
            actor_label="信访人（网上查询）",
            body=None,
            obj=case,
            action="contact_change",
            new={"person": person.pk, "fields": sorted(old)},
        )
        body_name = case.registering_body.name if case.registering_body_id else ""
        # Sent texts stay Chinese, like the registration receipt (docs/architecture.md, i18n).
        text = f"【信访】您在信访事项{case.number}中登记的联系方式已变更。如非本人操作，请尽快与{body_name}联系。"
        old_phone, old_email = person_old_contact(old, person)
        transaction.on_commit(lambda: sms_send(phone=old_phone, text=text))
        if old_email:
            transaction.on_commit(
                lambda: email_send(to=[old_email], subject="【信访】联系方式变更提醒", text=text)
            )
    return person


def person_old_contact(old: dict[str, str], person) -> tuple[str, str]:
    """The phone and e-mail to tell: the old ones where they changed, else the ones still on file."""
    return old.get("phone", person.phone), old.get("email", person.email)
