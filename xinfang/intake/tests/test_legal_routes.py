"""Where the law sets the route, the intake suggests it alone (Art. 22 ¶2, Art. 28 ¶2, Art. 30, Art. 31(一))."""

import pytest

from xinfang.cases.models import Category
from xinfang.intake.models import RouteRule, TargetLevel
from xinfang.intake.routing import suggest_routes
from xinfang.intake.suggest import intake_suggest
from xinfang.orgs.models import Body, Region

pytestmark = pytest.mark.django_db


def _routes(**kw):
    defaults = {
        "registrar_body": Body.objects.get(code="990101-xinfang"),
        "problem_region": Region.objects.get(code="990101002"),
        "petition_type": "appeal",
        "category": Category.objects.get(name="城乡建设"),
    }
    return suggest_routes(**{**defaults, **kw})


def test_art31_1_law_related_goes_to_politics_law_only(demo_city):
    RouteRule.objects.create(target_sector="housing", target_level=TargetLevel.CITY, priority=1, note="任意")
    routes = _routes(law_related=True, legal_procedure="民事诉讼")
    assert [r.body.code for r in routes] == ["990101-politics_law"]
    assert routes[0].required and "第二十二条第二款" in routes[0].legal_basis


def test_art30_accusation_route_is_not_contradicted_by_a_rule(demo_city):
    RouteRule.objects.create(
        target_sector="housing", target_level=TargetLevel.COUNTY, priority=1, note="任意"
    )
    routes = _routes(petition_type="accusation")
    assert [r.body.code for r in routes] == ["990101-discipline"]


def test_art22_registrar_set_legal_route_is_followed_by_the_suggestion(demo_city):
    s = intake_suggest(
        registrar_body=Body.objects.get(code="990101-xinfang"),
        request="小区楼顶漏水，请求维修",
        problem_region=Region.objects.get(code="990101002"),
        law_related=True,
    )
    assert [r["body_code"] for r in s["routes"]] == ["990101-politics_law"]
    s = intake_suggest(
        registrar_body=Body.objects.get(code="990101-xinfang"),
        request="小区楼顶漏水，请求维修",
        problem_region=Region.objects.get(code="990101002"),
        petition_type="accusation",
    )
    assert [r["body_code"] for r in s["routes"]] == ["990101-discipline"]
