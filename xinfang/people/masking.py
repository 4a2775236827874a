"""Personal data (ID number, phone, address, e-mail) is masked wherever it is shown or exported, unless a
role that needs it asks for it with a reason, and that is logged (PIPL; docs/domain.md §12; issue #9)."""

from __future__ import annotations

from xinfang.orgs.models import Role
from xinfang.people.models import mask_email, mask_id_number, mask_phone

# The roles whose work needs a petitioner's contact details: to register, to reach, to answer them.
PERSONAL_DATA_ROLES = (Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD)


def mask_address(value: str) -> str:
    """东城区人民路12号3单元 → 东城区人*** (the district stays: where, not whose door)."""
    value = value or ""
    return f"{value[:4]}***" if len(value) > 4 else ("***" if value else "")


def may_see_personal_data(actor) -> bool:
    return bool(actor is not None and actor.has_role(*PERSONAL_DATA_ROLES))


__all__ = [
    "PERSONAL_DATA_ROLES",
    "mask_address",
    "mask_email",
    "mask_id_number",
    "mask_phone",
    "may_see_personal_data",
]
