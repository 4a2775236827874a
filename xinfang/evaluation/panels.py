"""The home page's quality-review to-dos (settings.XINFANG_HOME_PANELS): for any body the 整改 it owes after a
failed review (open or sent back, with the overdue ones counted); for a 评价委员 the plans still under review
and the 整改 reports waiting for acceptance."""

from __future__ import annotations

from xinfang.evaluation import quality_selectors as sel
from xinfang.evaluation.models import ItemStatus, PlanStatus, Rectification, RectificationStatus, SampleItem
from xinfang.evaluation.quality_services import _today
from xinfang.orgs.models import Role

ROWS = 5


def rectification_panel(actor) -> dict | None:
    if actor is None or actor.body is None:
        return None
    today = _today()
    ctx: dict = {"template": "evaluation/quality/_home_panel.html", "today": today}
    owed = sel.rectification_list(actor=actor, filters={"status": RectificationStatus.OPEN})
    ctx["owed"] = list(owed[:ROWS])
    ctx["owed_count"], ctx["late_count"] = sel.rectifications_open_count(actor=actor, today=today)
    if actor.has_role(Role.EVALUATOR):
        ctx["evaluator"] = True
        ctx["to_accept"] = Rectification.objects.filter(
            issuing_body=actor.body, status=RectificationStatus.SUBMITTED
        ).count()
        ctx["to_review"] = SampleItem.objects.filter(
            plan__owner_body=actor.body, plan__status=PlanStatus.DRAWN, status=ItemStatus.PENDING
        ).count()
    return ctx if (ctx["owed_count"] or ctx.get("evaluator")) else None
