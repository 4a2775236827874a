"""Every export writes an event: who took what out of the system, for which scope, how many rows, and
whether personal data left unmasked (PIPL; issue #9). Exports are files that outlive the page, so the log
is the only trace of where a petitioner's data went."""

from __future__ import annotations

from typing import Any

from xinfang.core.events import event_record


def export_record(
    *, actor, kind: str, scope: dict[str, Any], rows: int, personal_data: str = "masked", reason: str = ""
):
    """Log one export. `kind`: what was exported ("ledger_xlsx", "backlog_xlsx", …); `scope`: the filters
    and the body/period it covers; `personal_data`: "masked", "unmasked" or "none"."""
    body = getattr(actor, "body", None)
    return event_record(
        actor=getattr(actor, "user", None),
        actor_label=getattr(actor, "label", "") or "系统",
        body=body,
        object_type="export",
        object_id=kind,
        action="export",
        new={"kind": kind, "scope": scope, "rows": rows, "personal_data": personal_data},
        reason=reason,
    )
