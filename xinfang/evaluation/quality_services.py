"""Writes for the quality review (质效评价, docs/quality.md): criteria set versions, review plans and their
seeded draw, 督查员 flags, the committee's reviews, and the 整改 a failed review sends back to the body.

Each service takes keyword-only arguments and the `actor`, runs in one transaction, records an event and
raises from the ApplicationError family. Cases are reached only through `xinfang.cases.selectors`."""

from __future__ import annotations

import importlib
import importlib.util
import secrets
from collections.abc import Iterable
from dataclasses import asdict, is_dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.models import Attachment, Case, Notice
from xinfang.cases.selectors import case_get_for_actor, cases_visible_to
from xinfang.cases.workflow import BY_ACTION
from xinfang.core.errors import Conflict, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from xinfang.core.events import event_record
from xinfang.core.models import Event
from xinfang.core.periods import period
from xinfang.deadlines.calendar import SHANGHAI, compute_due, local_date
from xinfang.documents.models import Document
from xinfang.evaluation.models import (
    CriteriaSet,
    Criterion,
    CriterionGroup,
    CriterionScore,
    Evaluation,
    ItemStatus,
    PlanStatus,
    Rectification,
    RectificationStatus,
    RectificationStep,
    RectificationStepKind,
    Review,
    ReviewFlag,
    ReviewPlan,
    ReviewResult,
    SampleItem,
    Satisfaction,
    ScoreLevel,
)
from xinfang.evaluation.sampling import SampleInputs, SampleSettings, sample_select
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, BodyKind, Membership, Role
from xinfang.supervision.models import SupervisionKind, SupervisionReason
from xinfang.supervision.services import supervision_issue

REVIEWERS = (Role.EVALUATOR,)
CRITERIA_EDITORS = (Role.EVALUATOR, Role.ADMINISTRATOR)
FLAGGERS = (Role.SUPERVISOR,)
TEXT_MAX = 2000
DEFAULT_CRITERIA_KEY = "sandaowei"
# A criterion's share of its weight for each level; 不适用 leaves the criterion out of the weighted score.
LEVEL_VALUE = {ScoreLevel.MET: Decimal(1), ScoreLevel.PARTLY: Decimal("0.5"), ScoreLevel.NOT_MET: Decimal(0)}
EVIDENCE_KINDS = ("event", "notice", "attachment", "document")


def _event(actor: Actor, obj, action: str, *, body=None, new=None, old=None, reason: str = "", basis=""):
    return event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=body if body is not None else actor.body,
        obj=obj,
        action=action,
        old=_jsonable(old) if old else old,
        new=_jsonable(new) if new else new,
        reason=reason,
        legal_basis=basis,
    )


