"""The stored case page (ADR 0020): a repeat view is the same page as a fresh render — apart from the CSRF
token and the CSP nonce, which are this response's own — still decides visibility now and still writes its
read event; after every kind of change the page shows it."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from xinfang.cases.models import Case, Notice, Outcome, PetitionType, Route
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import register
from xinfang.core.models import EventOutbox
from xinfang.documents.models import Document, Draft
from xinfang.documents.services import draft_return
from xinfang.evaluation.services import evaluation_record
from xinfang.orgs.acting import actor_for
from xinfang.orgs.models import Body, Membership, Role, User
from xinfang.people.models import Person
from xinfang.supervision.models import SupervisionKind
from xinfang.supervision.services import supervision_issue
from xinfang.workspace import page_cache

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")|("X-CSRFToken": ")[^"]+(")')
NONCE = re.compile(r'(nonce=")[^"]+(")')


@pytest.fixture(autouse=True)
def _empty_store():
    cache.clear()
    yield
    cache.clear()


def _actor(username: str):
    user = User.objects.get(username=username)
    return actor_for(user, user.memberships.first().body)


def _login(client, username: str) -> User:
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def _plain(html: str) -> str:
    """The page with this response's own CSRF token and nonce taken out."""
    html = TOKEN.sub(lambda m: (m.group(1) or m.group(3)) + "TOKEN" + (m.group(2) or m.group(4)), html)
    return NONCE.sub(r"\1NONCE\2", html)


def _fresh(client, url: str) -> str:
    with override_settings(XINFANG_CASE_PAGE_CACHE=False):
        response = client.get(url)
    assert response.status_code == 200
    return _plain(response.content.decode())


def _view(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return _plain(response.content.decode())


def _stored(client, url: str) -> bool:
    """True when the next view of `url` is answered from the store (a lookup under the key of now)."""
    request = client.get(url).wsgi_request
    actor, pk = request.actor, request.resolver_match.kwargs["pk"]
    key = page_cache.page_key(request, actor, pk, page_cache.case_fingerprint(actor, pk).digest)
    return page_cache.lookup(key)[0] is not None


def _reads(pk: int) -> int:
    return EventOutbox.objects.filter(object_type="cases.case", object_id=str(pk), action="read").count()


def _housing_case(seed: int = 1) -> Case:
    reg = _actor("dengji_dc")
    case = register(seed=seed, by=reg).case
    return case_act(
        case=case, actor=reg, action="transfer", target_body=Body.objects.get(code="990101-housing")
    )


def test_second_view_is_the_same_page_with_its_own_token_and_nonce_and_logs_its_read(
    client, demo_city, django_assert_max_num_queries
):
    case = _housing_case()
    _login(client, "chengban_dc")
    url = reverse("case_detail", args=[case.pk])
    first = client.get(url)
    assert _reads(case.pk) == 1
    with django_assert_max_num_queries(4):  # session, user, actor + visibility + fingerprint, read event
        second = client.get(url)
    assert _reads(case.pk) == 2  # nothing about auditing is dropped
    one, two = first.content.decode(), second.content.decode()
    assert _plain(one) == _plain(two) == _fresh(client, url)
    # the second response's nonce and token are its own, and the nonce is the one its CSP header allows
    nonce = NONCE.search(two).group(0)[len('nonce="') : -1]
    assert nonce != NONCE.search(one).group(0)[len('nonce="') : -1]
    assert f"'nonce-{nonce}'" in second["Content-Security-Policy"]
    assert "\x00" not in two and "TOKEN" not in two
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', two)
    assert tokens and tokens != re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', one)
    # the token of a stored page works: an action posted with it passes the CSRF check
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("case_act", args=[case.pk, "receive"]), {"csrfmiddlewaretoken": tokens[0]})
    assert response.status_code != 403 or "CSRF" not in response.content.decode()


def test_notices_written_without_documents_get_them_and_the_second_view_is_stored(
    client, demo_city, django_assert_max_num_queries
):
    """Cases loaded in bulk (`xinfang generate`) or from before documents existed have notices without their
    documents; the first view makes them — and stores the page as it then is, so the second view is served
    stored (it rendered the page a second time before: 17 statements on the 1M bench, not 4)."""
    case = _housing_case(seed=2)
    Document.objects.filter(case=case).delete()  # as the bulk load leaves them
    _login(client, "chengban_dc")
    url = reverse("case_detail", args=[case.pk])
    first = client.get(url)
    assert first.status_code == 200
    made = Document.objects.filter(case=case)
    assert made.count() == Notice.objects.filter(case=case).count() > 0
    assert all(d.number in first.content.decode() for d in made)  # the page shows the documents it made
    with django_assert_max_num_queries(4):
        second = client.get(url)
    assert _plain(second.content.decode()) == _plain(first.content.decode()) == _fresh(client, url)


