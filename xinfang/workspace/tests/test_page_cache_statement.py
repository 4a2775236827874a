"""The repeat view's one statement (ADR 0020, "Around the page"): written so that neither database parses and
plans it on every view — the "bodies under" prefixes written in (SQLite re-prepared the statement at every
execution while they were bound), prepared once per connection on PostgreSQL — and still the one read path's
answer: visible exactly where `cases_visible_to` says, for every actor, 404 where it does not."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from xinfang.cases.models import Case, PetitionType
from xinfang.cases.selectors import cases_visible_to
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import register
from xinfang.orgs.models import Body, User
from xinfang.workspace import page_cache
from xinfang.workspace.tests.test_page_cache import _actor, _empty_store  # noqa: F401 (an autouse fixture)

pytestmark = pytest.mark.django_db

USERS = ("dengji", "dengji_dc", "chengban", "chengban_dc", "lingdao", "lingdao_dc", "tiaojie")


@pytest.fixture
def cases(demo_city) -> list[Case]:
    """Cases seen by some bodies and not others: the district's, one sent to the district's housing bureau, one
    to the city's, and a 检举控告 about the district's housing bureau (never shown to it or above it)."""
    city, district = _actor("dengji"), _actor("dengji_dc")
    district_case = register(seed=11, by=district).case
    sent = case_act(
        case=register(seed=12, by=district).case,
        actor=district,
        action="transfer",
        target_body=Body.objects.get(code="990101-housing"),
    )
    city_case = case_act(
        case=register(seed=13, by=city, region="990100").case,
        actor=city,
        action="transfer",
        target_body=Body.objects.get(code="990100-housing"),
    )
    housing = Body.objects.get(code="990101-housing")
    accused = register(seed=14, by=district).case
    Case.objects.filter(pk=accused.pk).update(
        current_body=housing,
        handling_body=housing,
        petition_type=PetitionType.ACCUSATION,
        subject_body=housing,
    )
    return [district_case, sent, city_case, accused]


def test_the_statement_decides_visibility_as_the_read_path_does_for_every_actor(cases):
    """Each actor, each case: the statement finds the case exactly when `cases_visible_to` lists it (and the
    answer is not the same for all: the check can fail)."""
    answers = set()
    for username in USERS:
        actor = _actor(username)
        for case in cases:
            visible = cases_visible_to(actor).filter(pk=case.pk).exists()
            found = page_cache.case_fingerprint(actor, case.pk)
            assert (found is not None) == visible, (username, case.number)
            answers.add(visible)
    assert answers == {True, False}


def test_the_bodies_under_prefixes_are_written_in_and_nothing_else(demo_city):
    """The statement of a 信访局 (its region's bodies) and of an agency (its own subtree) carries no bound LIKE
    pattern: SQLite would parse and plan it again at every view."""
    for username in ("dengji_dc", "chengban_dc"):
        sql, params, where = page_cache._statement(_actor(username))
        assert "LIKE %s" not in sql and "LIKE '/" in sql
        assert not any(isinstance(p, str) and p.endswith("%") for p in params)
        assert params[where] == page_cache._SENTINEL


def test_a_pattern_that_could_leave_its_literal_stays_a_parameter():
    """Only a path prefix as paths are written (codes and slashes) is written in; anything with a quote, a
    backslash or another character stays bound, so the value can never change the statement."""
    sql = "SELECT 1 FROM t WHERE a LIKE %s ESCAPE '\\' AND b LIKE %s AND c = %s AND d LIKE %s"
    written, kept = page_cache.patterns_inlined(sql, ["/99/01/%", "x' OR 1=1 --%", "/99/%", "a\\_b%"])
    assert written == (
        "SELECT 1 FROM t WHERE a LIKE '/99/01/%%' ESCAPE '\\' AND b LIKE %s AND c = %s AND d LIKE %s"
    )
    assert kept == ["x' OR 1=1 --%", "/99/%", "a\\_b%"]


def test_a_refused_actor_gets_404_from_the_statement_path_on_every_view(client, cases):
    """The district's housing bureau, viewing the 检举控告 about itself twice (the second view is the one the
    store would answer) and a case of the city it has no part in: 404 each time; its own case is its page."""
    accused, city_case, sent = cases[3], cases[2], cases[1]
    client.force_login(User.objects.get(username="chengban_dc"))
    for case in (accused, city_case):
        for _ in range(3):
            assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    first = client.get(reverse("case_detail", args=[sent.pk]))
    second = client.get(reverse("case_detail", args=[sent.pk]))
    assert first.status_code == second.status_code == 200 and sent.number in second.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_postgresql_plans_the_statement_once_per_connection(client, cases):
    """Repeat views run the one prepared statement (the server's list of this connection's prepared
    statements holds it, executed once per view), with the same answers as the ORM."""
    sent = cases[1]
    client.force_login(User.objects.get(username="chengban_dc"))
    url = reverse("case_detail", args=[sent.pk])
    for _ in range(4):
        assert client.get(url).status_code == 200

    def executions() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(SUM(generic_plans + custom_plans), 0) FROM pg_prepared_statements"
                " WHERE statement LIKE %s",
                ["%FROM cases_case c WHERE c.id = $%"],
            )
            return cursor.fetchone()[0]

    before = executions()
    assert before >= 4
    for _ in range(3):
        assert client.get(url).status_code == 200
    assert executions() == before + 3
