"""Finding a petitioner by who they are (the whole ID number, or a phone only one person has). These reads
do not say which cases a person has: what a body may see of a person goes through the cases it may see
(`xinfang.cases.selectors.persons_visible_to` / `person_get_for_actor`)."""

from __future__ import annotations

from django.db.models import Q

from xinfang.people.models import Person
from xinfang.people.validators import normalize_id_number, normalize_phone


def person_find_by_identity(*, id_number: str = "", phone: str = "") -> Person | None:
    """The one person with this ID number, else (no ID number given) the only person with this phone."""
    id_number = normalize_id_number(id_number or "")
    if id_number:
        return Person.objects.filter(id_number=id_number).first()
    phone = normalize_phone(phone or "")
    if not phone:
        return None
    found = list(Person.objects.filter(phone=phone).order_by("id")[:2])
    return found[0] if len(found) == 1 else None


def persons_by_identity(*, id_numbers=(), phones=()) -> list[Person]:
    """The people known by these ID numbers or phones (repeat detection at intake compares their cases)."""

    ids = {normalize_id_number(i) for i in id_numbers if i and i.strip()} - {""}
    tels = {normalize_phone(p) for p in phones if p and p.strip()} - {""}
    if not ids and not tels:
        return []
    return list(Person.objects.filter(Q(id_number__in=ids) | Q(phone__in=tels)))


def phone_is_shared(phone: str) -> bool:
    return Person.objects.filter(phone=normalize_phone(phone or "")).count() > 1
