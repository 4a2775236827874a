"""The authentication backend: Django's ModelBackend, with the session's user read by a statement compiled once
(issue 14).

Every request of a logged-in user reads that user (`django.contrib.auth.get_user` → `backend.get_user`). Django's
`ModelBackend.get_user` builds and compiles `User.objects.get(pk=…)` each time — on a cached case page more worker
CPU than any other statement. `user_get_for_session` runs the statement the ORM compiled once per database, with
the same value converters, and returns the same User. Everything else is ModelBackend's and Django's own: an
inactive user is no user (`user_can_authenticate`), and `get_user` still compares the session's hash of the
password with the user's now (a changed password ends every other session). django-axes stays first in
AUTHENTICATION_BACKENDS and still refuses a locked-out login before this backend checks the password.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from xinfang.orgs.selectors import user_get_for_session


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        try:
            user = user_get_for_session(user_id)
        except (ValidationError, ValueError, TypeError):
            return (
                None  # not an id at all (the session is signed, so only a changed user model would do this)
            )
        return user if user is not None and self.user_can_authenticate(user) else None
