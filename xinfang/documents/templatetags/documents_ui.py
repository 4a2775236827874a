"""The case page's documents card: ``{% load documents_ui %}{% case_documents_card %}`` (in
``documents/_case_documents.html``, which the staff case page includes)."""

from __future__ import annotations

from django import template

from xinfang.documents import selectors
from xinfang.documents.forms import CommentForm, ServiceForm
from xinfang.documents.models import DraftStatus
from xinfang.orgs.models import Role

register = template.Library()


def panel_context(request, case_id: int, case=None) -> dict:
    """case: the case the page already read through case_get_for_actor for this request's actor, if any."""
    actor = request.actor
    case, documents = selectors.case_documents(actor=actor, case_id=case_id, case=case)
    rows = []
    for d in documents:
        service = getattr(d, "service", None) if hasattr(d, "service") else None
        rows.append(
            {
                "d": d,
                "service": service,
                "own": actor.body is not None and d.issued_by_id == actor.body.pk,
                "form": ServiceForm(prefix=f"svc{d.pk}"),
            }
        )
    drafts = [
        x for x in selectors.case_drafts(case=case) if x.status in (DraftStatus.PENDING, DraftStatus.RETURNED)
    ]
    return {
        "case": case,
        "rows": rows,
        "drafts": drafts,
        "is_head": actor.has_role(Role.AGENCY_HEAD),
        "comment_form": CommentForm(),
        "actor_body_id": actor.body.pk if actor.body else None,
    }


@register.inclusion_tag("documents/_case_documents_panel.html", takes_context=True)
def case_documents_card(context):
    request = context["request"]
    case = context["case"]
    # the case page's case, read through case_get_for_actor by the view for this same actor
    return {
        **panel_context(request, case.pk, case=case),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
