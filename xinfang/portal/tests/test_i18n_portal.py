"""What an English reader notices beyond the templates: the strings built in Python (form labels, choices,
validation messages, the portal's deadline sentences and timeline, the staff queue's state names) follow the
language, and Chinese, the default, is unchanged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import dateformat, translation

from xinfang.cases.models import Case, NoticeKind, Outcome, PetitionType, Route, State
from xinfang.cases.workflow import CLOCK_LABELS, ClockKind
from xinfang.core.tests.helpers import assert_shows, page_text
from xinfang.orgs.models import Role, User
from xinfang.portal.tests.helpers import receipt_of, submit, unlock, walk_to_answer

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}


SUBMIT_EN = (
    "Mobile phone number",
    "Postal address",
    "Where the matter happened (place of the matter)",
    "Your request",
    "Attachments (optional)",
    "Complaint/claim",
    "Suggestion",
    "Report/accusation",
    "Your report will not be passed to the person or body reported",
)
SUBMIT_ZH = (
    "手机号码",
    "通信地址",
    "问题发生地（问题属地）",
    "您的诉求",
    "申诉求决类",
    "建议意见类",
    "检举控告类",
)


def test_the_submit_form_speaks_the_readers_language(client, demo_city):
    assert_shows(page_text(client, "/portal/submit/", **EN), (*SUBMIT_EN, '<html lang="en">'), SUBMIT_ZH)
    assert_shows(page_text(client, "/portal/submit/", **ZH), (*SUBMIT_ZH, '<html lang="zh-CN">'), SUBMIT_EN)


def test_validation_messages_follow_the_language(client, demo_city):
    page = submit(client, EN, request_text="漏水").content.decode()
    assert "The request is too short" in page and "诉求太短" not in page
    page = submit(client, ZH, request_text="漏水").content.decode()
    assert "诉求太短" in page and "The request is too short" not in page
    page = submit(client, EN, name="").content.decode()
    assert "Please fill in your real name." in page


def test_the_case_page_tells_state_deadlines_and_timeline_in_english(client, demo_city):
    number, code = receipt_of(client, submit(client))
    case = Case.objects.get(number=number)
    walk_to_answer(case)
    unlock(client, case.number, code)
    due = case.clocks.get(kind="evaluation").due_on

    page = page_text(client, "/portal/track/case/", **EN)
    assert_shows(
        page,
        (
            "Answered",
            "Please evaluate the answer by",
            dateformat.format(due, "N j, Y"),  # the catalog's English for Y年n月j日
            "If you disagree with the handling opinion, you may request a review by",
            "Registered by",
            "Transferred (assigned) to",
            "Satisfied",
            "Dissatisfied",
        ),
        ("已答复", "对答复作出评价", "基本满意"),
    )

    page = page_text(client, "/portal/track/case/", **ZH)
    assert_shows(
        page,
        ("已答复", "请在", f"{due.year}年{due.month}月{due.day}日", "请求复查", "转送（交办）至", "基本满意"),
        ("Answered", "Please evaluate", "Registered by"),
    )

    response = client.post("/portal/track/evaluate/", {"result": "unsatisfied"}, follow=True, **EN)
    assert "Evaluation submitted: Dissatisfied. Thank you for your evaluation." in response.content.decode()
    page = page_text(client, "/portal/track/case/", **EN)
    assert "you may request a review." in page  # the appeal label, inside the template's own sentence
    assert "Your evaluation: Dissatisfied" in page


def test_the_staff_queue_and_case_page_show_english_state_names(client, demo_city):
    number, _code = receipt_of(client, submit(client))
    case = Case.objects.get(number=number)
    client.force_login(User.objects.get(username="dengji_dc"))

    queue = page_text(client, "/cases/", **EN)
    assert_shows(
        queue, ("Registered", "Online petition", "Complaint/claim", "All states"), ("已登记", "全部状态")
    )
    detail = page_text(client, f"/cases/{case.pk}/", **EN)
    assert_shows(detail, ("Registered", "Complaint/claim"), ("已登记", "申诉求决类"))
    assert_shows(detail, ("<summary>Transfer</summary>", "Confirm: Transfer"), ("确认转送",))  # the actions

    queue = page_text(client, "/cases/", **ZH)
    assert_shows(queue, ("已登记", "申诉求决类", "全部状态"), ("Registered", "All states"))
    detail = page_text(client, f"/cases/{case.pk}/", **ZH)
    assert_shows(detail, ("已登记", "申诉求决类"), ("Registered", "Complaint/claim"))
    assert_shows(detail, ("<summary>转送</summary>", "确认转送"), ("Confirm: Transfer",))


def test_choice_labels_stay_chinese_in_python_and_are_translated_where_shown():
    """`X.label` is the Chinese source in any language: notices, messages and reverse look-ups by label
    use it. The model field translates it (get_FOO_display)."""
    case = Case(state=State.ANSWERED, petition_type=PetitionType.APPEAL, route=Route.HANDLE)
    with translation.override("en"):
        assert State.ANSWERED.label == "已答复"
        assert NoticeKind.OPINION.label == "信访处理意见书"
        assert "、".join(Role(r).label for r in (Role.REGISTRAR, Role.CASE_OFFICER)) == "登记员、承办人"
        assert "、".join(Outcome(o).label for o in (Outcome.SUPPORT,)) == "予以支持"
        assert case.get_state_display() == "Answered"
        assert case.get_petition_type_display() == "Complaint/claim"
        assert case.get_route_display().startswith("(6) Hear the petitioner")
        assert translation.gettext(CLOCK_LABELS[ClockKind.HANDLING]) == "Handling time limit"
    with translation.override("zh-hans"):
        assert case.get_state_display() == "已答复"


def test_the_portal_has_its_own_language_switcher_that_brings_the_reader_back(client, demo_city):
    home = page_text(client, "/portal/submit/")
    assert 'data-testid="language-switcher"' in home and 'value="en"' in home
    response = client.post(reverse("set_language"), {"language": "en", "next": "/portal/submit/"})
    assert response.status_code == 302 and response["Location"] == "/portal/submit/"
    assert_shows(page_text(client, "/portal/submit/"), ('<html lang="en">', *SUBMIT_EN), SUBMIT_ZH)


def test_a_late_review_request_names_the_closing_date_once_in_english(client, demo_city):
    import datetime as dt

    import time_machine

    number, code = receipt_of(client, submit(client))
    case = Case.objects.get(number=number)
    walk_to_answer(case)
    due = case.clocks.get(kind="review_request").due_on
    later = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(10, 0), tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        unlock(client, number, code)
        response = client.post(
            "/portal/track/appeal/", {"action": "request_review", "reason": "处理不公"}, follow=True, **EN
        )
    html = response.content.decode()
    message = html[html.index('<ul class="p-messages">') :].split("</ul>")[0]
    with translation.override("en"):
        shown = dateformat.format(due, "N j, Y")
    assert "that time limit ended on" in message and message.count(shown) == 1
    case.refresh_from_db()
    assert case.state == State.ANSWERED
