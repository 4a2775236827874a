"""Test helpers: actors for demo bodies and a case registered through the real service."""

from __future__ import annotations

from xinfang.cases.models import Category, Channel, PetitionType
from xinfang.cases.services import PetitionerInput, case_register
from xinfang.orgs.acting import PETITIONER, Actor, actor_for
from xinfang.orgs.models import Body, Membership, Region, Role, User

VALID_IDS = ["110101199003074477", "440106198507211234", "330102197901015678", "11010519491231002X"]


def valid_id(seed: int) -> str:
    from xinfang.people.validators import id_number_check_char

    first17 = f"1101011990{(seed % 12) + 1:02d}{(seed % 28) + 1:02d}{seed % 1000:03d}"
    return first17 + id_number_check_char(first17)


def actor(code: str, role: str = Role.CASE_OFFICER, username: str | None = None) -> Actor:
    body = Body.objects.get(code=code)
    username = username or f"{role}-{code}"
    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": username})
    Membership.objects.get_or_create(user=user, body=body, role=role)
    return actor_for(user, body)


def registrar(code: str = "990101-xinfang") -> Actor:
    return actor(code, Role.REGISTRAR)


def officer(code: str = "990101-housing") -> Actor:
    return actor(code, Role.CASE_OFFICER)


def head(code: str = "990101-housing") -> Actor:
    return actor(code, Role.AGENCY_HEAD)


def register(
    *,
    by: Actor | None = None,
    seed: int = 1,
    request: str | None = None,
    petition_type=None,
    region: str = "990101001",
    **kwargs,
):
    by = by or registrar()
    petitioners = kwargs.pop("petitioners", None)
    if petitioners is None:
        petitioners = [
            PetitionerInput(name=f"测试人{seed}", id_number=valid_id(seed), phone=f"1380000{seed:04d}")
        ]
    return case_register(
        actor=by,
        channel=kwargs.pop("channel", Channel.LETTER),
        petition_type=petition_type or PetitionType.APPEAL,
        problem_region=Region.objects.get(code=region),
        request=request or f"小区{seed}号楼屋顶漏水多年，物业和开发商互相推诿，请求责令维修并赔偿损失",
        facts=kwargs.pop("facts", "多次找物业无果。"),
        category=kwargs.pop("category", Category.objects.get(code="urban_rural")),
        petitioners=petitioners,
        **kwargs,
    )


__all__ = ["PETITIONER", "actor", "head", "officer", "register", "registrar", "valid_id"]
