from __future__ import annotations

import re
import unicodedata

from django.db import IntegrityError, transaction

from xinfang.cases.models import CaseNumberSequence
from xinfang.core.db import counter_bump


def case_number_next(*, body, year: int) -> str:
    """The next 编号 for a body and year, e.g. 990101-xinfang-2026-000042. The sequence row is raised and read
    in one UPDATE … RETURNING, which locks it, so two registrars registering at the same moment never get the
    same number (on SQLite the IMMEDIATE transaction serialises writers). The first of a year creates the row;
    one that loses that race raises the row the other made."""
    last = counter_bump(CaseNumberSequence, body_id=body.pk, year=year)
    if last is None:
        try:
            with transaction.atomic():
                last = CaseNumberSequence.objects.create(body=body, year=year, last=1).last
        except IntegrityError:  # two first registrations of the year raced on the new row
            last = counter_bump(CaseNumberSequence, body_id=body.pk, year=year)
    if last is None:
        raise RuntimeError("could not allocate a case number")
    return f"{body.code}-{year}-{last:06d}"


_DASHES = r"[\s\-\u2010-\u2015\u2212_]*"
_TYPED_NUMBER = re.compile(rf"^(\d+){_DASHES}([a-z]+(?:_[a-z]+)*){_DASHES}(\d{{4}}){_DASHES}(\d{{1,6}})$")


_LOOSE = re.compile(r"^[0-9a-z_\-]{6,60}$")


def case_number_normalize(typed: str) -> str | None:
    """The 编号 as stored, from what a petitioner typed: full-width characters, any case, spaces, dashes
    (or none) between the parts are all accepted (990101 XINFANG 2026 42 → 990101-xinfang-2026-000042).
    None when it cannot be a 编号 at all."""
    text = unicodedata.normalize("NFKC", typed or "").strip().lower()
    m = _TYPED_NUMBER.match(text)
    if m is not None:
        region, kind, year, seq = m.groups()
        return f"{region}-{kind}-{year}-{int(seq):06d}"
    # a body code of another shape (entered by an administrator): taken as typed, if it could be a 编号
    if _LOOSE.match(text) and any(ch.isdigit() for ch in text):
        return text
    return None
