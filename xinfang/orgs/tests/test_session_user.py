"""The session and its user are read by statements compiled once (xinfang.core.sessions,
xinfang.orgs.backends.UserBackend; issue 14) and mean what Django's own mean: a deactivated user, a password
changed elsewhere, an expired or deleted session end the session at the next request — a stored case page
included (ADR 0020) — and a locked-out account stays locked."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xinfang.cases.tests.factories import register
from xinfang.core.models import EventOutbox
from xinfang.orgs.acting import actor_for
from xinfang.orgs.demo import DEMO_PASSWORD
from xinfang.orgs.models import User
from xinfang.orgs.selectors import user_get_for_session

pytestmark = pytest.mark.django_db


def _logged_in_on_a_stored_case_page(client):
    """A password login (the real backends, axes first), then a case page viewed twice: stored, served."""
    response = client.post(reverse("login"), {"username": "dengji", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "xinfang.orgs.backends.UserBackend"
    user = User.objects.get(username="dengji")
    case = register(by=actor_for(user, user.memberships.get().body)).case
    url = reverse("case_detail", args=[case.pk])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    return user, url, case


def _reads(case) -> int:
    return EventOutbox.objects.filter(object_id=str(case.pk), action="read").count()


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_user_read_is_the_orms(demo_city):
    user = User.objects.get(username="dengji")
    found = user_get_for_session(str(user.pk))  # the session keeps the id as text
    expected = User.objects.get(pk=user.pk)
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert found._state.db == "default" and not found._state.adding
    assert isinstance(found.date_joined, datetime.datetime) and found.is_active is True
    assert user_get_for_session(str(10**9)) is None


def test_a_deactivated_user_is_logged_out_at_once_even_on_a_stored_page(client, demo_city):
    user, url, case = _logged_in_on_a_stored_case_page(client)
    reads = _reads(case)
    User.objects.filter(pk=user.pk).update(is_active=False)  # no signal, no save(): the database says so
    assert _sent_to_login(client.get(url))
    assert _reads(case) == reads  # nothing of the case was served, no read logged
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert client.get(url).status_code == 200  # the same session: Django's rule (inactive = no user), no more


def test_a_password_changed_elsewhere_ends_this_session_at_once(client, demo_city):
    user, url, _case = _logged_in_on_a_stored_case_page(client)
    user.set_password("another-long-password-7")
    user.save()
    assert _sent_to_login(client.get(url))
    # the session was flushed (Django's session hash check): logging in again is the way back
    assert _sent_to_login(client.get(url))
    assert (
        client.post(
            reverse("login"), {"username": "dengji", "password": "another-long-password-7"}
        ).status_code
        == 302
    )
    assert client.get(url).status_code == 200


def test_an_expired_or_deleted_session_is_no_session(client, demo_city):
    _user, url, _case = _logged_in_on_a_stored_case_page(client)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert _sent_to_login(client.get(url))
    _logged_in_on_a_stored_case_page(client)
    Session.objects.filter(session_key=client.session.session_key).delete()
    assert _sent_to_login(client.get(url))


def test_a_stored_page_costs_session_user_statement_and_read(client, demo_city):
    _user, url, _case = _logged_in_on_a_stored_case_page(client)
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 4, sql  # session, user, visibility + actor + fingerprint, the read event
    assert "django_session" in sql[0] and "orgs_user" in sql[1] and "core_eventoutbox" in sql[3]


def test_a_locked_out_account_stays_locked_with_the_right_password(client, demo_city, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("login"), {"username": "dengji", "password": "wrong"}).status_code == 200
    assert client.post(reverse("login"), {"username": "dengji", "password": "wrong"}).status_code == 429
    locked = client.post(reverse("login"), {"username": "dengji", "password": DEMO_PASSWORD})
    assert locked.status_code == 429 and not client.session.get("_auth_user_id")
