"""The home page's to-dos (settings.XINFANG_HOME_PANELS): drafts awaiting the head; the officer's drafts
sent back; documents this body issued that are not yet received (their 复查/复核 windows wait for it). The
daily ledger's section (settings.XINFANG_LEDGER_PANELS) lists those unserved documents one by one."""

from __future__ import annotations

from django.utils import timezone

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


LEDGER_LIMIT = 50


def ledger_panel(actor) -> dict | None:
    """The daily ledger's section (settings.XINFANG_LEDGER_PANELS): this body's notices not yet received by
    the petitioner, oldest first — until the receipt is recorded the 复查/复核 window has no date. One query
    (the visible cases are a subquery of it)."""
    if actor is None or actor.body is None:
        return None
    if not actor.has_role(Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD):
        return None
    rows = list(
        selectors.documents_unserved(actor=actor)
        .select_related("case", "service")
        .order_by("issued_on", "id")[: LEDGER_LIMIT + 1]
    )
    today = timezone.localdate()
    for row in rows:
        row.waiting_days = (today - row.issued_on).days  # type: ignore[attr-defined]
    return {
        "template": "documents/_ledger_panel.html",
        "documents": rows[:LEDGER_LIMIT],
        "more": len(rows) > LEDGER_LIMIT,
    }
