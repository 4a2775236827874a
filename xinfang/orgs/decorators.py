from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect


def actor_required(view):
    """A staff view: logged in, acting for a chosen body. Puts the resolved Actor on request.actor."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.actor:
            return redirect("choose_body")
        request.actor = request.actor._wrapped if hasattr(request.actor, "_wrapped") else request.actor
        return view(request, *args, **kwargs)

    return wrapper
