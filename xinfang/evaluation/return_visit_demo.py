"""Demo data for 回访 (docs/quality.md "Return visits"): the daily job plans a visit for every answered demo case
that has none (the bulk generator plans them as the notice hook does, so usually none), and 李登记 (东城区信访局) records
a few: two reached by phone with the petitioner's satisfaction recorded on their behalf, one unreachable; the
rest stay on the due list. Everything through the services; run by `xinfang demo` (XINFANG_DEMO_LOADERS)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xinfang.core.errors import ApplicationError
from xinfang.evaluation.models import ReturnVisitStatus
from xinfang.evaluation.selectors import return_visits_for
from xinfang.evaluation.services import return_visit_record, return_visits_schedule_missing
from xinfang.orgs.acting import actor_for
from xinfang.orgs.models import Body, User

RECORDED = (("done", "satisfied"), ("done", "basically"), ("unreachable", ""))


def demo_load() -> str:
    today = timezone.localdate()
    planned = return_visits_schedule_missing(day=today)
    user = User.objects.filter(username="dengji_dc").first()
    if user is None:
        return f"回访演示数据：新安排 {planned} 件；缺少登记员演示账号，未记录回访。"
    registrar = actor_for(user, Body.objects.get(code="990101-xinfang"))
    if return_visits_for(actor=registrar, view="done", today=today).exists():
        return f"回访演示数据：新安排 {planned} 件；已有回访记录，未重复生成。"
    recorded = 0
    for visit, (status, satisfaction) in zip(
        return_visits_for(actor=registrar, view="due", today=today)[:10], RECORDED * 4, strict=False
    ):
        if recorded == len(RECORDED):
            break
        try:
            with transaction.atomic():
                return_visit_record(
                    actor=registrar,
                    visit=visit,
                    status=status,
                    outcome="信访人表示已收到答复，问题正在落实。"
                    if status == ReturnVisitStatus.DONE
                    else "",
                    satisfaction=satisfaction,
                )
        except ApplicationError:
            continue  # e.g. the answer's evaluation window has closed: try the next visit
        recorded += 1
    return f"回访演示数据：新安排 {planned} 件，记录 {recorded} 件（含电话代为评价）。"
