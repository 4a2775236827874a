"""What the registrar sees at intake: category, petition type, 涉法涉诉, lawful routes and earlier cases —
each with its reason. One function serves the registration form and the API; the registrar confirms or
changes, and `case_register(suggestion=...)` keeps what was suggested beside what was chosen."""

from __future__ import annotations

from typing import Any

from xinfang.cases.models import Category, PetitionType
from xinfang.cases.selectors import case_is_visible
from xinfang.cases.services.register import find_earlier_same_matter
from xinfang.intake.classifier import load_default
from xinfang.intake.routing import suggest_routes
from xinfang.intake.rules import flag_legal, suggest_type
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, Region

UNCERTAIN_BELOW = 0.6


def intake_suggest(
    *,
    registrar_body: Body,
    title: str = "",
    request: str = "",
    facts: str = "",
    problem_region: Region | None = None,
    subject_body: Body | None = None,
    people=(),
    law_related: bool | None = None,
    petition_type: str | None = None,
    residence_region: Region | None = None,
    household_region: Region | None = None,
) -> dict[str, Any]:
    """`law_related` / `petition_type`: what the registrar has already set; a legal route they set is
    followed, never contradicted (the text's own guesses are still shown beside it)."""
    text = "\n".join(t for t in (title, request, facts) if t)
    out: dict[str, Any] = {"category": None, "type": None, "law_related": None, "routes": [], "repeats": []}
    if not text.strip():
        return out
    model = load_default()
    body = f"{request}\n{facts}"
    ranked = model.predict_ranked(title=title, body=body)
    prediction = ranked[0]
    category = Category.objects.filter(name=prediction.label).first()
    evidence = model.evidence(title=title, body=body, label=prediction.label)
    because = f"文本分类模型判断为“{prediction.label}”（置信度{prediction.confidence:.0%}）"
    if evidence:
        because += "，依据文中的" + "".join(f"“{w}”" for w in evidence)
    out["category"] = {
        "name": prediction.label,
        "code": category.code if category else None,
        "confidence": round(float(prediction.confidence), 3),
        "evidence": evidence,
        "because": because,
        # below this the model is right about as often as not (its confidence is calibrated: ECE ≈ 0.02,
        # bench/intake/README.md): say so, and name the runner-up
        "uncertain": prediction.confidence < UNCERTAIN_BELOW,
        "runner_up": {"name": ranked[1].label, "confidence": round(ranked[1].confidence, 3)}
        if len(ranked) > 1
        else None,
    }
    chosen_type = petition_type if petition_type in PetitionType.values else None
    kind = suggest_type(text)
    # the rules speak the regulation's words (申诉求决类 …); the case model stores the code
    by_label = {label: value for value, label in PetitionType.choices}
    petition_type = by_label.get(kind.petition_type, kind.petition_type)
    out["type"] = {
        "petition_type": petition_type,
        "label": PetitionType(petition_type).label,
        "because": "；".join(kind.reasons),
    }
    legal = flag_legal(text)
    out["law_related"] = {"flagged": legal.flagged, "because": "；".join(legal.reasons)}
    if problem_region is not None:
        routes = suggest_routes(
            registrar_body=registrar_body,
            problem_region=problem_region,
            petition_type=chosen_type or petition_type,
            category=category,
            law_related=legal.flagged if law_related is None else (law_related or legal.flagged),
            subject_body=subject_body,
        )
        out["routes"] = [r.as_dict() for r in routes]
        if not any(r.required for r in routes):
            # 三跨三分离: who leads and who assists, by the responsibility table (never beside a legal route)
            from xinfang.intake.responsibility import responsibility_propose

            proposal = responsibility_propose(
                problem_region=problem_region,
                residence_region=residence_region,
                household_region=household_region,
                category=category,
            )
            if proposal is not None:
                out["responsibility"] = proposal.as_dict()
        if people:
            earlier = find_earlier_same_matter(
                people=list(people), problem_region=problem_region, request=request, facts=facts
            )
            if earlier is not None and _visible_to(registrar_body, earlier):
                out["repeats"] = [
                    {
                        "number": earlier.number,
                        "state": earlier.get_state_display(),
                        "because": "同一信访人、同一问题属地、诉求基本相同",
                    }
                ]
    return out


def _visible_to(body: Body, case) -> bool:
    """A repeat candidate is named only if the registrar's body may see it: an earlier 检举控告 about that
    body never surfaces through the suggestion (Art. 30; the one read path, docs/security.md)."""

    return case_is_visible(actor=Actor(user=None, body=body), case_id=case.pk)