def _text(value: str, field_name: str, message: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(message, extra={field_name: message})
    if len(value) > limit:
        msg = gettext("内容不能超过%(n)s字。") % {"n": limit}
        raise ValidationFailed(msg, extra={field_name: msg})
    return value


def _today() -> date:
    return local_date(timezone.now())


def _lock(model, pk):
    obj = model.objects.select_for_update().filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def rectification_due_for(start: date) -> date:
    """The 整改 deadline: `rectification` days after `start` (xinfang/core/periods.py)."""
    p = period("rectification")
    return compute_due(start=start, days=p.current_days(), working=p.working).due


def bodies_in_scope(body: Body, *, include_subordinates: bool) -> list[int]:
    """The bodies a plan covers: the body, and with `include_subordinates` the bodies under it — for a
    信访部门 or a government its whole region, for any other body its own line."""
    if not include_subordinates:
        return [body.pk]
    if body.kind in (BodyKind.XINFANG, BodyKind.GOVERNMENT):
        qs = Body.objects.filter(region__path__startswith=body.region.path)
    else:
        qs = Body.objects.filter(path__startswith=body.path)
    return list(qs.values_list("pk", flat=True))


def _may_plan_for(actor: Actor, body: Body) -> bool:
    """A committee plans for bodies in its own region (a 信访部门's committee) or its own line."""
    own = actor.body
    if own.kind in (BodyKind.XINFANG, BodyKind.GOVERNMENT):
        return body.region.path.startswith(own.region.path)
    return body.path.startswith(own.path)


# ------------------------------------------------------------------------------------------- criteria sets


def criteria_set_current(key: str = DEFAULT_CRITERIA_KEY) -> CriteriaSet:
    found = CriteriaSet.objects.filter(key=key).order_by("-version").first()
    if found is None:
        raise NotFound(gettext("尚未配置评价标准。"), code="no_criteria_set")
    return found


def _weight(value: Any, field_name: str) -> Decimal:
    try:
        w = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        w = Decimal(-1)
    if not w.is_finite() or w < 0 or w > 100:
        msg = gettext("权重须为0到100之间的数。")
        raise ValidationFailed(msg, code="invalid_weight", extra={field_name: msg})
    return w.quantize(Decimal("0.01"))


def criteria_set_revise(
    *, actor: Actor, base: CriteriaSet, criteria: list[dict[str, Any]], change_note: str
) -> CriteriaSet:
    """Save an edit of a criteria set as its next version. `criteria` lists every criterion of the new
    version in order: {"code": an existing code or "" for a new (custom) one, "group", "text", "weight"}.
    The base must be the latest version (two editors at once: one wins). Earlier versions are untouched, so
    a review keeps the wording and weights it was scored against."""
    actor.require_role(*CRITERIA_EDITORS)
    change_note = _text(change_note, "change_note", gettext("请填写修订说明。"), limit=300)
    if not criteria:
        raise ValidationFailed(gettext("标准集至少要有一条标准。"), code="criteria_empty")
    with transaction.atomic():
        latest = CriteriaSet.objects.select_for_update().filter(key=base.key).aggregate(v=Max("version"))["v"]
        if latest != base.version:
            raise Conflict(
                gettext("该标准集已有更新的版本（第%(v)s版），请在最新版本上修改。") % {"v": latest},
                code="criteria_set_stale",
            )
        old = {c.code: c for c in base.criteria.all()}
        rows: list[Criterion] = []
        seen: set[str] = set()
        custom_n = 1 + max(
            [int(c.split("-")[1]) for c in old if c.startswith("custom-") and c.split("-")[1].isdigit()]
            or [0]
        )
        for i, item in enumerate(criteria, start=1):
            code = (item.get("code") or "").strip()
            group = item.get("group") or CriterionGroup.CUSTOM
            if group not in CriterionGroup.values:
                raise ValidationFailed(gettext("标准类别有误。"), code="invalid_group")
            text = _text(item.get("text", ""), f"text_{i}", gettext("标准内容不能为空。"), limit=500)
            weight = _weight(item.get("weight", 1), f"weight_{i}")
            if code and code not in old:
                raise ValidationFailed(gettext("标准代码有误。"), code="unknown_criterion")
            if not code:
                code = f"custom-{custom_n}"
                custom_n += 1
            if code in seen:
                raise ValidationFailed(gettext("同一标准不能出现两次。"), code="duplicate_criterion")
            seen.add(code)
            is_custom = old[code].is_custom if code in old else True
            if code in old:
                group = old[code].group
            rows.append(
                Criterion(group=group, code=code, ordinal=i, text=text, weight=weight, is_custom=is_custom)
            )
        new = CriteriaSet.objects.create(
            key=base.key,
            name=base.name,
            version=base.version + 1,
            based_on=base,
            change_note=change_note,
            created_by=actor.user,
        )
        for r in rows:
            r.criteria_set = new
        Criterion.objects.bulk_create(rows)
        changed = [
            r.code
            for r in rows
            if r.code not in old or old[r.code].text != r.text or old[r.code].weight != r.weight
        ]
        _event(
            actor,
            new,
            "criteria_revise",
            new={
                "version": new.version,
                "based_on": base.version,
                "changed": changed,
                "removed": sorted(set(old) - seen),
            },
            reason=change_note,
        )
    return new


# ---------------------------------------------------------------------------------------------- plans


def review_plan_create(
    *,
    actor: Actor,
    name: str,
    body: Body,
    period_start: date,
    period_end: date,
    sample_percent: Decimal | str | int = 10,
    all_cases: bool = False,
    include_unsatisfied: bool = True,
    include_returned: bool = True,
    include_flagged: bool = True,
    include_subordinates: bool = True,
    seed: int | None = None,
    criteria_set: CriteriaSet | None = None,
) -> ReviewPlan:
    actor.require_role(*REVIEWERS)
    name = _text(name, "name", gettext("请填写计划名称。"), limit=100)
    if period_end < period_start:
        msg = gettext("期间止不能早于期间起。")
        raise ValidationFailed(msg, code="invalid_period", extra={"period_end": msg})
    try:
        percent = Decimal(str(sample_percent).strip() or "0")
    except InvalidOperation:
        percent = Decimal(-1)
    if not percent.is_finite() or percent < 0 or percent > 100:
        msg = gettext("抽取比例须在0到100之间。")
        raise ValidationFailed(msg, code="invalid_percent", extra={"sample_percent": msg})
    if not _may_plan_for(actor, body):
        msg = gettext("只能对本级管辖范围内的单位制定评价计划。")
        raise PermissionDenied(msg, code="body_not_in_scope")
    if seed is None:
        seed = secrets.randbelow(2**53)
    elif not (0 <= int(seed) < 2**53):
        msg = gettext("随机种子须为非负整数。")
        raise ValidationFailed(msg, code="invalid_seed", extra={"seed": msg})
    criteria_set = criteria_set or criteria_set_current()
    with transaction.atomic():
        plan = ReviewPlan.objects.create(
            name=name,
            owner_body=actor.body,
            body=body,
            include_subordinates=include_subordinates,
            period_start=period_start,
            period_end=period_end,
            all_cases=all_cases,
            sample_percent=percent.quantize(Decimal("0.01")),
            include_unsatisfied=include_unsatisfied,
            include_returned=include_returned,
            include_flagged=include_flagged,
            seed=int(seed),
            criteria_set=criteria_set,
            created_by=actor.user,
        )
        _event(
            actor,
            plan,
            "review_plan_create",
            new={
                "body": body.pk,
                "period": [period_start.isoformat(), period_end.isoformat()],
                "all": all_cases,
                "percent": plan.sample_percent,
                "seed": plan.seed,
                "criteria_set": criteria_set.pk,
            },
        )
    return plan


def _aware(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=SHANGHAI)


def plan_inputs(*, actor: Actor, plan: ReviewPlan) -> tuple[SampleInputs, dict[int, int]]:
    """The population and the rule sets for a plan, read through the one read path; and case id → the
    body whose handling is reviewed (its handling body, or the body that holds it when none was named)."""
    bodies = bodies_in_scope(plan.body, include_subordinates=plan.include_subordinates)
    start, end = _aware(plan.period_start), _aware(plan.period_end + timedelta(days=1))
    in_bodies = Q(handling_body_id__in=bodies) | Q(handling_body__isnull=True, current_body_id__in=bodies)
    visible = cases_visible_to(actor).filter(in_bodies)
    in_period = visible.filter(
        Q(answered_at__gte=start, answered_at__lt=end) | Q(closed_at__gte=start, closed_at__lt=end)
    )
    rows = in_period.values_list(
        "pk", "handling_body_id", "current_body_id", "review_requested_at", "rereview_requested_at"
    )
    population: set[int] = set()
    handled_by: dict[int, int] = {}
    returned: set[int] = set()
    for pk, handling, current, review_req, rereview_req in rows:
        population.add(pk)
        handled_by[pk] = handling or current
        if review_req or rereview_req:
            returned.add(pk)
    # The population as a subquery, not a list of ids: a province's quarter is hundreds of thousands of cases,
    # more than SQLite (or PostgreSQL's protocol) binds as parameters of one statement.
    # came back as a new petition on the same matter (重复信访 linked to it)
    returned.update(
        cases_visible_to(actor)
        .filter(repeat_of_id__in=in_period.values("pk"))
        .values_list("repeat_of_id", flat=True)
    )
    unsatisfied = set(
        Evaluation.objects.filter(
            case_id__in=in_period.values("pk"), result=Satisfaction.UNSATISFIED
        ).values_list("case_id", flat=True)
    )
    flagged: set[int] = set()
    if plan.include_flagged:
        flag_ids = ReviewFlag.objects.filter(plan__isnull=True).values("case_id")
        for pk, handling, current in visible.filter(pk__in=flag_ids).values_list(
            "pk", "handling_body_id", "current_body_id"
        ):
            flagged.add(pk)
            handled_by.setdefault(pk, handling or current)
    return (
        SampleInputs(
            population=frozenset(population),
            unsatisfied=frozenset(unsatisfied),
            returned=frozenset(returned & population),
            flagged=frozenset(flagged),
        ),
        handled_by,
    )


def review_plan_draw(*, actor: Actor, plan: ReviewPlan) -> ReviewPlan:
    """Draw the plan's sample once: every rule that names a case is kept on its item (抽取依据)."""
    actor.require_role(*REVIEWERS)
    with transaction.atomic():
        plan = _lock(ReviewPlan, plan.pk)
        if plan.owner_body_id != actor.body.pk:
            raise NotFound()
        if plan.status != PlanStatus.DRAFT:
            raise TransitionNotAllowed(gettext("该计划已经抽取过。"), code="plan_already_drawn")
        inputs, handled_by = plan_inputs(actor=actor, plan=plan)
        chosen = sample_select(
            SampleSettings(
                seed=plan.seed,
                percent=plan.sample_percent,
                all_cases=plan.all_cases,
                include_unsatisfied=plan.include_unsatisfied,
                include_returned=plan.include_returned,
                include_flagged=plan.include_flagged,
            ),
            inputs,
        )
        SampleItem.objects.bulk_create(
            SampleItem(plan=plan, case_id=case_id, body_id=handled_by[case_id], rules=rules)
            for case_id, rules in chosen.items()
        )
        ReviewFlag.objects.filter(plan__isnull=True, case_id__in=list(chosen)).update(plan=plan)
        plan.status = PlanStatus.DRAWN
        plan.drawn_at = timezone.now()
        plan.population = len(inputs.population)
        plan.save(update_fields=["status", "drawn_at", "population"])
        by_rule: dict[str, int] = {}
        for rules in chosen.values():
            for r in rules:
                by_rule[r] = by_rule.get(r, 0) + 1
        _event(
            actor,
            plan,
            "review_plan_draw",
            new={"seed": plan.seed, "population": plan.population, "sample": len(chosen), "by_rule": by_rule},
        )
    return plan


def review_plan_close(*, actor: Actor, plan: ReviewPlan) -> ReviewPlan:
    actor.require_role(*REVIEWERS)
    with transaction.atomic():
        plan = _lock(ReviewPlan, plan.pk)
        if plan.owner_body_id != actor.body.pk:
            raise NotFound()
        if plan.status != PlanStatus.DRAWN:
            raise TransitionNotAllowed(gettext("只能结束评价中的计划。"), code="plan_not_drawn")
        plan.status = PlanStatus.CLOSED
        plan.save(update_fields=["status"])
        _event(actor, plan, "review_plan_close")
    return plan


# ----------------------------------------------------------------------------------------------- flags


def review_flag(*, actor: Actor, case_number: str, reason: str) -> ReviewFlag:
    """A 督查员 asks the committee to review a case: the next plan that covers its body takes it in."""
    actor.require_role(*FLAGGERS)
    reason = _text(reason, "reason", gettext("请填写标记理由。"), limit=300)
    try:
        case = case_get_for_actor(actor=actor, number=(case_number or "").strip(), log_read=False)
    except NotFound:
        msg = gettext("未找到信访事项“%(n)s”，或您无权查看。") % {"n": case_number}
        raise ValidationFailed(msg, code="case_not_found", extra={"case": msg}) from None
    with transaction.atomic():
        if ReviewFlag.objects.filter(case=case, plan__isnull=True).exists():
            raise Conflict(gettext("该事项已标记，等待纳入评价计划。"), code="already_flagged")
        flag = ReviewFlag.objects.create(case=case, body=actor.body, flagged_by=actor.user, reason=reason)
        _event(actor, flag, "review_flag", new={"case": case.number}, reason=reason)
    return flag


# ---------------------------------------------------------------------------------------------- reviews


def _own_body(actor: Actor, body_id: int) -> bool:
    """The reviewer acts for, or belongs to, the body whose handling is reviewed (条例 Art. 28 回避)."""
    if actor.body.pk == body_id:
        return True
    return Membership.objects.filter(user=actor.user, body_id=body_id).exists()


def review_refusal(*, actor: Actor, item: SampleItem) -> str | None:
    """Why this actor may not review this item, or None (the form hides itself with the same reason)."""
    if not actor.has_role(*REVIEWERS):
        return gettext("只有评价委员可以评价。")
    if _own_body(actor, item.body_id):
        return gettext("评价委员不能评价本单位办理的事项（回避）。")
    return None


def procedural_checks(case: Case, *, today: date) -> list[dict[str, Any]]:
    """The computed procedural (程序性) checks, if the procedural module is installed
    (xinfang/evaluation/procedural.py: `procedural_review(case, *, today)`); [] otherwise."""
    if importlib.util.find_spec("xinfang.evaluation.procedural") is None:
        return []
    module = importlib.import_module("xinfang.evaluation.procedural")
    out = []
    for check in module.procedural_review(case, today=today):
        row = asdict(check) if is_dataclass(check) and not isinstance(check, type) else dict(check)
        out.append(_jsonable(row))
    return out


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def evidence_options(case: Case) -> dict[str, dict[int, str]]:
    """The case's own records a score may cite as evidence: kind → id → label."""
    events = Event.objects.filter(object_type=Case._meta.label_lower, object_id=str(case.pk)).exclude(
        action="read"
    )
    named = {"register": "登记", "evaluate": "满意度评价", **{a: t.label for a, t in BY_ACTION.items()}}
    return {
        "event": {
            e.pk: f"{timezone.localtime(e.occurred_at):%Y-%m-%d} {named.get(e.action, e.action)}"
            for e in events.only("pk", "occurred_at", "action").order_by("occurred_at", "pk")
        },
        "notice": {n.pk: n.title for n in Notice.objects.filter(case=case).only("pk", "title")},
        "attachment": {a.pk: a.name for a in Attachment.objects.filter(case=case).only("pk", "name")},
        "document": {
            d.pk: f"{d.number} {d.title}".strip()
            for d in Document.objects.filter(case=case).only("pk", "number", "title")
        },
    }


def _evidence(raw: Iterable[Any], options: dict[str, dict[int, str]], field_name: str) -> list[dict]:
    """Parse evidence given as {"kind","id"} dicts or "kind:id" strings; each must be one of the case's."""
    out: list[dict] = []
    for item in raw or []:
        if isinstance(item, str):
            kind, _, ident = item.partition(":")
        else:
            kind, ident = item.get("kind", ""), item.get("id", "")
        try:
            pk = int(ident)
        except (TypeError, ValueError):
            pk = -1
        if kind not in EVIDENCE_KINDS or pk not in options.get(kind, {}):
            msg = gettext("佐证须为本事项的记录、文书或附件。")
            raise ValidationFailed(msg, code="invalid_evidence", extra={field_name: msg})
        entry = {"kind": kind, "id": pk, "label": options[kind][pk]}
        if entry not in out:
            out.append(entry)
    return out


def weighted_score(levels: dict[int, str], weights: dict[int, Decimal]) -> Decimal | None:
    """100 × Σ weight × value ÷ Σ weight over the applicable criteria (到位 1, 基本到位 ½, 不到位 0)."""
    total = sum((weights[c] for c, lv in levels.items() if lv in LEVEL_VALUE), Decimal(0))
    if not total:
        return None
    got = sum(
        (weights[c] * LEVEL_VALUE[ScoreLevel(lv)] for c, lv in levels.items() if lv in LEVEL_VALUE),
        Decimal(0),
    )
    return (100 * got / total).quantize(Decimal("0.1"))


def review_submit(
    *,
    actor: Actor,
    item: SampleItem,
    result: str,
    summary: str,
    scores: dict[int, dict[str, Any]],
    requirement: str = "",
    due_on: date | None = None,
) -> Review:
    """The committee's review of one sampled case against the plan's criteria set version: every criterion
    scored (level, note — required where not 到位 — and evidence from the case's own records), an overall
    result, and the procedural checks as computed now. 不合格 sends the case back to the body for 整改."""
    actor.require_role(*REVIEWERS)
    if _own_body(actor, item.body_id):
        raise PermissionDenied(gettext("评价委员不能评价本单位办理的事项（回避）。"), code="own_body_case")
    if result not in ReviewResult.values:
        msg = gettext("请选择评价结论：合格、基本合格或不合格。")
        raise ValidationFailed(msg, code="invalid_result", extra={"result": msg})
    summary = _text(summary, "summary", gettext("请填写评价意见。"))
    case = case_get_for_actor(actor=actor, pk=item.case_id, log_read=False)
    plan = item.plan
    if plan.owner_body_id != actor.body.pk:
        raise NotFound()
    if plan.status != PlanStatus.DRAWN:
        raise TransitionNotAllowed(gettext("该计划不在评价中。"), code="plan_not_open")
    criteria = list(plan.criteria_set.criteria.all())
    options = evidence_options(case)
    rows: list[CriterionScore] = []
    errors: dict[str, str] = {}
    levels: dict[int, str] = {}
    for c in criteria:
        given = scores.get(c.pk) or scores.get(str(c.pk)) or {}  # type: ignore[call-overload]
        level = given.get("level", "")
        if level not in ScoreLevel.values:
            errors[f"level_{c.pk}"] = gettext("请为每一条标准评分。")
            continue
        note = (given.get("note") or "").strip()[:TEXT_MAX]
        if level in (ScoreLevel.NOT_MET, ScoreLevel.PARTLY) and not note:
            errors[f"note_{c.pk}"] = gettext("评为不到位或基本到位的，须说明理由。")
            continue
        evidence = _evidence(given.get("evidence") or [], options, f"evidence_{c.pk}")
        levels[c.pk] = level
        rows.append(CriterionScore(criterion=c, level=level, note=note, evidence=evidence))
    if errors:
        raise ValidationFailed(next(iter(errors.values())), code="criteria_incomplete", extra=errors)
    today = _today()
    if result == ReviewResult.FAIL:
        requirement = _text(requirement or summary, "requirement", gettext("请填写整改要求。"))
        if due_on is not None and due_on <= today:
            msg = gettext("整改期限须晚于今天。")
            raise ValidationFailed(msg, code="invalid_due", extra={"due_on": msg})
    procedural = procedural_checks(case, today=today)
    with transaction.atomic():
        locked = _lock(SampleItem, item.pk)
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    item=locked,
                    case=case,
                    criteria_set=plan.criteria_set,
                    reviewer=actor.user,
                    reviewer_body=actor.body,
                    result=result,
                    score=weighted_score(levels, {c.pk: c.weight for c in criteria}),
                    summary=summary,
                    procedural=procedural,
                )
        except IntegrityError:
            raise Conflict(gettext("该事项已经评价过。"), code="already_reviewed") from None
        for r in rows:
            r.review = review
        CriterionScore.objects.bulk_create(rows)
        locked.status = ItemStatus.REVIEWED
        locked.save(update_fields=["status"])
        _event(
            actor,
            review,
            "quality_review",
            new={
                "case": case.number,
                "plan": plan.pk,
                "result": result,
                "score": review.score,
                "criteria_set": plan.criteria_set_id,
                "not_met": [c.code for c in criteria if levels.get(c.pk) == ScoreLevel.NOT_MET],
            },
            reason=summary[:500],
            basis="《信访工作条例》第二十七条",
        )
        if result == ReviewResult.FAIL:
            rect = Rectification.objects.create(
                review=review,
                case=case,
                body_id=locked.body_id,
                issuing_body=actor.body,
                requirement=requirement,
                issued_by=actor.user,
                issued_on=today,
                due_on=due_on or rectification_due_for(today),
            )
            _event(
                actor,
                rect,
                "rectification_issue",
                new={"case": case.number, "body": locked.body_id, "due_on": rect.due_on},
                reason=requirement[:500],
                basis="《信访工作条例》第三十九条第三款",
            )
    return review


