"""Route suggestion: which body must handle this petition, and why. Legally required routes come first
(条例 Art. 22: 涉法涉诉 letters → same-level 政法部门; 检举控告 → 纪检监察 by jurisdiction; Art. 31 (一)–(四)
→ the legal procedure), then the administrators' rule table (属地管理、分级负责). Where the law sets the
route, it is the only suggestion: no preference is ever offered beside it or against it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from xinfang.intake.models import RouteRule, TargetLevel
from xinfang.orgs.models import Body, BodyKind, Region, RegionLevel
from xinfang.orgs.selectors import body_of_kind_for_region


@dataclass(frozen=True)
class RouteSuggestion:
    action: str  # transfer | tell | divert
    body: Body | None
    because: str
    legal_basis: str = ""
    required: bool = False  # the law requires this route, it is not a preference

    def as_dict(self) -> dict:
        return {
            "action": self.action,
            "body_code": self.body.code if self.body else None,
            "body_name": self.body.name if self.body else None,
            "because": self.because,
            "legal_basis": self.legal_basis,
            "required": self.required,
        }


def _county_of(region: Region) -> Region:
    while region.level == RegionLevel.TOWNSHIP and region.parent_id:
        region = region.parent
    return region


def _city_of(region: Region) -> Region:
    while region.level != RegionLevel.CITY and region.parent_id:
        region = region.parent
    return region


def suggest_routes(
    *,
    registrar_body: Body,
    problem_region: Region,
    petition_type: str,
    category=None,
    law_related: bool = False,
    subject_body: Body | None = None,
    legal_procedure: str = "",
    legal_procedure_because: str = "",
) -> list[RouteSuggestion]:

    out: list[RouteSuggestion] = []
    if law_related:
        body = body_of_kind_for_region(
            region=registrar_body.region, kind=BodyKind.POLITICS_LAW, sector="politics_law"
        )
        out.append(
            RouteSuggestion(
                "transfer",
                body,
                "因为该事项涉法涉诉：信访部门收到的涉法涉诉信件应当转送同级政法部门依法处理",
                "《信访工作条例》第二十二条第二款",
                required=True,
            )
        )
        # Art. 31(一), Art. 22 ¶2, Art. 28 ¶2: 诉访分离 — the 政法 route is the only one; nothing beside it.
        return out
    if petition_type == "accusation":
        where = subject_body.region if subject_body else _county_of(problem_region)
        body = body_of_kind_for_region(region=where, kind=BodyKind.DISCIPLINE)
        out.append(
            RouteSuggestion(
                "transfer",
                body,
                "因为这是检举控告类事项：属于纪检监察机关受理的，按照管理权限转送有关纪检监察机关"
                + ("；不得转给被检举控告的单位" if subject_body else ""),
                "《信访工作条例》第二十二条第二款、第三十条",
                required=True,
            )
        )
    if out:
        # A route the law sets (检举控告 → 纪检监察) is never contradicted by a preference beside it.
        return out
    if legal_procedure:
        out.append(
            RouteSuggestion(
                "tell",
                None,
                f"因为{legal_procedure_because or '该诉求有法定途径'}：应当引导信访人通过{legal_procedure}解决",
                "《信访工作条例》第二十二条第二款、第二十八条第二款、第三十一条",
            )
        )
    rules = (
        RouteRule.objects.filter(is_active=True)
        .filter(Q(category=category) | Q(category__isnull=True))
        .filter(Q(petition_type="") | Q(petition_type=petition_type))
        .select_related("region", "target_body", "category")
    )
    applicable = [r for r in rules if r.region is None or problem_region.path.startswith(r.region.path)]
    applicable.sort(
        key=lambda r: (r.priority, r.region is None, r.category_id is None, r.petition_type == "")
    )
    for rule in applicable[:2]:
        if rule.target_body_id:
            body = rule.target_body
        else:
            level_region = {
                TargetLevel.COUNTY: _county_of(problem_region),
                TargetLevel.CITY: _city_of(problem_region),
                TargetLevel.SAME_AS_REGISTRAR: registrar_body.region,
            }[rule.target_level]
            body = body_of_kind_for_region(region=level_region, sector=rule.target_sector)
        if body is None or any(s.body and s.body.pk == body.pk for s in out):
            continue
        if (
            subject_body is not None
            and petition_type == "accusation"
            and body.path.startswith(subject_body.path)
        ):
            continue
        label = rule.category.name if rule.category else "该类"
        out.append(
            RouteSuggestion(
                "transfer",
                body,
                f"因为{label}事项属于{body.short_name or body.name}的职责，问题发生在{problem_region.name}"
                f"（属地管理、分级负责{'；规则：' + rule.note if rule.note else ''}）",
                "《信访工作条例》第二十二条第一款",
            )
        )
    return out
