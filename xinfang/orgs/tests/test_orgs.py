import pytest
from django.urls import reverse

from xinfang.core.errors import PermissionDenied
from xinfang.orgs.acting import actor_for
from xinfang.orgs.demo import DEMO_PASSWORD, demo_city_load
from xinfang.orgs.middleware import SESSION_KEY
from xinfang.orgs.models import Body, BodyKind, Region, RegionLevel, User
from xinfang.orgs.selectors import bodies_under, body_of_kind_for_region, body_superior

pytestmark = pytest.mark.django_db


def test_demo_city_shape(demo_city):
    city = Region.objects.get(level=RegionLevel.CITY)
    assert city.name == "示例市"
    assert Region.objects.filter(level=RegionLevel.COUNTY, parent=city).count() == 12
    assert Region.objects.filter(level=RegionLevel.TOWNSHIP).count() >= 12 * 4
    for kind in BodyKind.values:
        assert Body.objects.filter(region=city, kind=kind).exists(), kind
    # a second load changes nothing
    before = Body.objects.count()
    assert demo_city_load() == {"regions": 0, "bodies": 0, "users": 0}
    assert Body.objects.count() == before


def test_superior_and_subtree(demo_city):
    county_housing = Body.objects.get(code="990101-housing")
    assert body_superior(county_housing).code == "990100-housing"
    assert body_superior(Body.objects.get(code="990101-xinfang")).code == "990100-xinfang"
    assert body_superior(Body.objects.get(code="990100-xinfang")) is None

    city_bureau = Body.objects.get(code="990100-xinfang")
    under_city = set(bodies_under(city_bureau).values_list("code", flat=True))
    assert "990126-health" in under_city and "990101001-xinfang" in under_city
    county_bureau = Body.objects.get(code="990101-xinfang")
    under_county = set(bodies_under(county_bureau).values_list("code", flat=True))
    assert "990101-housing" in under_county and "990102-housing" not in under_county
    assert "990100-housing" not in under_county
    under_housing = set(bodies_under(Body.objects.get(code="990100-housing")).values_list("code", flat=True))
    assert "990112-housing" not in under_housing  # no such county: 12 counties use other codes
    assert {"990101-housing", "990126-housing"} <= under_housing
    assert "990101-labour" not in under_housing


def test_township_reaches_county_discipline_body(demo_city):
    town = Region.objects.get(code="990101001")
    assert body_of_kind_for_region(region=town, kind=BodyKind.DISCIPLINE).code == "990101-discipline"


def test_actor_roles_are_scoped_to_the_body(demo_city):
    user = User.objects.get(username="duogang")
    registrar = actor_for(user, Body.objects.get(code="990101-xinfang"))
    assert registrar.roles == {"registrar"}
    officer = actor_for(user, Body.objects.get(code="990101-housing"))
    assert officer.roles == {"case_officer"}
    with pytest.raises(PermissionDenied):
        actor_for(user, Body.objects.get(code="990100-xinfang"))


def test_passwords_are_argon2(demo_city):
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        user = User.objects.get(username="dengji")
        user.set_password(DEMO_PASSWORD)
        assert user.password.startswith("argon2")


def test_login_page_is_chinese_and_login_works(client, demo_city):
    page = client.get(reverse("login"))
    assert "工作人员登录" in page.content.decode()
    bad = client.post(reverse("login"), {"username": "dengji", "password": "wrong"})
    assert bad.status_code == 200 and "请输入一个正确的" in bad.content.decode()
    ok = client.post(reverse("login"), {"username": "dengji", "password": DEMO_PASSWORD})
    assert ok.status_code == 302
    home = client.get(reverse("home"))
    assert "示例市信访局" in home.content.decode()


def test_user_with_two_bodies_chooses_at_login(client, demo_city):
    response = client.post(reverse("login"), {"username": "duogang", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("choose_body")
    assert client.get(reverse("home")).url == reverse("choose_body")
    housing = Body.objects.get(code="990101-housing")
    client.post(reverse("choose_body"), {"body": housing.pk})
    assert client.session[SESSION_KEY] == housing.pk
    assert "东城区住房和城乡建设局" in client.get(reverse("home")).content.decode()
    # a body the user does not belong to cannot be chosen
    other = Body.objects.get(code="990100-xinfang")
    bad = client.post(reverse("choose_body"), {"body": other.pk})
    assert bad.status_code == 200 and client.session[SESSION_KEY] == housing.pk


def test_every_demo_login_gets_in(client, demo_city):
    from xinfang.orgs.demo import DEMO_LOGINS

    for login in DEMO_LOGINS:
        client.logout()
        response = client.post(reverse("login"), {"username": login.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, login.username
        assert Body.objects.get(code=login.body_code).name in client.get(reverse("home")).content.decode()


def test_admin_is_chinese(client, demo_city):
    client.post(reverse("login"), {"username": "guanli", "password": DEMO_PASSWORD})
    assert "系统管理" in client.get("/admin/").content.decode()