# ------------------------------------------------------------------------------------------------- 整改


def _rect_for_body(actor: Actor, rect: Rectification) -> None:
    if rect.body_id != actor.body.pk:
        raise PermissionDenied(gettext("只有整改单位可以报送整改情况。"), code="not_rectifying_body")


def _rect_for_committee(actor: Actor, rect: Rectification) -> None:
    actor.require_role(*REVIEWERS)
    if rect.issuing_body_id != actor.body.pk:
        raise PermissionDenied(gettext("只有交办整改的评价机关可以验收。"), code="not_issuing_body")


def _step(actor: Actor, rect: Rectification, kind: str, text: str) -> None:
    RectificationStep.objects.create(rectification=rect, kind=kind, text=text, by=actor.user, body=actor.body)


def rectification_submit(*, actor: Actor, rectification: Rectification, report: str) -> Rectification:
    """The body reports what it did; the committee then accepts it or sends it back."""
    report = _text(report, "report", gettext("请填写整改情况。"))
    with transaction.atomic():
        rect = _lock(Rectification, rectification.pk)
        _rect_for_body(actor, rect)
        if rect.status != RectificationStatus.OPEN:
            raise TransitionNotAllowed(gettext("该整改当前不能报送。"), code="rectification_not_open")
        today = _today()
        rect.status = RectificationStatus.SUBMITTED
        rect.report = report
        rect.submitted_at = timezone.now()
        rect.submitted_by = actor.user
        rect.submitted_on_time = today <= rect.due_on
        rect.save(update_fields=["status", "report", "submitted_at", "submitted_by", "submitted_on_time"])
        _step(actor, rect, RectificationStepKind.SUBMIT, report)
        _event(
            actor,
            rect,
            "rectification_submit",
            new={"status": rect.status, "on_time": rect.submitted_on_time},
            reason=report[:500],
        )
    return rect


