"""The home page's supervision to-dos (settings.XINFANG_HOME_PANELS): for a 督查员 the 督办 to answer-check,
close or escalate and the 倒流 waiting for 提级; for any body the 督办 and 建议 it owes a reply to, its campaign
cases and 调度会 follow-ups; for a leader their 包案 and upcoming reception days with bookings. A few counts and
at most a handful of rows each."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from xinfang.orgs.models import Role
from xinfang.supervision import selectors
from xinfang.supervision.models import (
    CampaignCase,
    LeaderCaseStatus,
    Recommendation,
    Supervision,
    SupervisionStatus,
)

ROWS = 5


def panel(actor) -> dict | None:
    if actor is None or actor.body is None:
        return None
    today = timezone.localdate()
    body = actor.body
    ctx: dict = {"template": "supervision/_home_panel.html", "today": today}
    received = Supervision.objects.filter(body=body, status=SupervisionStatus.OPEN).select_related("kind")
    ctx["to_answer"] = list(received.order_by("reply_due", "pk")[:ROWS])
    ctx["to_answer_count"] = received.count()
    ctx["feedback_owed"] = Recommendation.objects.filter(body=body, feedback_at__isnull=True).count()
    ctx["campaign_open"] = CampaignCase.objects.filter(responsible_body=body, result="").count()
    ctx["followups"] = list(selectors.followups_for(actor=actor)[:ROWS])
    if actor.has_role(Role.SUPERVISOR):
        issued = Supervision.objects.filter(issuing_body=body)
        ctx["to_close"] = list(
            issued.filter(status=SupervisionStatus.REPLIED).select_related("kind", "body")[:ROWS]
        )
        ctx["to_close_count"] = issued.filter(status=SupervisionStatus.REPLIED).count()
        ctx["to_escalate_count"] = issued.filter(
            status=SupervisionStatus.OPEN, proposed_kind__isnull=False, proposal_dismissed=False
        ).count()
        ctx["late_count"] = issued.filter(status=SupervisionStatus.OPEN, reply_due__lt=today).count()
        ctx["backflows"] = selectors.backflow_list(actor=actor).count()
        ctx["to_sign_off"] = CampaignCase.objects.filter(
            ~Q(result=""), campaign__issuing_body=body, signed_off_at__isnull=True
        ).count()
        ctx["supervisor"] = True
    if actor.has_role(Role.LEADER) and actor.user is not None:
        mine = selectors.leader_case_list(actor=actor, mine=True).filter(status=LeaderCaseStatus.ACTIVE)
        ctx["leader_cases"] = list(mine[:ROWS])
        ctx["leader_cases_count"] = mine.count()
        ctx["receptions"] = list(
            selectors.reception_list(actor=actor, upcoming_only=True).filter(leader=actor.user)[:3]
        )
        ctx["leader"] = True
    work = (
        ctx["to_answer_count"]
        or ctx["feedback_owed"]
        or ctx["campaign_open"]
        or ctx["followups"]
        or ctx.get("supervisor")
        or ctx.get("leader")
    )
    return ctx if work else None
