"""Who may open each documents URL (xinfang.core.access). Documents are read through case_get_for_actor
(a 检举控告's documents never reach the body it accuses); the portal's copies only for the session's case."""

from xinfang.core.access import rule
from xinfang.orgs.models import Role

STAFF_CASE = ("staff", Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD)

RULES = {
    # Reading a visible case's documents is like reading the case page (any role at the acting body).
    "documents:download": rule(
        "staff", scope="case", object_kwarg="pk", note="文书的事项须可见", personal_data=True
    ),
    "documents:service_record": rule(*STAFF_CASE, scope="case", object_kwarg="pk", note="出具机关记录送达"),
    "documents:case_panel": rule("staff", scope="case", object_kwarg="pk"),
    "documents:receipt": rule(
        "staff", scope="case", object_kwarg="pk", note="以登记机关名义出具回执", personal_data=True
    ),
    "documents:drafts": rule("staff", Role.AGENCY_HEAD, scope="body", note="本机关待签发"),
    "documents:draft_approve": rule(
        "staff", Role.AGENCY_HEAD, scope="case", object_kwarg="pk", note="本机关负责人签发"
    ),
    "documents:draft_return": rule(
        "staff", Role.AGENCY_HEAD, scope="case", object_kwarg="pk", note="本机关负责人退回"
    ),
    "documents:portal_notice": rule(
        "petitioner", scope="none", note="本人事项的告知文书", personal_data=True
    ),
    "documents:portal_receipt": rule(
        "petitioner",
        scope="none",
        note="本次网上提交的回执（会话内令牌，查询码只印第一份）",
        personal_data=True,
    ),
}

API_CASE = rule(
    "staff", scope="case", object_kwarg="number", note="经 case_get_for_actor", personal_data=True
)
RULES |= {
    "api:case-documents": API_CASE,
    "api:case-document-pdf": API_CASE,
    "api:case-document-docx": API_CASE,
    "api:case-document-service": rule(
        *STAFF_CASE, scope="case", object_kwarg="number", note="出具机关记录送达"
    ),
    "api:case-drafts": API_CASE,
    "api:case-draft-approve": rule(
        "staff", Role.AGENCY_HEAD, scope="case", object_kwarg="number", note="本机关负责人签发"
    ),
    "api:case-draft-return": rule(
        "staff", Role.AGENCY_HEAD, scope="case", object_kwarg="number", note="本机关负责人退回"
    ),
}
