"""Who may open the staff workspace's URLs (xinfang/core/access.py; checked by the permission matrix)."""

from xinfang.core.access import rule
from xinfang.orgs.models import Role
from xinfang.people.masking import PERSONAL_DATA_ROLES

RULES = {
    "home": rule("staff", scope="none"),
    "queue": rule("staff", note="the open cases the acting body holds (case_queue)"),
    "case_new": rule("staff", Role.REGISTRAR, scope="none"),
    "intake_suggestions": rule("staff", Role.REGISTRAR, note="names a repeat only if visible"),
    "repeat_check": rule("staff", Role.REGISTRAR, note="earlier cases of the same matter, visible ones only"),
    "person_lookup": rule("staff", Role.REGISTRAR, note="masked, logged, counts only visible cases"),
    "case_detail": rule("staff", scope="case", object_kwarg="pk"),
    "case_act": rule("staff", scope="case", object_kwarg="pk", note="the transition table decides roles"),
    "case_reveal": rule(
        "staff", *PERSONAL_DATA_ROLES, scope="case", object_kwarg="pk", personal_data=True, note="logged"
    ),
    "case_evaluate": rule("staff", scope="case", object_kwarg="pk"),
    "case_attachment": rule("staff", scope="case", object_kwarg="pk", note="files never served from media"),
    "person_detail": rule("staff", scope="person", object_kwarg="pk"),
}
