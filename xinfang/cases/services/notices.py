"""Rendering a notice (告知书, 意见书) from its template into a record that never changes."""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from xinfang.cases.models import Case, Notice, NoticeKind
from xinfang.core.periods import period_days


def notice_issue(
    *,
    case: Case,
    kind: str,
    body,
    legal_basis: str,
    context: dict,
    next_right: str = "",
    next_right_deadline: date | None = None,
    event_id: int | None = None,
) -> Notice:
    title = NoticeKind(kind).label
    petitioners = "、".join(p.person.name for p in case.petitioners.select_related("person")) or "匿名信访人"
    ctx = {
        "case": case,
        "title": title,
        "body": body,
        "petitioners": petitioners,
        "legal_basis": legal_basis,
        "next_right": next_right,
        "next_right_deadline": next_right_deadline,
        "today": timezone.localdate(),
        "periods": period_days(),  # the texts say a period's days from the table, never a literal
        **context,
    }
    text = render_to_string(f"cases/notices/{kind}.txt", ctx).strip()
    notice = Notice.objects.create(
        case=case,
        kind=kind,
        title=title,
        text=text,
        legal_basis=legal_basis,
        next_right=next_right,
        next_right_deadline=next_right_deadline,
        issued_by=body,
        event_id=event_id,
    )
    for hook in NOTICE_ISSUED_HOOKS:
        hook(notice=notice, context=ctx)
    return notice


# Called with (notice=, context=) inside the issuing transaction; xinfang.documents registers the one that
# numbers the notice and keeps it as an official document (a higher app: cases does not import it).
NOTICE_ISSUED_HOOKS: list = []
