from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from xinfang.orgs.acting import Actor

SESSION_KEY = "acting_body_id"


def _actor(request) -> Actor | None:
    user = request.user
    if not user.is_authenticated:
        return None
    body_id = request.session.get(SESSION_KEY)
    memberships = list(user.memberships.select_related("body", "body__region"))
    if not memberships:
        return None
    if body_id is None:
        body_ids = {m.body_id for m in memberships}
        if len(body_ids) != 1:
            return None
        body_id = body_ids.pop()
    chosen = [m for m in memberships if m.body_id == body_id]
    if not chosen:
        return None
    return Actor(user=user, body=chosen[0].body, roles=frozenset(m.role for m in chosen))


class ActingBodyMiddleware:
    """Puts `request.actor` (user, the body chosen at login, the roles held there) on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: _actor(request))
        return self.get_response(request)
