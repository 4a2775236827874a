"""The home page's to-dos (settings.XINFANG_HOME_PANELS): drafts awaiting the head; the officer's drafts
sent back; documents this body issued that are not yet received (their 复查/复核 windows wait for it)."""

from __future__ import annotations

from xinfang.documents import selectors
from xinfang.orgs.models import Role


def panel(actor) -> dict | None:
    if actor is None or actor.body is None:
        return None
    if not actor.has_role(Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD):
        return None
    pending = selectors.drafts_pending(actor=actor).count() if actor.has_role(Role.AGENCY_HEAD) else 0
    returned = selectors.drafts_returned(actor=actor).count()
    unserved = selectors.documents_unserved(actor=actor).count()
    if not (pending or returned or unserved):
        return None
    return {
        "template": "documents/_home_panel.html",
        "pending": pending,
        "returned": returned,
        "unserved": unserved,
    }
