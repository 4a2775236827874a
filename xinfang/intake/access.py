"""Who may open the intake URLs (xinfang/core/access.py)."""

from xinfang.core.access import rule

RULES = {
    "intake:assist_complete": rule("staff", note="only a task of the acting body (404 otherwise)"),
}
