"""The one rule of 检举控告 confidentiality (条例 Art. 30 ¶3, 46): an accusation is never sent to, nor shown
to, the body it accuses or any body inside it (a body whose path runs through the accused body's).

Two forms of the same rule, side by side so they cannot drift: `accusation_hidden_from` for one case and one
body (routing refuses the transfer, cases/services/actions.py) and `confidential_exclusion_q` as a filter for
every read of many cases (cases/selectors.py::cases_visible_to, the ledger hook, the figures). A test checks
that the two agree (cases/tests/test_confidentiality.py)."""

from __future__ import annotations

from django.db.models import Q

from xinfang.cases.models import Case, PetitionType
from xinfang.orgs.models import Body


def accusation_hidden_from(case: Case, body: Body) -> bool:
    """True when `case` accuses `body` or a body that `body` sits inside."""
    if case.petition_type != PetitionType.ACCUSATION or case.subject_body_id is None:
        return False
    return body.path.startswith(case.subject_body.path)


def confidential_exclusion_q(body: Body, *, prefix: str = "") -> Q:
    """The cases to leave out for `body`: 检举控告 about it or a body above it in its own line.

    `prefix` reaches the case through a relation ("clock__case__" for a ledger item). The accused bodies are
    a subquery on their codes, so the exclusion costs no join on the case table."""
    ancestors = [p for p in body.path.strip("/").split("/") if p]
    accused = Body.objects.filter(code__in=ancestors).values("pk")
    return Q(**{f"{prefix}petition_type": PetitionType.ACCUSATION}) & Q(
        **{f"{prefix}subject_body_id__in": accused}
    )
