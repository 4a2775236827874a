"""Who may open each hall URL (xinfang.core.access). The board and the published hearings are public and
show no personal data: queue numbers, counts, and the conclusions an officer wrote to be published."""

from xinfang.core.access import rule
from xinfang.orgs.models import Role

HALL = rule("staff", Role.REGISTRAR, scope="body", note="本机关接待大厅")
HEARINGS = rule(
    "staff",
    Role.CASE_OFFICER,
    Role.AGENCY_HEAD,
    Role.REGISTRAR,
    scope="body",
    note="本机关举行的听证，事项须可见",
)
ARCHIVE = rule(
    "staff", Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD, scope="body", note="经 case_list_visible"
)
PUBLIC = rule("public", scope="none", note="只显示排队号、人数或已公示的听证结论")

RULES = {
    "reception:desk": HALL,
    "reception:checkin": HALL,
    "reception:kiosk": HALL,
    "reception:ticket": HALL,
    "reception:visit_for_ticket": HALL,
    "reception:ticket_transfer": HALL,
    "reception:ticket_act": HALL,
    "reception:board": PUBLIC,
    "reception:board_panel": PUBLIC,
    "reception:service_open": HALL,
    "reception:window": HALL,
    "reception:call_next": HALL,
    "reception:visits": HALL,
    "reception:visit_new": HALL,
    "reception:visit": HALL,
    "reception:receipt": HALL,
    "reception:recording": HALL,
    "reception:duty": HALL,
    "reception:duty_remove": HALL,
    "reception:hearings": HEARINGS,
    "reception:hearing_new": rule(
        "staff",
        Role.CASE_OFFICER,
        Role.AGENCY_HEAD,
        Role.REGISTRAR,
        scope="case",
        object_kwarg="case",
        note="?case=<pk>，经 case_get_for_actor",
    ),
    "reception:hearing": HEARINGS,
    "reception:hearing_act": HEARINGS,
    "reception:hearings_public": PUBLIC,
    "reception:hearing_public": PUBLIC,
    "reception:archive": ARCHIVE,
    "reception:archive_case": rule(
        "staff", Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD, scope="case", object_kwarg="case_pk"
    ),
    "reception:figures": rule(
        "staff", Role.REGISTRAR, Role.LEADER, Role.SUPERVISOR, Role.AGENCY_HEAD, scope="body"
    ),
    # REST (xinfang/reception/api.py)
    "api:hall-services": HALL,
    "api:hall-checkin": HALL,
    "api:hall-call-next": HALL,
    "api:hall-visits": HALL,
    "api:hall-visit": HALL,
    "api:hall-hearings": HEARINGS,
    "api:hall-archive": ARCHIVE,
    "api:hall-figures": rule(
        "staff", Role.REGISTRAR, Role.LEADER, Role.SUPERVISOR, Role.AGENCY_HEAD, scope="body"
    ),
    "api:hall-board": PUBLIC,
}
