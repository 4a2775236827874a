"""Finding or creating a petitioner: the same person is one record across all their cases (一人一档)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext

from xinfang.core.db import Prepared, first_of, row_insert
from xinfang.core.errors import ValidationFailed
from xinfang.core.events import event_record
from xinfang.people.masking import mask_address
from xinfang.people.models import Person, PersonKind, mask_email, mask_phone
from xinfang.people.validators import normalize_id_number, normalize_phone, validate_id_number, validate_phone


def person_validate(*, name: str, id_number: str = "", phone: str = "") -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = gettext("请填写信访人姓名（名称）。")
    for field, value, check in (
        ("id_number", id_number, validate_id_number),
        ("phone", phone, validate_phone),
    ):
        if value:
            try:
                check(value)
            except DjangoValidationError as exc:
                errors[field] = exc.messages[0]
    return errors


# The two reads of every registration, compiled once per database (core.db.Prepared).
_BY_ID_NUMBER = Prepared(lambda id_number: first_of(Person.objects.filter(id_number=id_number)), text=(0,))
_BY_NAME_PHONE = Prepared(
    lambda name, phone: first_of(Person.objects.filter(name=name, phone=phone).order_by("id")), text=(0, 1)
)


def person_get_or_create(
    *,
    name: str,
    id_number: str = "",
    phone: str = "",
    address: str = "",
    kind: str = PersonKind.PERSON,
    email: str = "",
    update_contact: bool = True,
    actor=None,
) -> Person:
    """The one record for this person: by ID number first, else by name + phone; updates contact details
    the petitioner gives anew (a new phone, a new address) without losing the record — unless
    `update_contact` is False: what arrives with an ID number from someone nobody has identified (the
    portal) never changes the file, so knowing an ID number does not redirect a petitioner's messages
    (issue #9; the portal changes contact details with the case's 查询码: portal_contact_change). Every change
    is logged, masked."""
    id_number = normalize_id_number(id_number)
    phone = normalize_phone(phone)
    name = (name or "").strip()
    errors = person_validate(name=name, id_number=id_number, phone=phone)
    if errors:
        raise ValidationFailed(gettext("；").join(errors.values()), code="invalid_person", extra=errors)
    person = None
    if id_number:
        person = _BY_ID_NUMBER.first(id_number)
    if person is None and phone:
        person = _BY_NAME_PHONE.first(name, phone)
        if person is not None and person.id_number and id_number and person.id_number != id_number:
            person = None
    if person is None:
        person = Person(
            kind=kind, name=name, id_number=id_number or None, phone=phone, address=address, email=email
        )
        row_insert(person)  # Person.objects.create, its INSERT compiled once
        return person
    changed = []
    old = {}
    for field, value in (("phone", phone), ("address", address), ("email", email)):
        if update_contact and value and getattr(person, field) != value:
            old[field] = getattr(person, field)
            setattr(person, field, value)
            changed.append(field)
    if id_number and not person.id_number:
        person.id_number = id_number
        changed.append("id_number")
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
        if old:
            contact_change_record(person=person, old=old, actor=actor, reason="登记时信访人提供新的联系方式")
    return person


def _masked(field: str, value: str) -> str:

    return {"phone": mask_phone, "email": mask_email, "address": mask_address}[field](value or "")


def contact_change_record(*, person: Person, old: dict[str, str], actor=None, reason: str = "") -> None:
    """The event of a change of contact details: which fields, old and new masked (the log is not a second
    copy of the personal data)."""
    event_record(
        actor=getattr(actor, "user", None),
        actor_label=getattr(actor, "label", "") or "系统",
        body=getattr(actor, "body", None),
        obj=person,
        action="contact_change",
        old={f: _masked(f, v) for f, v in old.items()},
        new={f: _masked(f, getattr(person, f)) for f in old},
        reason=reason,
    )
