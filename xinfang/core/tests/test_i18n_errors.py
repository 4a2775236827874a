"""The domain errors' messages in the reader's language: a refusal on the staff case page, in the API and on
the portal reads English for an English reader and stays the same Chinese by default, while the API's
`code` is the same in both (integrations rely on it)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from xinfang.api.tests.test_api import act, client_for
from xinfang.cases.models import State
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import officer, register, registrar
from xinfang.core.errors import ApplicationError, NotFound, WindowClosed
from xinfang.orgs.acting import PETITIONER, actor_for
from xinfang.orgs.models import Body, User
from xinfang.portal.tests.helpers import walk_to_answer

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _staff(client, username: str):
    user = User.objects.get(username=username)
    client.force_login(user)
    return actor_for(user, user.memberships.get().body)


# --- the staff case page --------------------------------------------------------------------------------


def _assign_due_yesterday(client, case, headers: dict):
    housing = Body.objects.get(code="990101-housing")
    return client.post(
        reverse("case_act", args=[case.pk, "assign"]),
        {
            "assign-version": case.version,
            "assign-target_body": housing.pk,
            "assign-due_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
            "assign-reason": "",
        },
        **headers,
    )


def test_a_refused_action_on_the_case_page_says_why_in_english(client, demo_city):
    case = register(seed=501, by=_staff(client, "dengji_dc")).case
    response = _assign_due_yesterday(client, case, EN)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The feedback due date of an assignment must be later than today." in html
    assert "Must be later than today" in html  # next to the date field
    assert "交办反馈期限应晚于今天" not in html and "应晚于今天" not in html
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_the_same_refusal_stays_chinese_by_default(client, demo_city):
    case = register(seed=502, by=_staff(client, "dengji_dc")).case
    for headers in (ZH, {}):
        response = _assign_due_yesterday(client, case, headers)
        assert response.status_code == 400
        html = response.content.decode()
        assert "交办反馈期限应晚于今天。" in html and "应晚于今天" in html
        assert "must be later than today" not in html.lower()


def test_a_stale_form_names_the_current_state_in_the_readers_language(client, demo_city):
    reg = _staff(client, "dengji_dc")
    case = register(seed=503, by=reg).case
    old = case.version
    case_act(case=case, actor=reg, action="tell", told_where="人民法院", reason="属于诉讼事项")
    stale = {"refuse-version": old, "refuse-reason": "重复"}
    url = reverse("case_act", args=[case.pk, "refuse"])

    html = client.post(url, stale, **EN).content.decode()
    assert "Someone else has acted on this case (it is now “Told where to apply”)" in html
    assert "已被他人处理" not in html and "已告知" not in html
    html = client.post(url, stale, **ZH).content.decode()
    assert "该事项已被他人处理（当前状态：已告知），请刷新后查看最新情况。" in html


# --- the API ----------------------------------------------------------------------------------------------


def test_the_api_keeps_its_codes_and_speaks_the_requests_language(demo_city):
    reg = registrar()
    number = register(seed=504, by=reg).case.number
    c = client_for(reg)

    # A reason is required to tell the petitioner where to go.
    en = act(c, number, "tell", EN, told_where="人民法院")
    zh = act(c, number, "tell", ZH, told_where="人民法院")
    assert en.status_code == zh.status_code == 400
    assert en.json()["code"] == zh.json()["code"] == "missing_reason"
    assert en.json()["message"] == "Please give a reason." and en.json()["detail"] == {"reason": "Required"}
    assert zh.json()["message"] == "请填写理由。" and zh.json()["detail"] == {"reason": "必填"}

    # Wrong state: the state and the action are named in the reader's language.
    en = act(c, number, "accept", EN, route="6")
    zh = act(c, number, "accept", ZH, route="6")
    assert en.status_code == zh.status_code == 409
    assert en.json()["code"] == zh.json()["code"] == "transition_not_allowed"
    assert en.json()["message"] == "The case is now “Registered”; “Accept” is not possible in this state."
    assert zh.json()["message"] == "事项当前状态为“已登记”，不能“受理”。"

    # A case the caller may not see: NotFound with its (lazy) default message.
    other = client_for(officer("990102-housing"))
    en = act(other, number, "receive", EN)
    zh = act(other, number, "receive", ZH)
    assert en.status_code == zh.status_code == 404
    assert en.json()["code"] == zh.json()["code"] == "not_found"
    assert en.json()["message"] == "The record was not found, or you may not view it."
    assert zh.json()["message"] == "未找到该记录，或您无权查看。"

    # DRF's own refusals (no token) and the acting-body check speak it too, under their stable codes.
    anonymous = APIClient()
    en = act(anonymous, number, "receive", EN)
    zh = act(anonymous, number, "receive", ZH)
    assert en.status_code == zh.status_code == 401
    assert en.json()["code"] == zh.json()["code"] == "not_authenticated"
    assert en.json()["message"].startswith("Please provide a valid access token")
    assert zh.json()["message"].startswith("请提供有效的访问令牌")
    en = act(c, number, "receive", {**EN, "HTTP_X_ACTING_BODY": "no-such-body"})
    assert en.json()["code"] == "not_a_member"
    assert en.json()["message"] == "You are not a member of the body “no-such-body”."
    zh = act(c, number, "receive", {**ZH, "HTTP_X_ACTING_BODY": "no-such-body"})
    assert zh.json()["message"] == "您不属于机关“no-such-body”。"


def test_a_default_message_follows_the_language_where_it_is_raised():
    with translation.override("en"):
        exc = NotFound()
        assert exc.message == str(exc) == "The record was not found, or you may not view it."
        assert type(exc.message) is str  # a plain string: JSON, templates and `in` all work on it
    assert NotFound().message == "未找到该记录，或您无权查看。"
    assert ApplicationError(code="x").as_dict() == {"code": "x", "message": "操作未能完成。"}
    # Even the lazy class attribute itself renders through DRF's JSON encoder.
    with translation.override("en"):
        rendered = JSONRenderer().render({"message": NotFound.default_message})
    assert rendered.decode() == '{"message":"The record was not found, or you may not view it."}'


# --- the services' dates, and the portal ------------------------------------------------------------------


def test_a_closed_window_names_its_date_in_the_readers_format(demo_city):
    case = register(seed=505, by=registrar("990101-xinfang")).case
    walk_to_answer(case)
    due = case.clocks.get(kind="review_request").due_on
    later = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(10, 0), tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        with translation.override("en"), pytest.raises(WindowClosed) as en:
            case_act(case=case, actor=PETITIONER, action="request_review", reason="处理不公")
        with pytest.raises(WindowClosed) as zh:
            case_act(case=case, actor=PETITIONER, action="request_review", reason="处理不公")
    assert en.value.code == zh.value.code == "window_closed"
    with translation.override("en"):
        ended = dateformat.format(due, "N j, Y")  # e.g. "March 5, 2026"
    assert en.value.message == (
        "You may request a review only within 30 days of receiving the written answer; "
        f"that time limit ended on {ended}."
    )
    assert zh.value.message == f"请求复查应当自收到书面答复之日起30日内提出，期限已于{due:%Y年%m月%d日}届满。"


def test_the_portals_wrong_number_or_code_in_english(client, demo_city):
    cache.clear()  # the portal's lockout counters
    number = register(seed=506, by=registrar()).case.number
    try:
        response = client.post("/portal/track/", {"number": number, "code": "23456789ABC"}, **EN)
        assert response.status_code == 403
        html = response.content.decode()
        assert "The number or query code is wrong; please check them and enter them again." in html
        assert "编号或查询码不正确" not in html
        response = client.post("/portal/track/", {"number": number, "code": "23456789ABC"}, **ZH)
        assert response.status_code == 403
        assert "编号或查询码不正确，请核对后重新输入。" in response.content.decode()
    finally:
        cache.clear()
