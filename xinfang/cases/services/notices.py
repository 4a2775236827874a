"""Rendering a notice (告知书, 意见书) from its template into a record that never changes."""

from __future__ import annotations

import re
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from xinfang.cases.models import Case, CasePetitioner, Notice, NoticeKind, PetitionType
from xinfang.core.db import Prepared, row_insert
from xinfang.core.periods import period_days

# The 信访处理意见书 rests on Art. 32 for a 申诉求决 matter; a 建议意见 is answered under Art. 29 and a
# 检举控告 under Art. 30 (the table's row names all three, for the event).
ANSWER_BASIS = {
    PetitionType.APPEAL: "《信访工作条例》第三十二条、第三十四条",
    PetitionType.SUGGESTION: "《信访工作条例》第二十九条",
    PetitionType.ACCUSATION: "《信访工作条例》第三十条、第三十二条",
}
WINDOW_NOTICES = {NoticeKind.OPINION, NoticeKind.MEDIATION, NoticeKind.REVIEW_OPINION}
DOUBLED_MARKS = re.compile(r"([。，；：、])[。，；：、]+")
_NAMES = Prepared(
    lambda case: CasePetitioner.objects.filter(case=case).values_list("person__name", flat=True)
)


def notice_terms(
    *, kind: str, petition_type: str, legal_basis: str, next_right_deadline: date | None
) -> tuple[str, date | None]:
    """The notice's legal basis and the deadline it prints for the next right: the row's basis, or the
    answer's by petition type for a 意见书; no date on a notice whose window counts from its service
    (Art. 35/36: from the day the petitioner RECEIVED it; xinfang/documents sets the date then). The one
    rule for notice_issue and the generator's bulk path."""
    if kind == NoticeKind.OPINION:
        legal_basis = ANSWER_BASIS.get(PetitionType(petition_type), legal_basis)
    if kind in WINDOW_NOTICES:
        next_right_deadline = None
    return legal_basis, next_right_deadline


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
    names: list[str] | None = None,
) -> Notice:
    """Render and keep one notice. ``names``: the petitioners' names in the file's order, where the caller has
    just read them (case_act, with their phones for the SMS); else they are read here."""
    title = NoticeKind(kind).label
    # A fresh query (a prefetched, stale `case.petitioners` named a named petitioner 匿名信访人); 匿名 only
    # for a case registered anonymously.
    if names is None:
        names = [n for (n,) in _NAMES.rows(case.pk)]
    petitioners = "、".join(n for n in names if n) or ("匿名信访人" if case.anonymous else "信访人")
    legal_basis, next_right_deadline = notice_terms(
        kind=kind,
        petition_type=case.petition_type,
        legal_basis=legal_basis,
        next_right_deadline=next_right_deadline,
    )
    if isinstance(context.get("reason"), str):
        context = {**context, "reason": context["reason"].strip().rstrip("。；;，,：: ")}
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
    text = DOUBLED_MARKS.sub(r"\1", render_to_string(f"cases/notices/{kind}.txt", ctx).strip())
    notice = Notice(
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
    row_insert(notice)  # Notice.objects.create, its INSERT compiled once
    for hook in NOTICE_ISSUED_HOOKS:
        hook(notice=notice, context=ctx)
    return notice


# Called with (notice=, context=) inside the issuing transaction; xinfang.documents registers the one that
# numbers the notice and keeps it as an official document (a higher app: cases does not import it).
NOTICE_ISSUED_HOOKS: list = []
