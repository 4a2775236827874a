from __future__ import annotations

from django.db import IntegrityError, transaction

from xinfang.cases.models import CaseNumberSequence


def case_number_next(*, body, year: int) -> str:
    """The next 编号 for a body and year, e.g. 990101-xinfang-2026-000042. The sequence row is locked, so
    two registrars registering at the same moment never get the same number (on SQLite the IMMEDIATE
    transaction serialises writers)."""
    for _ in range(3):
        try:
            with transaction.atomic():
                seq, _ = CaseNumberSequence.objects.select_for_update().get_or_create(body=body, year=year)
                seq.last += 1
                seq.save(update_fields=["last"])
                return f"{body.code}-{year}-{seq.last:06d}"
        except IntegrityError:  # two first registrations of the year raced on get_or_create; retry
            continue
    raise RuntimeError("could not allocate a case number")
