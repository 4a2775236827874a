"""Moving a body or a region rewrites its whole subtree's paths at once: nothing under it goes stale."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from xinfang.core.errors import ValidationFailed
from xinfang.core.models import Event
from xinfang.orgs.models import Body, BodyKind, Region, RegionLevel, User
from xinfang.orgs.services import body_move, region_move

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    city = Region.objects.create(code="880100", name="甲市", level=RegionLevel.CITY)
    a = Region.objects.create(code="880101", name="甲区", level=RegionLevel.COUNTY, parent=city)
    b = Region.objects.create(code="880102", name="乙区", level=RegionLevel.COUNTY, parent=city)
    town = Region.objects.create(code="880101001", name="某街道", level=RegionLevel.TOWNSHIP, parent=a)
    top = Body.objects.create(code="880100-gov", name="甲市政府", kind=BodyKind.GOVERNMENT, region=city)
    bureau = Body.objects.create(
        code="880101-housing", name="甲区住建局", kind=BodyKind.AGENCY, region=a, parent=top
    )
    office = Body.objects.create(
        code="880101-housing-1", name="住建局一科", kind=BodyKind.AGENCY, region=a, parent=bureau
    )
    other = Body.objects.create(
        code="880102-gov", name="乙区政府", kind=BodyKind.GOVERNMENT, region=b, parent=top
    )
    return {
        "city": city,
        "a": a,
        "b": b,
        "town": town,
        "top": top,
        "bureau": bureau,
        "office": office,
        "other": other,
    }


def test_body_move_rewrites_the_subtree_and_is_logged(tree):
    admin = User.objects.create(username="guanli-move")
    moved = body_move(actor=admin, body=tree["bureau"], parent=tree["other"])
    assert moved.path == "/880100-gov/880102-gov/880101-housing/"
    tree["office"].refresh_from_db()
    assert tree["office"].path == "/880100-gov/880102-gov/880101-housing/880101-housing-1/"
    assert set(Body.objects.filter(path__startswith=tree["other"].path)) >= {tree["bureau"], tree["office"]}
    for body in Body.objects.all():  # every stored path equals the one its parents give
        assert body.path == (body.parent.path if body.parent else "/") + f"{body.code}/"
    event = Event.objects.get(action="body_move")
    assert event.old_values["path"] == "/880100-gov/880101-housing/" and event.actor == admin


def test_region_move_rewrites_the_subtree(tree):
    region_move(actor=None, region=tree["town"], parent=tree["b"])
    tree["town"].refresh_from_db()
    assert tree["town"].path == "/880100/880102/880101001/"
    top = region_move(actor=None, region=tree["a"], parent=None)
    assert top.path == "/880101/" and Region.objects.get(code="880101").parent is None


def test_a_node_cannot_go_under_itself(tree):
    with pytest.raises(ValidationFailed) as err:
        body_move(actor=None, body=tree["bureau"], parent=tree["office"])
    assert err.value.code == "move_into_own_subtree"
    tree["office"].refresh_from_db()
    assert tree["office"].path == "/880100-gov/880101-housing/880101-housing-1/"  # nothing changed


def test_the_admin_moves_through_the_service(tree):
    admin = User.objects.create(username="guanli-admin", is_staff=True, is_superuser=True)
    request = RequestFactory().post("/")
    request.user = admin
    bureau = Body.objects.get(pk=tree["bureau"].pk)
    bureau.parent = tree["other"]
    model_admin = site._registry[Body]
    model_admin.save_model(request, bureau, form=None, change=True)
    tree["office"].refresh_from_db()
    assert tree["office"].path.startswith("/880100-gov/880102-gov/")
