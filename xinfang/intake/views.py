"""The intake pages: a 协办 task reported done (from the home panel)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from xinfang.core.errors import ApplicationError, NotFound
from xinfang.intake.responsibility import assist_task_complete
from xinfang.orgs.decorators import actor_required


@require_POST
@actor_required
def assist_complete(request, pk: int):
    try:
        assist_task_complete(actor=request.actor, task_id=pk, result=request.POST.get("result", ""))
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已报告协办结果。"))
    return redirect("home")
