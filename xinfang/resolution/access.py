"""Who may open each one-stop-centre URL (xinfang.core.access). A referral is seen by the organisation it was
sent to (Role.MEDIATOR at the organisation's own body) and by the body that sent it; the selectors in
xinfang/resolution/selectors.py decide, anyone else gets 404."""

from xinfang.core.access import rule
from xinfang.orgs.models import Role

REFERRERS = (Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD)
READERS = (*REFERRERS, Role.MEDIATOR, Role.LEADER, Role.SUPERVISOR)
FIGURES = (Role.REGISTRAR, Role.LEADER, Role.SUPERVISOR, Role.AGENCY_HEAD)

REFERRAL = rule(
    "staff",
    *READERS,
    scope="body",
    note="a referral by pk through referral_get_for_actor: the receiving organisation or the referring body, else 404",
)
RECORD = rule(
    "staff",
    Role.MEDIATOR,
    *REFERRERS,
    scope="body",
    note="the organisation records its own work (the referring body for an organisation without accounts)",
)

RULES = {
    "resolution:index": rule(
        "staff", *READERS, scope="body", note="the organisation's queue / the body's referrals"
    ),
    "resolution:new": rule(
        "staff",
        *REFERRERS,
        scope="case",
        object_kwarg="case",
        note="?case=<pk>, read through case_get_for_actor",
    ),
    "resolution:organisations": rule("staff", *READERS, scope="none", note="the directory of organisations"),
    "resolution:organisation_options": rule("staff", *REFERRERS, scope="none", note="htmx select options"),
    "resolution:figures": rule(
        "staff", *FIGURES, scope="body", note="referring bodies under the acting body"
    ),
    "resolution:figures_xlsx": rule("staff", *FIGURES, scope="body"),
    "resolution:figures_drill": rule("staff", *FIGURES, scope="body"),
    "resolution:detail": REFERRAL,
    "resolution:accept": RECORD,
    "resolution:session_new": RECORD,
    "resolution:outcome": RECORD,
    "resolution:confirmation": RECORD,
    "resolution:withdraw": rule("staff", *REFERRERS, scope="body", note="the referring body only"),
    "resolution:agreement_document": REFERRAL,
    # REST (xinfang/resolution/api.py)
    "api:resolution-referrals": rule("staff", *READERS, scope="body"),
    "api:resolution-referral": REFERRAL,
    "api:resolution-sessions": RECORD,
    "api:resolution-outcome": RECORD,
    "api:resolution-organisations": rule("staff", *READERS, scope="none"),
    "api:resolution-figures": rule("staff", *FIGURES, scope="body"),
}
