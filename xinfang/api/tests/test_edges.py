"""The API's edges: hashed tokens shown once, throttling per token, idempotent registration, and bad input
answered 4xx with a stable code (never 500)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from xinfang.api.models import ApiToken, IdempotencyKey, token_digest
from xinfang.api.services import api_token_issue, api_token_revoke
from xinfang.api.tests.test_api import REGISTRATION, client_for
from xinfang.cases.models import Case
from xinfang.cases.tests.factories import registrar

pytestmark = pytest.mark.django_db


def with_token(key: str) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return c


# ------------------------------------------------------------------------------------------------ tokens


def test_a_token_is_stored_as_its_digest_only_and_works(demo_city):
    user = registrar().user
    key = api_token_issue(user=user, label="市平台")
    token = ApiToken.objects.get(user=user)
    assert token.digest == token_digest(key) and key not in {token.digest, token.prefix, token.label}
    assert key.startswith(token.prefix) and len(token.prefix) < len(key) // 3
    assert with_token(key).get("/api/v1/cases/").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert with_token(key[:-1] + ("A" if key[-1] != "A" else "B")).get("/api/v1/cases/").status_code == 401


def test_revoked_and_rotated_tokens_stop_working(demo_city):
    user = registrar().user
    first, second = api_token_issue(user=user), api_token_issue(user=user)
    assert with_token(first).get("/api/v1/cases/").status_code == 200  # several tokens may be live
    api_token_revoke(token=ApiToken.objects.get(digest=token_digest(first)))
    r = with_token(first).get("/api/v1/cases/")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    third = api_token_issue(user=user, rotate=True)
    assert with_token(second).get("/api/v1/cases/").status_code == 401
    assert with_token(third).get("/api/v1/cases/").status_code == 200


def test_the_command_prints_the_token_once(demo_city, capsys):
    user = registrar().user
    call_command("api_token", user.username, "--label", "对接")
    out, err = capsys.readouterr()
    key = out.strip()
    assert "只显示这一次" in err
    assert ApiToken.objects.get(user=user).digest == token_digest(key)
    assert with_token(key).get("/api/v1/cases/").status_code == 200


def test_plain_authtoken_keys_from_before_keep_working(demo_city):
    """The data migration hashes rest_framework.authtoken's plain keys and empties that table."""
    import importlib

    from django.apps import apps

    user = registrar().user
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, created timestamp)"
        )
        cur.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            ["0123456789abcdef0123456789abcdef01234567", user.pk, "2026-01-01 00:00:00"],
        )
    migration = importlib.import_module("xinfang.api.migrations.0002_authtoken_hashed")
    migration.forward(apps, SimpleNamespace(connection=connection))  # what it uses of a schema editor
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM authtoken_token")
        assert cur.fetchone()[0] == 0
    assert with_token("0123456789abcdef0123456789abcdef01234567").get("/api/v1/cases/").status_code == 200


def test_api_is_throttled_per_token(demo_city, settings):
    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "3/min"}}
    user = registrar().user
    one, other = with_token(api_token_issue(user=user)), with_token(api_token_issue(user=user))
    assert [one.get("/api/v1/workflow/").status_code for _ in range(3)] == [200, 200, 200]
    r = one.get("/api/v1/workflow/")
    assert r.status_code == 429 and r.json()["code"] == "rate_limited" and int(r["Retry-After"]) > 0
    assert other.get("/api/v1/workflow/").status_code == 200  # each token its own budget
    cache.clear()


# ------------------------------------------------------------------------------------------- idempotency


