"""The 调解协议书 / 和解协议书 as documents (xinfang.documents renders them; the words are the outcome's)."""

from __future__ import annotations

from xinfang.core.periods import period
from xinfang.documents.rendering import chinese_date
from xinfang.resolution.models import Referral
from xinfang.resolution.rules import Outcome

KINDS = {
    Outcome.MEDIATION_AGREEMENT: "mediation_agreement",
    Outcome.SETTLEMENT_AGREEMENT: "settlement_agreement",
}
TITLES = {Outcome.MEDIATION_AGREEMENT: "调解协议书", Outcome.SETTLEMENT_AGREEMENT: "和解协议书"}


def agreement_context(referral: Referral) -> tuple[str, dict]:
    outcome = Outcome(referral.outcome)
    return KINDS[outcome], {
        "issuer": referral.organisation.name,
        "title": TITLES[outcome],
        "date": referral.outcome_on,
        "parties": list(referral.parties.all()),
        "summary": referral.summary,
        "claims": referral.claims,
        "organisation": referral.organisation.name,
        "lines": [line for line in referral.outcome_text.splitlines() if line.strip()],
        "number": referral.number,
        "period": period("judicial_confirmation"),
        "confirmation_due": chinese_date(referral.confirmation_due_on)
        if referral.confirmation_due_on
        else "",
        "legal_basis": "《信访工作条例》第三十三条",
    }