def test_the_page_follows_every_kind_of_change(client, demo_city):
    case = _housing_case(seed=2)
    officer, head = _actor("chengban_dc"), _actor("fuze_dc")
    _login(client, "chengban_dc")
    url = reverse("case_detail", args=[case.pk])

    def changed(before: str, *shown: str) -> str:
        after = _view(client, url)
        assert after == _fresh(client, url)
        for text in shown:
            assert text in after
        assert after != before
        return after

    page = _view(client, url)
    assert _stored(client, url)
    # an action through case_act (a state and a clock)
    case = case_act(case=case, actor=officer, action="receive")
    page = changed(page, f'data-testid="case-state">{case.get_state_display()}<')
    # an action that issues a notice and its document (受理告知书)
    case = case_act(case=case, actor=officer, action="accept", route=Route.HANDLE)
    page = changed(page, "受理告知书")
    # a draft for the head's sign-off, then returned with the head's comment
    case_act(case=case, actor=officer, action="answer", outcome=Outcome.SUPPORT, text="责令维修。")
    page = changed(page, "待签发")
    draft_return(draft=Draft.objects.get(case=case), actor=head, comment="请补充维修期限")
    page = changed(page, "请补充维修期限")
    # the head answers; the officer records the petitioner's evaluation by phone
    case = case_act(
        case=case, actor=head, action="answer", outcome=Outcome.SUPPORT, text="责令维修，限期一月。"
    )
    page = changed(page, "信访处理意见书")
    evaluation_record(case=Case.objects.get(pk=case.pk), actor=officer, result="satisfied")
    page = changed(page, "满意度评价")
    # the petitioner's file (another service, no case event): the page's masked name follows
    person = Person.objects.get(case_links__case=case)
    person.name = "改名后"
    person.save()
    page = changed(page, "改名后")
    # an attachment added to the case
    case.attachments.create(name="补充材料.pdf", size=2048, file="cases/x.pdf")
    page = changed(page, "补充材料.pdf")
    # a flag set in bulk, with no save() and no event: the case row is in the fingerprint whole
    Case.objects.filter(pk=case.pk).update(is_backlog=True)
    page = changed(page)
    # reference data: the bodies' names the page shows
    housing = Body.objects.get(code="990101-housing")
    housing.name = "东城区住房和城乡建设委员会（更名）"
    housing.save()
    page = changed(page, "东城区住房和城乡建设委员会（更名）")


def test_a_supervision_leaves_the_page_as_a_fresh_render_would(client, demo_city):
    """A 督办 is about the case but not on its staff page: whatever it changes, the stored page equals a fresh
    render (and the supervisor's own view of the case too)."""
    case = _housing_case(seed=3)
    _login(client, "dengji_dc")
    url = reverse("case_detail", args=[case.pk])
    _view(client, url)
    supervisor = _actor("ducha")  # the city's 信访局: it oversees the district's bodies
    supervision_issue(
        actor=supervisor,
        kind=SupervisionKind.objects.get(code="phone"),
        body=Body.objects.get(code="990101-housing"),
        case_numbers=[case.number],
        reason="delay",
        requirement="请于五个工作日内报告办理情况。",
    )
    assert _view(client, url) == _fresh(client, url)
    _login(client, "ducha")
    assert _view(client, url) == _view(client, url) == _fresh(client, url)


def test_another_user_of_the_body_with_other_roles_gets_their_own_page(client, demo_city):
    case = _housing_case(seed=4)
    url = reverse("case_detail", args=[case.pk])
    _login(client, "chengban_dc")
    officer_page = _view(client, url)
    assert "确认签收" in officer_page
    _login(client, "fuze_dc")  # the same body, agency head
    head_page = _view(client, url)
    assert head_page != officer_page and head_page == _fresh(client, url)
    assert "陈局长" in head_page and "赵承办" not in head_page


def test_roles_changed_or_case_moved_away_take_effect_at_once(client, demo_city):
    case = _housing_case(seed=5)
    url = reverse("case_detail", args=[case.pk])
    officer = _login(client, "chengban_dc")
    before = _view(client, url)
    assert "确认签收" in before and _stored(client, url)
    # a role added at the same body: a new page at once (the roles are in the key)
    body = officer.memberships.get().body
    Membership.objects.create(user=officer, body=body, role=Role.AGENCY_HEAD)
    assert _view(client, url) == _fresh(client, url) != before
    # the membership gone: no page for this body any more
    officer.memberships.all().delete()
    assert client.get(url).status_code == 302  # to choose a body; nothing of the case
    Membership.objects.create(user=officer, body=body, role=Role.CASE_OFFICER)
    assert _view(client, url) == before
    # the case moves away from the body (an administrator's correction, no save(), no event): 404 at once
    registering = case.registering_body
    Case.objects.filter(pk=case.pk).update(
        current_body=registering, handling_body=registering, queue_body=None
    )
    assert Case.objects.filter(pk=case.pk, sender_body=body).exists() is False
    assert client.get(url).status_code == 404
    # and a 检举控告 about the body is never shown to it, stored page or not
    Case.objects.filter(pk=case.pk).update(
        current_body=body, handling_body=body, petition_type=PetitionType.ACCUSATION, subject_body=body
    )
    assert client.get(url).status_code == 404


def test_flash_messages_and_query_strings_are_rendered_afresh(client, demo_city):
    case = _housing_case(seed=6)
    url = reverse("case_detail", args=[case.pk])
    _login(client, "chengban_dc")
    _view(client, url)
    response = client.post(
        reverse("case_act", args=[case.pk, "receive"]),
        {"receive-version": Case.objects.get(pk=case.pk).version},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "已签收。" in page  # the flash message, once
    assert "已签收。" not in client.get(url).content.decode()
    assert not page_cache.usable(client.get(url + "?x=1").wsgi_request)


def test_switched_off_nothing_is_stored(client, demo_city):
    case = _housing_case(seed=7)
    url = reverse("case_detail", args=[case.pk])
    _login(client, "chengban_dc")
    with override_settings(XINFANG_CASE_PAGE_CACHE=False):
        client.get(url)
        client.get(url)
    assert not [k for k in cache._cache if page_cache.KEY_PREFIX in k]  # locmem's own dict
    assert _reads(case.pk) == 2
