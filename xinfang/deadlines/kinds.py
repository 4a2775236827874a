"""The kinds of clock a case runs, their labels, and which of them are the petitioner's own windows.

They live with the clocks rather than with the transition table (xinfang/cases/workflow.py, which says
which action starts, stops or pauses which kind) so that the deadlines app — ledger, lights, their pages —
names them without importing the cases app above it (docs/architecture.md, layers). Every kind's days and
article are in xinfang/core/periods.py, under the same key.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_noop


class ClockKind(StrEnum):
    # The values are the keys of xinfang/core/periods.py, which holds every period's days and article.
    REGISTRATION = "registration"  # 登记后转送/交办/告知 (Art. 22)
    ACCEPTANCE = "acceptance"  # 收到后书面告知受理 (Art. 23)
    OBJECTION = "objection"  # 工作日内提出异议 (Art. 23)
    ASSIGNMENT = "assignment"  # 交办的反馈期限 (Art. 22(三)) — the due date the 交办 names
    HANDLING = "handling"  # 受理之日起办结，可延长 (Art. 34)
    REVIEW_REQUEST = "review_request"  # 收到答复后可请求复查 (Art. 35) — the petitioner's window
    REVIEW_DECISION = "review_decision"  # 收到复查请求后提出复查意见 (Art. 35)
    REREVIEW_REQUEST = "rereview_request"  # 收到复查意见后可请求复核 (Art. 36)
    REREVIEW_DECISION = "rereview_decision"  # 提出复核意见，听证时间不计入 (Art. 36)
    EVALUATION = "evaluation"  # 答复后的满意度评价期 (local practice, configurable)


CLOCK_LABELS: dict[str, str] = {
    ClockKind.REGISTRATION: gettext_noop("登记处理期限"),
    ClockKind.ACCEPTANCE: gettext_noop("受理告知期限"),
    ClockKind.OBJECTION: gettext_noop("异议期限"),
    ClockKind.ASSIGNMENT: gettext_noop("交办反馈期限"),
    ClockKind.HANDLING: gettext_noop("办理期限"),
    ClockKind.REVIEW_REQUEST: gettext_noop("复查申请期限"),
    ClockKind.REVIEW_DECISION: gettext_noop("复查期限"),
    ClockKind.REREVIEW_REQUEST: gettext_noop("复核申请期限"),
    ClockKind.REREVIEW_DECISION: gettext_noop("复核期限"),
    ClockKind.EVALUATION: gettext_noop("评价期限"),
}
# The labels are marked with gettext_noop: plain Chinese here, translated where the UI shows them.
# Windows that belong to the petitioner: they lapse, nobody is late on them.
PETITIONER_WINDOWS = frozenset({ClockKind.REVIEW_REQUEST, ClockKind.REREVIEW_REQUEST, ClockKind.EVALUATION})
