"""The one-stop centre's rules as data (一站式多元解纷: 访、调、裁、审、处).

Each referral kind says which organisations take it, whether both parties must consent first, what it does to
the case it comes from, which outcomes close it and what its figures count. Services and the UI read these
tables; nothing else decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_noop

from xinfang.cases.models import Route


class OrganisationKind(models.TextChoices):
    PEOPLES_MEDIATION = "peoples_mediation", gettext_noop("人民调解委员会")
    ADMIN_MEDIATION = "admin_mediation", gettext_noop("行政调解组织")
    COURT = "court", gettext_noop("人民法院（诉调对接/速裁）")
    LABOUR_ARBITRATION = "labour_arbitration", gettext_noop("劳动人事争议仲裁委员会")
    ARBITRATION = "arbitration", gettext_noop("仲裁委员会")
    LEGAL_AID = "legal_aid", gettext_noop("法律援助/律师工作室")
    COUNSELLING = "counselling", gettext_noop("心理咨询/疏导室")


class ReferralKind(models.TextChoices):
    PEOPLES_MEDIATION = "peoples_mediation", gettext_noop("人民调解")
    ADMIN_MEDIATION = "admin_mediation", gettext_noop("行政调解")
    JUDICIAL_MEDIATION = "judicial_mediation", gettext_noop("司法调解")
    LABOUR_ARBITRATION = "labour_arbitration", gettext_noop("劳动人事争议仲裁")
    ARBITRATION = "arbitration", gettext_noop("其他仲裁")
    FAST_TRACK = "fast_track", gettext_noop("速裁快审")
    LEGAL_CONSULTATION = "legal_consultation", gettext_noop("法律咨询")
    COUNSELLING = "counselling", gettext_noop("心理疏导")


class Outcome(models.TextChoices):
    MEDIATION_AGREEMENT = "mediation_agreement", gettext_noop("达成调解协议（调解协议书）")
    SETTLEMENT_AGREEMENT = "settlement_agreement", gettext_noop("达成和解协议（和解协议书）")
    FAILED = "failed", gettext_noop("调解不成，终止调解")
    AWARD = "award", gettext_noop("作出仲裁裁决")
    ARBITRAL_MEDIATION = "arbitral_mediation", gettext_noop("仲裁调解结案")
    JUDGMENT = "judgment", gettext_noop("作出判决")
    RULING = "ruling", gettext_noop("作出裁定")
    COURT_MEDIATION = "court_mediation", gettext_noop("法院调解结案（调解书）")
    ADVICE_GIVEN = "advice_given", gettext_noop("已解答咨询")
    COUNSELLING_DONE = "counselling_done", gettext_noop("疏导结束")
    NOT_TAKEN = "not_taken", gettext_noop("不予受理/退回")


AGREEMENTS = frozenset({Outcome.MEDIATION_AGREEMENT, Outcome.SETTLEMENT_AGREEMENT})
# Outcomes that carry the organisation's own reference number (裁决书、判决书、裁定书、调解书的案号).
NEEDS_REFERENCE = frozenset(
    {Outcome.AWARD, Outcome.ARBITRAL_MEDIATION, Outcome.JUDGMENT, Outcome.RULING, Outcome.COURT_MEDIATION}
)
# Counted as 审理 (cases tried) in the centre's figures.
TRIED = frozenset({Outcome.JUDGMENT, Outcome.RULING, Outcome.COURT_MEDIATION})


class Effect(models.TextChoices):
    """What a referral does to the case it comes from."""

    NONE = "none", gettext_noop("不影响事项办理")
    # 条例 Art. 33: mediation in handling; an agreement is the written result, a failure returns the case.
    MEDIATION = "mediation", gettext_noop("调解（达成协议即以协议办结）")
    # 条例 Art. 31(一)(二): the legal procedure the case is 导入; the case ends there.
    LEGAL_ROUTE = "legal_route", gettext_noop("导入法定程序")


@dataclass(frozen=True)
class KindRule:
    kind: ReferralKind
    organisations: frozenset[str]
    consent_required: bool  # 条例 Art. 33; 人民调解法 Art. 17
    effect: Effect
    outcomes: tuple[Outcome, ...]
    legal_basis: str
    route: str = ""  # the Art. 31 route a LEGAL_ROUTE referral diverts the case on
    # Accusations (检举控告, Art. 30) are never mediated or put before another body's procedure; the
    # petitioner may still get legal advice or counselling, with only what the officer writes down.
    accusation_allowed: bool = False
    # A 人民调解 agreement may be confirmed by a court within 30 days (人民调解法 Art. 33).
    confirmation_window: bool = False


_MEDIATION_OUTCOMES = (
    Outcome.MEDIATION_AGREEMENT,
    Outcome.SETTLEMENT_AGREEMENT,
    Outcome.FAILED,
    Outcome.NOT_TAKEN,
)

KIND_RULES: dict[str, KindRule] = {
    r.kind.value: r
    for r in (
        KindRule(
            ReferralKind.PEOPLES_MEDIATION,
            frozenset({OrganisationKind.PEOPLES_MEDIATION}),
            True,
            Effect.MEDIATION,
            _MEDIATION_OUTCOMES,
            "《信访工作条例》第三十三条、第三十七条；《中华人民共和国人民调解法》第十七条",
            confirmation_window=True,
        ),
        KindRule(
            ReferralKind.ADMIN_MEDIATION,
            frozenset({OrganisationKind.ADMIN_MEDIATION}),
            True,
            Effect.MEDIATION,
            _MEDIATION_OUTCOMES,
            "《信访工作条例》第三十三条、第三十七条",
        ),
        KindRule(
            ReferralKind.JUDICIAL_MEDIATION,
            frozenset({OrganisationKind.COURT}),
            True,
            Effect.MEDIATION,
            (*_MEDIATION_OUTCOMES, Outcome.COURT_MEDIATION),
            "《信访工作条例》第三十三条、第三十七条",
        ),
        KindRule(
            ReferralKind.LABOUR_ARBITRATION,
            frozenset({OrganisationKind.LABOUR_ARBITRATION}),
            False,
            Effect.LEGAL_ROUTE,
            (Outcome.AWARD, Outcome.ARBITRAL_MEDIATION, Outcome.NOT_TAKEN),
            "《信访工作条例》第三十一条第（二）项",
            route=Route.ARBITRATION,
        ),
        KindRule(
            ReferralKind.ARBITRATION,
            frozenset({OrganisationKind.ARBITRATION}),
            False,
            Effect.LEGAL_ROUTE,
            (Outcome.AWARD, Outcome.ARBITRAL_MEDIATION, Outcome.NOT_TAKEN),
            "《信访工作条例》第三十一条第（二）项",
            route=Route.ARBITRATION,
        ),
        KindRule(
            ReferralKind.FAST_TRACK,
            frozenset({OrganisationKind.COURT}),
            False,
            Effect.LEGAL_ROUTE,
            (Outcome.JUDGMENT, Outcome.RULING, Outcome.COURT_MEDIATION, Outcome.NOT_TAKEN),
            "《信访工作条例》第三十一条第（一）项",
            route=Route.LITIGATION,
        ),
        KindRule(
            ReferralKind.LEGAL_CONSULTATION,
            frozenset({OrganisationKind.LEGAL_AID}),
            False,
            Effect.NONE,
            (Outcome.ADVICE_GIVEN, Outcome.NOT_TAKEN),
            "《信访工作条例》第三十七条",
            accusation_allowed=True,
        ),
        KindRule(
            ReferralKind.COUNSELLING,
            frozenset({OrganisationKind.COUNSELLING}),
            False,
            Effect.NONE,
            (Outcome.COUNSELLING_DONE, Outcome.NOT_TAKEN),
            "《信访工作条例》第三十七条第三款",
            accusation_allowed=True,
        ),
    )
}


def kind_rule(kind: str) -> KindRule:
    return KIND_RULES[kind]


MEDIATION_KINDS = frozenset(k for k, r in KIND_RULES.items() if r.effect == Effect.MEDIATION)

# The transition-table row this app added (xinfang/cases/workflow.py, "mediate_at_intake"): its label is
# translated in this app's catalog, beside the feature it serves.
CASE_ACTION_LABELS = (gettext_noop("调解/和解达成协议（登记环节）"),)
