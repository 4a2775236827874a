import pytest

from xinfang.cases.models import Category
from xinfang.intake.models import RouteRule, TargetLevel
from xinfang.intake.routing import suggest_routes
from xinfang.orgs.models import Body, Region

pytestmark = pytest.mark.django_db


def _suggest(**kw):
    defaults = {
        "registrar_body": Body.objects.get(code="990101-xinfang"),
        "problem_region": Region.objects.get(code="990101002"),
        "petition_type": "appeal",
    }
    return suggest_routes(**{**defaults, **kw})


def test_category_goes_to_the_county_line_of_work_with_a_reason(demo_city):
    [first] = _suggest(category=Category.objects.get(name="城乡建设"))
    assert first.body.code == "990101-housing" and first.action == "transfer"
    assert "城乡建设" in first.because and "属地管理" in first.because


def test_law_related_and_accusation_routes_come_first_and_are_required(demo_city):
    routes = _suggest(category=Category.objects.get(name="城乡建设"), law_related=True)
    assert routes[0].body.code == "990101-politics_law" and routes[0].required
    assert "第二十二条" in routes[0].legal_basis
    subject = Body.objects.get(code="990101-housing")
    routes = _suggest(
        category=Category.objects.get(name="城乡建设"), petition_type="accusation", subject_body=subject
    )
    assert routes[0].body.code == "990101-discipline"
    assert all(r.body is None or r.body.pk != subject.pk for r in routes)


def test_an_administrator_rule_overrides_the_default(demo_city):
    cat = Category.objects.get(name="交通运输")
    RouteRule.objects.create(
        category=cat,
        region=Region.objects.get(code="990101"),
        target_sector="transport",
        target_level=TargetLevel.CITY,
        priority=10,
        note="东城区交通事项由市交通运输局办理",
    )
    routes = _suggest(category=cat)
    assert routes[0].body.code == "990100-transport" and "东城区交通事项" in routes[0].because
    elsewhere = _suggest(category=cat, problem_region=Region.objects.get(code="990102001"))
    assert elsewhere[0].body.code == "990102-transport"


def test_legal_procedure_is_told(demo_city):
    routes = _suggest(
        category=Category.objects.get(name="劳动和社会保障"),
        legal_procedure="劳动仲裁",
        legal_procedure_because="涉及劳动争议",
    )
    assert any(r.action == "tell" and "劳动仲裁" in r.because for r in routes)
