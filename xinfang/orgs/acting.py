"""Who is acting, for which body, in which roles: the one object every service receives as `actor`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext

from xinfang.core.errors import PermissionDenied
from xinfang.orgs.models import Body, Role, User


@dataclass(frozen=True)
class Actor:
    user: User | None
    body: Body | None
    roles: frozenset[str] = field(default_factory=frozenset)
    # Set for the petitioner acting through the portal (no staff account).
    petitioner: bool = False

    @property
    def label(self) -> str:
        if self.petitioner:
            return "信访人"
        if self.user is None:
            return "系统"
        return self.user.get_full_name()

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def require_role(self, *roles: str) -> None:
        if not self.has_role(*roles):
            names = gettext("、").join(gettext(Role(r).label) for r in roles)
            raise PermissionDenied(
                gettext("此操作需要以下角色之一：%(roles)s。") % {"roles": names}, code="role_required"
            )


def actor_for(user: User, body: Body) -> Actor:
    roles = frozenset(user.memberships.filter(body=body).values_list("role", flat=True))
    if not roles:
        raise PermissionDenied(gettext("您不属于该机关。"), code="not_a_member")
    return Actor(user=user, body=body, roles=roles)


SYSTEM = Actor(user=None, body=None, roles=frozenset())
PETITIONER = Actor(user=None, body=None, roles=frozenset(), petitioner=True)
