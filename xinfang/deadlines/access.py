"""Who may open the daily ledger (每日交账销账)."""

from xinfang.core.access import rule
from xinfang.orgs.models import Role

OVERSIGHT = (Role.SUPERVISOR, Role.LEADER, Role.AGENCY_HEAD, Role.ADMINISTRATOR)

RULES = {
    "deadlines:ledger": rule("staff"),
    "deadlines:clear": rule("staff", scope="ledger_item", object_kwarg="pk", note="own body's items only"),
    "deadlines:oversight": rule("staff", *OVERSIGHT),
    "deadlines:oversight_body": rule("staff", *OVERSIGHT, scope="body", object_kwarg="body_id"),
}
