import pytest
from django.db import connection

from xinfang.core.events import event_record, events_for
from xinfang.core.models import AppendOnlyError, Event
from xinfang.orgs.models import Body, User

pytestmark = pytest.mark.django_db


def test_event_log_is_append_only(demo_city):
    body = Body.objects.get(code="990100-xinfang")
    user = User.objects.get(username="dengji")
    event = event_record(
        actor=user,
        body=body,
        obj=body,
        action="body.renamed",
        old={"name": "甲"},
        new={"name": "乙"},
        reason="更名",
        legal_basis="测试",
    )
    assert list(events_for(body)) == [event]
    assert event.actor_label == "王登记"
    event.reason = "改写历史"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    assert Event.objects.get(pk=event.pk).reason == "更名"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgres_trigger_refuses_raw_update(demo_city):
    from django.db import DatabaseError, transaction

    body = Body.objects.get(code="990100-xinfang")
    event = event_record(actor=None, body=body, obj=body, action="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_event SET reason = 'x' WHERE id = %s", [event.pk])
