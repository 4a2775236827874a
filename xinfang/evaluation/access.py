"""Who may open each evaluation URL (xinfang.core.access). The quality review's plans, samples and review forms
are the acting committee's own (评价委员 at its body); a review and a 整改 open for that committee and for the body
whose handling was reviewed; the cases inside are read through cases_visible_to. The criteria sets carry no
case data."""

from xinfang.core.access import rule
from xinfang.orgs.models import Role

EVALUATOR = rule("staff", Role.EVALUATOR, scope="body", note="评价委员：本机关的评价计划、抽取事项与评价")
ANY_STAFF = rule("staff", scope="body", note="本机关收到或交办的整改；事项经 cases_visible_to")
CRITERIA = rule("staff", scope="none", note="评价标准集及其版本，无事项内容")
CRITERIA_EDIT = rule(
    "staff", Role.EVALUATOR, Role.ADMINISTRATOR, scope="none", note="修订标准集（生成新版本）"
)
FLAGS = rule("staff", Role.SUPERVISOR, Role.EVALUATOR, scope="body", note="督查员标记待评价事项")
RETURN_VISITS = rule(
    "staff",
    Role.REGISTRAR,
    Role.CASE_OFFICER,
    Role.SUPERVISOR,
    scope="body",
    note="本机关安排的回访；事项经 cases_visible_to",
)

RULES = {
    "evaluation:plans": EVALUATOR,
    "evaluation:plan": EVALUATOR,
    "evaluation:plan_draw": EVALUATOR,
    "evaluation:plan_close": EVALUATOR,
    "evaluation:item_review": EVALUATOR,
    "evaluation:review": rule("staff", scope="body", note="评价机关或被评价单位（选择器校验）"),
    "evaluation:rectifications": ANY_STAFF,
    "evaluation:rectification": ANY_STAFF,
    "evaluation:rectification_submit": rule("staff", scope="body", note="整改单位报送（服务校验本机关）"),
    "evaluation:rectification_accept": EVALUATOR,
    "evaluation:rectification_send_back": EVALUATOR,
    "evaluation:rectification_supervise": rule(
        "staff", Role.SUPERVISOR, scope="body", note="交办机关的督查员就整改发起督办"
    ),
    "evaluation:criteria": CRITERIA,
    "evaluation:criteria_version": CRITERIA,
    "evaluation:criteria_edit": CRITERIA_EDIT,
    "evaluation:flags": FLAGS,
    # REST API (xinfang/evaluation/quality_api.py): the same scope as the pages; the role checks are in the views.
    "api:quality-criteria": CRITERIA,
    "api:quality-plan-list": EVALUATOR,
    "api:quality-plan-detail": EVALUATOR,
    "api:quality-plan-draw": EVALUATOR,
    "api:quality-plan-items": EVALUATOR,
    "api:quality-item-review": EVALUATOR,
    "api:quality-review-detail": rule("staff", scope="body", note="评价机关或被评价单位"),
    "api:quality-rectification-list": ANY_STAFF,
    "api:quality-rectification-detail": ANY_STAFF,
    "api:quality-rectification-submit": rule("staff", scope="body", note="整改单位报送"),
    "api:quality-rectification-accept": EVALUATOR,
    "api:quality-rectification-send-back": EVALUATOR,
    # 回访: the acting body's own visits, of cases it may see (selectors.return_visits_for)
    "evaluation:return_visits": RETURN_VISITS,
    "evaluation:return_visit": RETURN_VISITS,
    "api:return-visit-list": RETURN_VISITS,
    "api:return-visit-record": RETURN_VISITS,
}
