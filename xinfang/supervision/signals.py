"""倒流 detection at registration, without touching the registration service: a new case is checked once its
transaction commits (its petitioners are written by then). Bulk loads write no signals; the daily scan
(`supervision_daily`) catches those."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from xinfang.cases.models import Case
from xinfang.cases.selectors import cases_unscoped
from xinfang.supervision.services import backflow_detect

log = logging.getLogger("xinfang.supervision")


@receiver(post_save, sender=Case, dispatch_uid="supervision_backflow_on_register")
def case_registered(sender, instance: Case, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    # Registration ran the same similarity search (repeat_candidates) just before and found nothing, and the
    # case links to no earlier one: there is nothing 办结 for it to repeat. The daily scan still covers it.
    if getattr(instance, "repeat_candidates_none", False) and not instance.repeat_of_id:
        return
    pk = instance.pk

    def check() -> None:

        case = cases_unscoped(reason="倒流 check").filter(pk=pk).select_related("problem_region").first()
        if case is None:
            return
        try:
            backflow_detect(case=case)
        except Exception:  # a failed check must never undo or fail a registration; the scan retries it
            log.exception("倒流检测失败：%s", case.number)

    transaction.on_commit(check)
