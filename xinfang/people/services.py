"""Finding or creating a petitioner: the same person is one record across all their cases (一人一档)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext

from xinfang.core.errors import ValidationFailed
from xinfang.people.models import Person, PersonKind
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


def person_get_or_create(
    *,
    name: str,
    id_number: str = "",
    phone: str = "",
    address: str = "",
    kind: str = PersonKind.PERSON,
    email: str = "",
) -> Person:
    """The one record for this person: by ID number first, else by name + phone; updates contact details
    the petitioner gives anew (a new phone, a new address) without losing the record."""
    id_number = normalize_id_number(id_number)
    phone = normalize_phone(phone)
    name = (name or "").strip()
    errors = person_validate(name=name, id_number=id_number, phone=phone)
    if errors:
        raise ValidationFailed(gettext("；").join(errors.values()), code="invalid_person", extra=errors)
    person = None
    if id_number:
        person = Person.objects.filter(id_number=id_number).first()
    if person is None and phone:
        person = Person.objects.filter(name=name, phone=phone).order_by("id").first()
        if person is not None and person.id_number and id_number and person.id_number != id_number:
            person = None
    if person is None:
        return Person.objects.create(
            kind=kind, name=name, id_number=id_number or None, phone=phone, address=address, email=email
        )
    changed = []
    for field, value in (("phone", phone), ("address", address), ("email", email)):
        if value and getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)
    if id_number and not person.id_number:
        person.id_number = id_number
        changed.append("id_number")
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    return person