def test_a_retried_registration_returns_the_first_reply_and_makes_no_second_case(demo_city):
    c = client_for(registrar())
    first = c.post("/api/v1/cases/", REGISTRATION, format="json", HTTP_IDEMPOTENCY_KEY="reg-0001")
    assert first.status_code == 201
    again = c.post("/api/v1/cases/", REGISTRATION, format="json", HTTP_IDEMPOTENCY_KEY="reg-0001")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    # the 查询码 is never kept in clear, not even for a replay
    assert len(first.json()["query_code"]) == 11 and again.json()["query_code"] == ""
    assert first.json()["query_code"] not in str(
        list(IdempotencyKey.objects.values_list("response", flat=True))
    )
    assert Case.objects.count() == 1
    # the same key for something else is a client bug, said so
    other = c.post(
        "/api/v1/cases/", {**REGISTRATION, "title": "别的"}, format="json", HTTP_IDEMPOTENCY_KEY="reg-0001"
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    # another key is another registration
    assert (
        c.post("/api/v1/cases/", REGISTRATION, format="json", HTTP_IDEMPOTENCY_KEY="reg-0002").status_code
        == 201
    )
    assert Case.objects.count() == 2


def test_a_refused_registration_stores_nothing_and_may_be_retried(demo_city):
    c = client_for(registrar())
    bad = c.post("/api/v1/cases/", {**REGISTRATION, "request": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert bad.status_code == 400 and not IdempotencyKey.objects.exists()
    ok = c.post("/api/v1/cases/", REGISTRATION, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert ok.status_code == 201 and "Idempotent-Replayed" not in ok


@pytest.mark.parametrize("key", ["", "has space", "x" * 101, "中文"])
def test_a_malformed_idempotency_key_is_refused(demo_city, key):
    r = client_for(registrar()).post("/api/v1/cases/", REGISTRATION, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_invalid"
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_make_one_case(demo_city):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time (IMMEDIATE): the two cannot overlap")
    key = api_token_issue(user=registrar().user)
    replies: list = []
    start = threading.Barrier(2)

    def post():
        try:
            start.wait(timeout=10)
            r = with_token(key).post(
                "/api/v1/cases/", REGISTRATION, format="json", HTTP_IDEMPOTENCY_KEY="same"
            )
            replies.append((r.status_code, r.json()["number"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(replies) == 2 and {s for s, _ in replies} == {201}
    assert len({n for _, n in replies}) == 1
    assert Case.objects.count() == 1


# ----------------------------------------------------------------------------------------------- bad input


@pytest.fixture
def reg_client(demo_city):
    return client_for(registrar())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"people_count": 10**30}, "people_count"),
        ({"people_count": 2**40}, "people_count"),
        ({"people_count": "5"}, "people_count"),
        ({"title": 0}, "title"),
        ({"anonymous": "yes"}, "anonymous"),
        ({"request": ""}, "request"),
    ],
)
def test_out_of_range_or_mistyped_fields_are_400(reg_client, change, field):
    r = reg_client.post("/api/v1/cases/", {**REGISTRATION, **change}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "validation_failed" and field in r.json()["detail"]
    assert not Case.objects.exists()


def test_deeply_nested_json_is_400(reg_client):
    deep = "[" * 100_000 + "]" * 100_000
    r = reg_client.generic("POST", "/api/v1/cases/", deep, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "json_too_deep"
    r = reg_client.post(
        "/api/v1/cases/", {**REGISTRATION, "flags": {"cross_boundary": [[[[[[["x"]]]]]]] * 1}}, format="json"
    )
    assert r.status_code == 400


def test_nul_characters_are_400_everywhere(reg_client):
    r = reg_client.post("/api/v1/cases/", {**REGISTRATION, "title": "a\x00b"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "nul_character"
    r = reg_client.post(
        "/api/v1/cases/", {**REGISTRATION, "flags": {"cross_boundary": ["a\x00"]}}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "nul_character"
    for path in ("/api/v1/cases/?q=a%00b", "/api/v1/cases/a%00b/"):
        r = reg_client.get(path)
        assert r.status_code == 400 and r.json()["code"] == "nul_character"
    assert not Case.objects.exists()


def test_form_and_other_media_types_are_415(reg_client):
    r = reg_client.post("/api/v1/cases/", {"request": "x"})  # multipart
    assert r.status_code == 415 and r.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    "query",
    [
        "registered_to=9999-12-31",
        "registered_from=0001-01-01",
        "registered_to=",
        "state=nonsense",
        "cursor=abc",
        "cursor=WzFd",  # base64 of [1]: well formed, not a cursor of this list
    ],
)
def test_list_filters_out_of_range_are_4xx(reg_client, query):
    r = reg_client.get(f"/api/v1/cases/?{query}")
    assert 400 <= r.status_code < 500
    assert r.json()["code"] == ("bad_cursor" if query.startswith("cursor") else "validation_failed")


def test_dates_and_numbers_in_actions_are_bounded(reg_client):
    number = reg_client.post("/api/v1/cases/", REGISTRATION, format="json").json()["number"]
    for body in (
        {"target_body": "990101-housing", "due_date": "9999-12-31"},
        {"days": 10**12, "reason": "x"},
        {"expected_version": 10**30},
    ):
        r = reg_client.post(f"/api/v1/cases/{number}/actions/assign/", body, format="json")
        assert r.status_code == 400 and r.json()["code"] == "validation_failed", (body, r.json())


def test_huge_ids_in_paths_are_404_not_500(demo_city, client):
    client.force_login(registrar().user)
    for path in (
        "/cases/99999999999999999999999/",
        "/cases/9223372036854775808/",
        "/people/99999999999999999999/",
    ):
        assert client.get(path).status_code == 404, path
    r = APIClient().get("/api/v1/cases/123456789012345678901234/")
    assert r.status_code in {401, 404}


def test_the_safety_net_answers_database_range_errors_400(reg_client, monkeypatch):
    """Whatever bad input still reaches the database out of range is a 400 with a stable code, logged."""
    from django.db import DataError

    from xinfang.api import views

    def boom(**kwargs):
        raise DataError("integer out of range")

    monkeypatch.setattr(views, "case_list_filtered", boom)
    r = reg_client.get("/api/v1/cases/")
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"
