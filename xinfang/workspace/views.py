from __future__ import annotations

from django.shortcuts import render

from xinfang.orgs.decorators import actor_required
from xinfang.orgs.models import Role


@actor_required
def home(request):
    actor = request.actor
    roles = [Role(r).label for r in sorted(actor.roles)]
    return render(request, "workspace/home.html", {"roles": roles})
