"""Who may open the figures and their Excel exports (each export writes an event: core/exports.py)."""

from xinfang.core.access import rule

RULES = {
    "analytics:dashboard": rule(
        "staff", note="figures scope: the body and those under it, no 检举控告 about it"
    ),
    "analytics:ledger_xlsx": rule("staff", note="the queue; personal data masked unless asked with a reason"),
    "analytics:backlog_xlsx": rule("staff", note="cases_visible_to ∩ figures scope; masked unless asked"),
    "analytics:figures_xlsx": rule("staff", note="counts only"),
}
