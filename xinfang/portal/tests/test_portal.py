"""The portal as a petitioner (and a script) meets it: submit, receipt once, track, evaluate, appeal,
and every refusal — each refusal must change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from xinfang.cases.models import Attachment, Case, Channel, State
from xinfang.cases.querycode import query_code_check
from xinfang.core.notify import LocmemSmsBackend
from xinfang.evaluation.models import Evaluation
from xinfang.orgs.models import Region
from xinfang.people.models import Person
from xinfang.portal.tests.helpers import challenge, petition_data, receipt_of, submit, unlock, walk_to_answer

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def test_guide_names_the_other_doors_and_fits_a_phone(client):
    html = client.get("/portal/").content.decode()
    assert 'name="viewport"' in html
    for door in ("法院", "仲裁", "行政复议", "纪检监察", "政法部门"):
        assert door in html
    for article in ("第二十二条", "第二十八条", "第三十一条"):
        assert article in html


def test_submit_registers_at_the_county_bureau_and_shows_the_code_once(
    client, demo_city, django_capture_on_commit_callbacks
):
    LocmemSmsBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client)
    number, code = receipt_of(client, response)
    case = Case.objects.get(number=number)
    assert case.channel == Channel.ONLINE
    assert case.state == State.REGISTERED
    assert case.current_body.code == "990101-xinfang"  # the 问题属地's county, not the township or city
    assert query_code_check(code, case.query_code_hash)
    person = case.petitioners.get().person
    assert person.name == "张网民"
    assert person.email == "zhang@example.cn"  # kept in the person's file, beside the phone
    assert any(code in m.text for m in LocmemSmsBackend.sent)
    assert code in mail.outbox[0].body and mail.outbox[0].to == ["zhang@example.cn"]

    again = client.get(response["Location"])
    assert again.status_code == 410
    assert code not in again.content.decode()
    assert "no-store" in again["Cache-Control"]


def test_a_city_matter_goes_to_the_city_bureau(client, demo_city):
    city = Region.objects.get(code="990100")
    number, _ = receipt_of(client, submit(client, problem_region=str(city.pk)))
    assert Case.objects.get(number=number).current_body.code == "990100-xinfang"


def test_the_same_matter_again_is_shown_as_a_repeat(client, demo_city):
    receipt_of(client, submit(client))
    response = submit(client)
    page = client.get(response["Location"])
    assert page.context["receipt"]["outcome"] == "repeat_linked"
    assert "重复信访" in page.content.decode()


def test_a_pdf_attachment_is_kept(client, demo_city):
    token, answer = challenge(client)
    data = {"human_token": token, "human_answer": answer, **petition_data()}
    data["attachments"] = [SimpleUploadedFile("证据.pdf", PDF, content_type="application/pdf")]
    number, _ = receipt_of(client, client.post("/portal/submit/", data))
    assert Attachment.objects.get(case__number=number).name == "证据.pdf"


# ---------------------------------------------------------------- refusals that change nothing


def _refused(response, text: str) -> None:
    assert response.status_code in (400, 429), response.status_code
    assert text in response.content.decode()
    assert Case.objects.count() == 0
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"request_text": "漏" * 5001}, "诉求不能超过5000个字"),
        ({"facts": "事" * 20001}, "事实和理由不能超过20000个字"),
        ({"name": "张" * 51}, "姓名不能超过50个字"),
        ({"name": "<script>"}, "姓名中含有不能使用的符号"),
        ({"id_number": "110101199003074478"}, "校验位不正确"),
        ({"id_number": "1101011990"}, "身份证号码应为18位"),
        ({"phone": "12345"}, "电话号码格式不正确"),
        ({"address": "路" * 201}, "通信地址不能超过200个字"),
        ({"problem_region": "999999"}, "请选择列表中的问题发生地"),
        ({"problem_region": "abc"}, "请选择列表中的问题发生地"),
        ({"petition_type": "complaint"}, "请选择列表中的信访类型"),
        ({"request_text": ""}, "请填写诉求"),
        ({"email": "not-an-email"}, "电子邮箱格式不正确"),
    ],
)
def test_malformed_or_overlong_input_is_refused_in_chinese(client, demo_city, overrides, message):
    _refused(submit(client, **overrides), message)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("病毒.exe", b"MZ\x90\x00")], "类型不支持"),
        ([("伪装.pdf", PNG)], "内容与文件类型（.pdf）不符"),
        ([("伪装.jpg", PDF)], "内容与文件类型（.jpg）不符"),
        ([("伪装.png", b"GIF89a")], "内容与文件类型（.png）不符"),
        ([("空.pdf", b"")], "是空文件"),
        ([(f"第{i}页.pdf", PDF) for i in range(6)], "附件最多5个"),
    ],
)
def test_bad_attachments_are_refused(client, demo_city, files, message):
    token, answer = challenge(client)
    data = {"human_token": token, "human_answer": answer, **petition_data()}
    data["attachments"] = [SimpleUploadedFile(name, content) for name, content in files]
    _refused(client.post("/portal/submit/", data), message)


def test_wrong_human_answer_is_refused(client, demo_city):
    token, answer = challenge(client)
    data = {"human_token": token, "human_answer": str(int(answer) + 1), **petition_data()}
    _refused(client.post("/portal/submit/", data), "验证题答案不正确")


def test_the_human_check_token_is_spent_on_first_use(client, demo_city):
    token, answer = challenge(client)
    data = {"human_token": token, "human_answer": answer, **petition_data()}
    assert client.post("/portal/submit/", data).status_code == 302
    replay = client.post("/portal/submit/", data)
    assert replay.status_code == 400
    assert "已经提交过或验证题已失效" in replay.content.decode()
    assert Case.objects.count() == 1


def test_a_forged_token_or_a_filled_honeypot_is_refused(client, demo_city):
    token, answer = challenge(client)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    _refused(
        client.post("/portal/submit/", {"human_token": forged, "human_answer": answer, **petition_data()}),
        "验证信息无效",
    )
    token, answer = challenge(client)
    data = {"human_token": token, "human_answer": answer, **petition_data(website="http://spam.example")}
    _refused(client.post("/portal/submit/", data), "提交未通过校验")


def test_a_form_filled_faster_than_a_person_is_refused(client, demo_city, settings):
    settings.XINFANG_PORTAL_MIN_FILL_SECONDS = 3
    _refused(submit(client), "提交过快")


def test_an_old_form_is_refused(client, demo_city):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        token, answer = challenge(client)
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC), tick=False):
        data = {"human_token": token, "human_answer": answer, **petition_data()}
        _refused(client.post("/portal/submit/", data), "验证题已失效")


def test_submissions_are_limited_per_id_number(client, demo_city):
    for i in range(5):
        assert submit(client, request_text=f"第{i}件事：请求处理噪声扰民问题{i}" * (i + 1)).status_code == 302
    before = Case.objects.count()
    response = submit(client, request_text="第六件事：请求修路")
    assert response.status_code == 429
    assert "同一身份证号码今日提交次数已达上限" in response.content.decode()
    assert Case.objects.count() == before


def test_submissions_are_limited_per_address(client, demo_city):
    from xinfang.cases.tests.factories import valid_id

    for i in range(10):
        assert submit(client, id_number=valid_id(100 + i)).status_code == 302
    response = submit(client, id_number=valid_id(200))
    assert response.status_code == 429
    assert "同一网络地址提交过于频繁" in response.content.decode()
    assert Case.objects.count() == 10


# ---------------------------------------------------------------- tracking: guessing and lockout


def _registered(client) -> tuple[Case, str]:
    number, code = receipt_of(client, submit(client))
    return Case.objects.get(number=number), code


def test_no_such_number_and_wrong_code_get_the_same_answer(client, demo_city):
    case, code = _registered(client)
    wrong_code = unlock(client, case.number, "23456789ABC")
    no_number = unlock(client, case.number + "9", code)
    malformed = unlock(client, "x" * 61, "<>")
    assert wrong_code.status_code == no_number.status_code == 403
    assert (
        wrong_code.context["error"] == no_number.context["error"] == "编号或查询码不正确，请核对后重新输入。"
    )
    assert "编号或查询码不正确" in malformed.content.decode()
    assert client.get("/portal/track/case/").status_code == 302  # nothing unlocked


def test_five_wrong_codes_lock_the_number_for_fifteen_minutes(client, demo_city):
    case, code = _registered(client)
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            unlock(client, case.number, "23456789ABC")
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        other = client.__class__(REMOTE_ADDR="10.0.0.9")  # a different address: the number itself is locked
        locked = unlock(other, case.number, code)
        assert locked.status_code == 429
        assert "暂停查询15分钟" in locked.content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert unlock(client, case.number, code).status_code == 302


def test_five_wrong_codes_from_one_address_lock_that_address(client, demo_city):
    case, code = _registered(client)
    for i in range(5):
        unlock(client, f"990101-2026-{i:05d}", "23456789ABC")
    response = unlock(client, case.number, code)
    assert response.status_code == 429
    assert "请15分钟后再试" in response.content.decode()


def test_the_case_is_remembered_in_the_session_not_the_url(client, demo_city):
    case, code = _registered(client)
    response = unlock(client, case.number, code)
    assert response["Location"] == "/portal/track/case/"
    page = client.get("/portal/track/case/")
    assert case.number in page.content.decode()
    assert "东城区信访局应当在" in page.content.decode()  # the registration clock in plain words
    client.post("/portal/track/leave/")
    assert client.get("/portal/track/case/").status_code == 302


# ---------------------------------------------------------------- evaluation and appeals


def test_evaluate_once_then_unsatisfied_offers_review_with_its_deadline(client, demo_city):
    case, code = _registered(client)
    walk_to_answer(case)
    unlock(client, case.number, code)
    page = client.get("/portal/track/case/").content.decode()
    assert "经查，屋顶防水层老化" in page
    assert "请在" in page and "对答复作出评价" in page

    client.post("/portal/track/evaluate/", {"result": "unsatisfied", "comment": "没有修"})
    evaluation = Evaluation.objects.get(case=case)
    assert evaluation.result == "unsatisfied" and evaluation.channel == "online"
    page = client.get("/portal/track/case/").content.decode()
    assert "您对答复不满意，可以请求复查" in page
    due = case.clocks.get(kind="review_request").due_on
    assert f"{due.year}年{due.month}月{due.day}日" in page

    assert "提交评价" not in page  # the form is gone; a replayed POST is refused by the service
    again = client.post("/portal/track/evaluate/", {"result": "satisfied"}, follow=True)
    assert "该答复您已经评价过" in again.content.decode()
    assert list(Evaluation.objects.filter(case=case).values_list("result", flat=True)) == ["unsatisfied"]


def test_a_malformed_evaluation_changes_nothing(client, demo_city):
    case, code = _registered(client)
    walk_to_answer(case)
    unlock(client, case.number, code)
    response = client.post("/portal/track/evaluate/", {"result": "great"}, follow=True)
    assert "请选择满意、基本满意或不满意" in response.content.decode()
    assert not Evaluation.objects.filter(case=case).exists()


def test_review_outside_the_window_is_refused_with_the_closing_date(client, demo_city):
    case, code = _registered(client)
    walk_to_answer(case)
    due = case.clocks.get(kind="review_request").due_on
    later = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(10, 0), tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        unlock(client, case.number, code)  # the petitioner comes back a month later: a new session
        response = client.post(
            "/portal/track/appeal/", {"action": "request_review", "reason": "处理不公"}, follow=True
        )
    html = response.content.decode()
    assert f"{due:%Y年%m月%d日}" in html and "届满" in html
    case.refresh_from_db()
    assert case.state == State.ANSWERED


def test_review_inside_the_window_goes_up_a_level(client, demo_city):
    case, code = _registered(client)
    walk_to_answer(case)
    unlock(client, case.number, code)
    response = client.post(
        "/portal/track/appeal/", {"action": "request_review", "reason": "维修没有落实"}, follow=True
    )
    case.refresh_from_db()
    assert case.state == State.REVIEWING
    assert "复查请求已提交" in response.content.decode()
    assert case.current_body.code == "990100-housing"


def test_an_appeal_without_a_reason_or_with_a_made_up_action_changes_nothing(client, demo_city):
    case, code = _registered(client)
    walk_to_answer(case)
    unlock(client, case.number, code)
    client.post("/portal/track/appeal/", {"action": "request_review", "reason": ""})
    client.post("/portal/track/appeal/", {"action": "archive", "reason": "x"})
    client.post("/portal/track/appeal/", {"action": "request_review", "reason": "长" * 2001})
    case.refresh_from_db()
    assert case.state == State.ANSWERED
