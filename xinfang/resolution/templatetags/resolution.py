"""Template helpers: a figures cell with its drill-down link, and the referrals panel of a case page."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from xinfang.cases.workflow import OPEN_STATES
from xinfang.resolution.figures import DRILL
from xinfang.resolution.models import Referral
from xinfang.resolution.selectors import REFERRER_ROLES

register = template.Library()


@register.simple_tag
def cell(row, key: str, year: int, dim: str = ""):
    """One figure, linked to its referrals; ``dim`` names what the row is (month, organisation, body)."""
    value = row.success_rate if key == "success_rate" else getattr(row, key)
    if key not in DRILL or not value:
        return value
    url = reverse("resolution:figures_drill") + f"?year={year}&column={key}"
    if dim in ("month", "organisation", "body") and row.key:
        url += f"&{dim}={row.key}"
    return format_html('<a href="{}">{}</a>', url, value)


@register.inclusion_tag("resolution/_case_panel.html", takes_context=True)
def case_referrals(context, case):
    """On the case page (already read through case_get_for_actor): this body's referrals of the case."""
    actor = context.get("actor")
    if actor is None or actor.body is None:
        return {"referrals": [], "may_refer": False}
    referrals = list(
        Referral.objects.filter(case=case, referring_body=actor.body).select_related("organisation")
    )
    may_refer = (
        actor.has_role(*REFERRER_ROLES[:3])
        and case.state in OPEN_STATES
        and case.current_body_id == actor.body.pk
    )
    return {"referrals": referrals, "may_refer": may_refer, "case": case}
