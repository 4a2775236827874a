"""Demo data: 示例市's one-stop centre (矛盾纠纷多元化解中心) with its organisations, a mediator's login, a
year of referrals with their outcomes and sessions, and a few live ones through the real services.

The year's history is written in bulk (fixed seed, a second or so); three live referrals go through
`referral_create` on demo cases so that the mediator's queue has work in it. Runs once."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from xinfang.cases.models import Case, PetitionType, State
from xinfang.orgs.acting import actor_for
from xinfang.orgs.demo import DEMO_LOGINS_LATER, DEMO_PASSWORD
from xinfang.orgs.models import Body, BodyKind, Membership, Region, Role, User
from xinfang.resolution.confirmation import confirmation_due
from xinfang.resolution.models import (
    CaseEffect,
    Consent,
    ConsentHow,
    Organisation,
    Party,
    Referral,
    Session,
    Side,
    Status,
)
from xinfang.resolution.rules import KIND_RULES, OrganisationKind, Outcome, ReferralKind
from xinfang.resolution.services import PartyInput, referral_create

SEED = 2026
SECTOR = "dispute_resolution"
# (code suffix, name, kind, region code, room)
ORGANISATIONS = [
    ("rmtj", "示例市矛调中心人民调解委员会", OrganisationKind.PEOPLES_MEDIATION, "990100", "功能调解室"),
    ("dhtj", "东城区东华街道人民调解委员会", OrganisationKind.PEOPLES_MEDIATION, "990101001", "街道综治中心"),
    ("rstj", "示例市人社局劳动争议调解中心", OrganisationKind.ADMIN_MEDIATION, "990100", "功能调解室"),
    ("ldzc", "示例市劳动人事争议仲裁委员会", OrganisationKind.LABOUR_ARBITRATION, "990100", "仲裁工作室"),
    ("zcw", "示例市仲裁委员会", OrganisationKind.ARBITRATION, "990100", "仲裁工作室"),
    ("fy", "东城区人民法院驻中心速裁法庭", OrganisationKind.COURT, "990101", "科技法庭、立案室"),
    ("flyz", "示例市法律援助中心工作站", OrganisationKind.LEGAL_AID, "990100", "法律服务室"),
    ("xl", "示例市矛调中心心理疏导室", OrganisationKind.COUNSELLING, "990100", "心理疏导室"),
]
REFERRING = ["990100-xinfang", "990101-xinfang", "990101-housing", "990100-labour"]
DISPUTES = [
    ("邻里之间因排水管道漏水引发纠纷", "请求对方维修管道并赔偿损失"),
    ("物业服务费收取与服务质量争议", "请求物业公司整改并减免部分物业费"),
    ("装修噪音与施工时间扰民", "请求约定施工时间并赔礼道歉"),
    ("拖欠农民工工资", "请求支付拖欠工资"),
    ("解除劳动合同经济补偿争议", "请求支付经济补偿金"),
    ("房屋租赁押金退还纠纷", "请求退还押金"),
    ("交通事故损害赔偿", "请求赔偿医疗费、误工费"),
    ("土地承包经营权边界争议", "请求确认承包地边界"),
]
NAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


def _name(rng: random.Random) -> str:
    return rng.choice(NAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def _outcome_for(kind: str, rng: random.Random) -> str:
    rule = KIND_RULES[kind]
    if rule.consent_required:
        return rng.choices(
            [Outcome.MEDIATION_AGREEMENT, Outcome.SETTLEMENT_AGREEMENT, Outcome.FAILED], weights=[70, 12, 18]
        )[0]
    return [o for o in rule.outcomes if o != Outcome.NOT_TAKEN][rng.randrange(len(rule.outcomes) - 1)]


def _organisations() -> dict[str, Organisation]:
    regions = {r.code: r for r in Region.objects.filter(code__in={o[3] for o in ORGANISATIONS})}
    out = {}
    for suffix, name, kind, region_code, room in ORGANISATIONS:
        region = regions[region_code]
        code = f"{region_code}-res-{suffix}"
        body = Body(
            code=code, name=name, short_name=name[-8:], kind=BodyKind.AGENCY, sector=SECTOR, region=region
        )
        body.save()
        out[suffix] = Organisation.objects.create(name=name, kind=kind, region=region, body=body, room=room)
    return out


def _users(orgs: dict[str, Organisation]) -> list[str]:
    names = []
    for login in DEMO_LOGINS_LATER:
        body = Body.objects.filter(code=login.body_code).first()
        if body is None or login.role != Role.MEDIATOR:  # the others are other loaders' (documents: heads)
            continue
        user = User(username=login.username, display_name=login.name)
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.create(user=user, body=body, role=login.role)
        names.append(login.username)
    return names


def _history(orgs: dict[str, Organisation], today) -> int:
    rng = random.Random(SEED)
    bodies = {b.code: b for b in Body.objects.filter(code__in=REFERRING)}
    officer = User.objects.filter(username="dengji").first() or User.objects.order_by("pk").first()
    by_kind: dict[str, list[Organisation]] = {}
    for org in orgs.values():
        for kind, rule in KIND_RULES.items():
            if org.kind in rule.organisations:
                by_kind.setdefault(kind, []).append(org)
    weights = {
        ReferralKind.PEOPLES_MEDIATION: 30,
        ReferralKind.ADMIN_MEDIATION: 8,
        ReferralKind.JUDICIAL_MEDIATION: 4,
        ReferralKind.LABOUR_ARBITRATION: 5,
        ReferralKind.ARBITRATION: 2,
        ReferralKind.FAST_TRACK: 4,
        ReferralKind.LEGAL_CONSULTATION: 14,
        ReferralKind.COUNSELLING: 12,
    }
    kinds = list(weights)
    referrals, plan = [], []
    for i in range(160):
        kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
        referred_on = today - timedelta(days=rng.randint(20, 365))
        dispute, claim = rng.choice(DISPUTES)
        outcome = _outcome_for(kind, rng)
        outcome_on = referred_on + timedelta(days=rng.randint(1, 18))
        r = Referral(
            number=f"JFDEMO-{i:04d}",
            kind=kind,
            organisation=rng.choice(by_kind[kind]),
            referring_body=bodies[rng.choice(REFERRING)],
            referred_by=officer,
            referred_on=referred_on,
            summary=dispute,
            claims=claim,
            status=Status.CLOSED,
            accepted_on=referred_on,
            outcome=outcome,
            outcome_on=outcome_on,
            outcome_text="双方同意按约定履行。" if outcome != Outcome.FAILED else "一方不同意调解方案。",
            reference_number=f"示{outcome_on.year}仲{i:04d}号"
            if outcome in (Outcome.AWARD, Outcome.ARBITRAL_MEDIATION)
            else f"（{outcome_on.year}）示0101民初{i:04d}号"
            if outcome in (Outcome.JUDGMENT, Outcome.RULING, Outcome.COURT_MEDIATION)
            else "",
            closed_by=officer,
            case_effect=CaseEffect.NONE,
        )
        if outcome == Outcome.MEDIATION_AGREEMENT and kind == ReferralKind.PEOPLES_MEDIATION:
            due = confirmation_due(effective_on=outcome_on)
            r.confirmation_due_on = due.due
            r.confirmation_counted = list(due.counted)
            if rng.random() < 0.3:
                r.confirmation_applied_on = outcome_on + timedelta(days=rng.randint(1, 20))
        referrals.append(r)
        plan.append((kind, referred_on, outcome_on))
    Referral.objects.bulk_create(referrals)
    saved = list(Referral.objects.filter(number__startswith="JFDEMO-").order_by("number"))
    parties, sessions = [], []
    for r, (kind, referred_on, outcome_on) in zip(saved, plan, strict=True):
        consent = KIND_RULES[kind].consent_required
        for order, side in enumerate([Side.APPLICANT, Side.RESPONDENT] if consent else [Side.APPLICANT]):
            parties.append(
                Party(
                    referral=r,
                    side=side,
                    name=_name(rng),
                    order=order,
                    consent=Consent.AGREED if consent else "",
                    consent_how=ConsentHow.SIGNED if consent else "",
                    consent_on=referred_on if consent else None,
                )
            )
        for n in range(rng.randint(1, 3) if kind == ReferralKind.COUNSELLING else 1):
            sessions.append(
                Session(
                    referral=r,
                    held_on=min(referred_on + timedelta(days=n * 3), outcome_on),
                    minutes=rng.choice([30, 45, 60, 90]),
                    attendees=rng.choice([1, 1, 1, 2]),
                    recorded_by=officer,
                )
            )
    Party.objects.bulk_create(parties)
    Session.objects.bulk_create(sessions)
    return len(saved)


def _live(orgs: dict[str, Organisation]) -> int:
    """Open referrals through the services, on demo cases the city 信访局 holds at registration."""

    user = User.objects.filter(username="dengji").first()
    body = Body.objects.filter(code="990100-xinfang").first()
    if user is None or body is None:
        return 0
    actor = actor_for(user, body)
    made = 0
    cases = Case.objects.filter(
        current_body=body, state=State.REGISTERED, petition_type=PetitionType.APPEAL
    ).order_by("pk")[:3]
    for case in cases:
        first = case.petitioners.select_related("person").first()
        name = first.person.name if first else "信访人"
        referral_create(
            actor=actor,
            kind=ReferralKind.PEOPLES_MEDIATION,
            organisation=orgs["rmtj"],
            summary=case.request[:500],
            case=case,
            parties=[
                PartyInput(side=Side.APPLICANT, name=name, consent=Consent.AGREED),
                PartyInput(side=Side.RESPONDENT, name="某物业服务有限公司", consent=Consent.AGREED),
            ],
        )
        made += 1
    return made


def demo_load() -> str:
    if Organisation.objects.filter(body__code="990100-res-rmtj").exists():
        return "多元解纷演示数据已存在，未重复生成。"
    if not Region.objects.filter(code="990100").exists():
        return "多元解纷：演示城市不存在，跳过。"
    today = timezone.localdate()
    with transaction.atomic():
        orgs = _organisations()
        logins = _users(orgs)
        history = _history(orgs, today)
    live = _live(orgs)
    return (
        f"多元解纷：{len(orgs)}个解纷组织，近一年移送{history}件（含结果与工作记录），"
        f"待调解{live}件；调解员账号 {'、'.join(logins)}"
    )