def rectification_accept(*, actor: Actor, rectification: Rectification, note: str = "") -> Rectification:
    note = _text(note, "note", "", required=False) or gettext("整改到位，验收通过。")
    with transaction.atomic():
        rect = _lock(Rectification, rectification.pk)
        _rect_for_committee(actor, rect)
        if rect.status != RectificationStatus.SUBMITTED:
            raise TransitionNotAllowed(
                gettext("整改情况尚未报送，不能验收。"), code="rectification_not_submitted"
            )
        rect.status = RectificationStatus.DONE
        rect.done_at = timezone.now()
        rect.done_by = actor.user
        rect.save(update_fields=["status", "done_at", "done_by"])
        _step(actor, rect, RectificationStepKind.ACCEPT, note)
        _event(actor, rect, "rectification_accept", new={"status": rect.status}, reason=note[:500])
    return rect


def rectification_send_back(
    *, actor: Actor, rectification: Rectification, note: str, due_on: date | None = None
) -> Rectification:
    note = _text(note, "note", gettext("请说明退回理由。"))
    with transaction.atomic():
        rect = _lock(Rectification, rectification.pk)
        _rect_for_committee(actor, rect)
        if rect.status != RectificationStatus.SUBMITTED:
            raise TransitionNotAllowed(
                gettext("整改情况尚未报送，不能退回。"), code="rectification_not_submitted"
            )
        if due_on is not None and due_on <= _today():
            msg = gettext("整改期限须晚于今天。")
            raise ValidationFailed(msg, code="invalid_due", extra={"due_on": msg})
        old_due = rect.due_on
        rect.status = RectificationStatus.OPEN
        rect.send_backs += 1
        if due_on is not None:
            rect.due_on = due_on
        rect.save(update_fields=["status", "send_backs", "due_on"])
        _step(actor, rect, RectificationStepKind.SEND_BACK, note)
        _event(
            actor,
            rect,
            "rectification_send_back",
            old={"due_on": old_due},
            new={"status": rect.status, "due_on": rect.due_on},
            reason=note[:500],
        )
    return rect


