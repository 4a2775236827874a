"""Who may open the search URLs (xinfang/core/access.py). What they see is case_list_visible's."""

from xinfang.core.access import rule

RULES = {
    "search:search": rule("staff", note="every case the acting body may see (case_list_visible)"),
    "search:export": rule("staff", note="the same list as CSV, personal data masked, logged as an event"),
    "search:bulk": rule("staff", note="签收 through the transition table; 分派 by agency heads/registrars"),
    "search:view_save": rule("staff", scope="none", note="the user's own saved searches"),
    "search:view_delete": rule("staff", scope="none", note="only the user's own (404 otherwise)"),
}
