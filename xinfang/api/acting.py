"""The acting body of an API caller: the `X-Acting-Body` header, checked against the user's memberships."""

from __future__ import annotations

from django.utils.translation import gettext

from xinfang.core.errors import PermissionDenied
from xinfang.orgs.acting import Actor
from xinfang.orgs.selectors import memberships_for

HEADER = "HTTP_X_ACTING_BODY"


def api_actor(request) -> Actor:
    """An integration acts for one body at a time. With one membership the header may be left out."""
    memberships = list(memberships_for(request.user))
    if not memberships:
        raise PermissionDenied(gettext("该账号不属于任何机关，不能调用接口。"), code="not_a_member")
    code = (request.META.get(HEADER) or "").strip()
    if code:
        chosen = [m for m in memberships if m.body.code == code]
        if not chosen:
            raise PermissionDenied(gettext("您不属于机关“%(code)s”。") % {"code": code}, code="not_a_member")
    else:
        if len({m.body_id for m in memberships}) != 1:
            raise PermissionDenied(
                gettext("您属于多个机关，请在请求头 X-Acting-Body 中指明代表的机关代码。"),
                code="acting_body_required",
            )
        chosen = memberships
    return Actor(user=request.user, body=chosen[0].body, roles=frozenset(m.role for m in chosen))
