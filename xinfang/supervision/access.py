"""Who may open each supervision URL (xinfang.core.access). Lists are the acting body's own (issued or
received, its region's leaders, its campaigns); the cases inside are read through cases_visible_to. The one
public page lists published reception days and free slots: a leader's name, a date, a place — no personal data."""

from xinfang.core.access import rule
from xinfang.orgs.models import Role

ANY_STAFF = rule(
    "staff", scope="body", note="本机关发出或收到的督办/建议/专项行动事项；事项经 cases_visible_to"
)
SUPERVISOR = rule("staff", Role.SUPERVISOR, scope="body", note="督查员：本机关发出的督办")
LEADERS = rule("staff", Role.LEADER, Role.SUPERVISOR, scope="body", note="领导本人或本地区督查员")
FIGURES = rule(
    "staff",
    Role.SUPERVISOR,
    Role.LEADER,
    Role.AGENCY_HEAD,
    Role.ADMINISTRATOR,
    scope="body",
    note="计数，无事项内容",
)

RULES = {
    "supervision:index": ANY_STAFF,
    "supervision:new": SUPERVISOR,
    "supervision:detail": ANY_STAFF,
    "supervision:reply": rule("staff", scope="body", note="被督办单位回复（服务校验本机关）"),
    "supervision:close": SUPERVISOR,
    "supervision:send_back": SUPERVISOR,
    "supervision:escalate": SUPERVISOR,
    "supervision:dismiss": SUPERVISOR,
    "supervision:letter": ANY_STAFF,
    "supervision:recommendations": ANY_STAFF,
    "supervision:recommendation_feedback": rule(
        "staff", scope="body", note="建议对象书面反馈（服务校验本机关）"
    ),
    "supervision:leader_cases": LEADERS,
    "supervision:leader_case_new": LEADERS,
    "supervision:leader_case": LEADERS,
    "supervision:leader_case_step": LEADERS,
    "supervision:leader_case_note": LEADERS,
    "supervision:leader_case_close": LEADERS,
    "supervision:backflows": LEADERS,
    "supervision:backflow": LEADERS,
    "supervision:campaigns": ANY_STAFF,
    "supervision:campaign": ANY_STAFF,
    "supervision:campaign_import": LEADERS,
    "supervision:campaign_rule": LEADERS,
    "supervision:campaign_clear": LEADERS,
    "supervision:campaign_item": ANY_STAFF,
    "supervision:receptions": LEADERS,
    "supervision:reception": LEADERS,
    "supervision:public_receptions": rule(
        "public", scope="none", note="已公布的领导接访日与空闲时段，可预约"
    ),
    "supervision:meetings": LEADERS,
    "supervision:meeting_new": LEADERS,
    "supervision:meeting": ANY_STAFF,
    "supervision:followup_done": rule("staff", scope="body", note="本机关的落实事项"),
    "supervision:figures": FIGURES,
    # REST API (xinfang/supervision/api.py): the same scope as the pages; the role checks are in the views.
    "api:supervision-list": ANY_STAFF,
    "api:supervision-detail": ANY_STAFF,
    "api:supervision-reply": rule("staff", scope="body", note="被督办单位回复"),
    "api:supervision-close": SUPERVISOR,
    "api:supervision-escalate": SUPERVISOR,
    "api:recommendation-list": ANY_STAFF,
    "api:recommendation-feedback": rule("staff", scope="body", note="建议对象书面反馈"),
    "api:leader-case-list": LEADERS,
    "api:leader-case-step": LEADERS,
    "api:backflow-list": LEADERS,
    "api:backflow-raise": SUPERVISOR,
    "api:campaign-list": ANY_STAFF,
    "api:campaign-detail": ANY_STAFF,
    "api:campaign-batch": LEADERS,
    "api:campaign-items": ANY_STAFF,
    "api:campaign-item-result": rule("staff", scope="body", note="责任单位报结"),
    "api:campaign-item-sign-off": LEADERS,
    "api:supervision-figures": FIGURES,
}