def rectification_supervise(
    *, actor: Actor, rectification: Rectification, kind_id: int | str, requirement: str
):
    """Open a 督办 (reason: 办理质量不合格) on the case for the rectifying body through the supervision
    service; the 督查员 role and the body's place under the actor's are checked there."""
    rect = (
        Rectification.objects.select_related("case", "body", "body__region")
        .filter(pk=rectification.pk)
        .first()
    )
    if rect is None:
        raise NotFound()
    if rect.issuing_body_id != actor.body.pk:
        raise PermissionDenied(gettext("只有交办整改的机关可以就此发起督办。"), code="not_issuing_body")
    if rect.supervision_id:
        raise Conflict(gettext("该整改已发起督办。"), code="already_supervised")
    kind = (
        SupervisionKind.objects.filter(pk=kind_id, is_active=True).first() if str(kind_id).isdigit() else None
    )
    if kind is None:
        msg = gettext("请选择督办方式。")
        raise ValidationFailed(msg, code="invalid_kind", extra={"kind": msg})
    with transaction.atomic():
        sup = supervision_issue(
            actor=actor,
            kind=kind,
            body=rect.body,
            case_numbers=[rect.case.number],
            reason=SupervisionReason.QUALITY,
            requirement=requirement,
        )
        Rectification.objects.filter(pk=rect.pk).update(supervision=sup)
        rect.supervision = sup
        _event(actor, rect, "rectification_supervise", new={"supervision": sup.number})
    return rect
