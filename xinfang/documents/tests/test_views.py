"""The pages and endpoints: the staff case page's documents card and downloads, the head's drafts page and
approval, the desk receipt, the petitioner's PDF on the portal, and the REST API's files and service."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from xinfang.api.services import api_token_issue
from xinfang.cases.models import NoticeKind, Outcome, PetitionType
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import head, officer, register, registrar
from xinfang.documents.models import Document, Draft, DraftStatus
from xinfang.documents.rendering import MEDIA_TYPES
from xinfang.documents.tests.conftest import pdf_text, walk
from xinfang.orgs.models import Body

pytestmark = pytest.mark.django_db
PDF, DOCX = MEDIA_TYPES["pdf"], MEDIA_TYPES["docx"]


def _client(a) -> Client:
    c = Client()
    c.force_login(a.user)
    return c


def _api(a) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=a.user)}")
    return c


def test_case_page_lists_documents_with_downloads(demo_city, django_assert_max_num_queries):
    case = walk("answer")
    c = _client(officer())
    page = c.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="documents"' in page and "信访处理意见书" in page and "尚未送达" in page
    with django_assert_max_num_queries(40):
        panel = c.get(reverse("documents:case_panel", args=[case.pk]))
    assert panel.status_code == 200
    opinion = Document.objects.get(case=case, kind=NoticeKind.OPINION)
    r = c.get(reverse("documents:download", args=[case.pk, opinion.pk, "pdf"]))
    assert r.status_code == 200 and r["Content-Type"] == PDF and "信访处理意见书" in pdf_text(r.content)
    r = c.get(reverse("documents:download", args=[case.pk, opinion.pk, "docx"]))
    assert r.status_code == 200 and r["Content-Type"] == DOCX
    other = register(seed=2).case
    assert c.get(reverse("documents:download", args=[other.pk, opinion.pk, "pdf"])).status_code == 404


def test_service_form_records_the_receipt(demo_city):
    case = walk("answer")
    opinion = Document.objects.get(case=case, kind=NoticeKind.OPINION)
    c = _client(officer())
    url = reverse("documents:service_record", args=[case.pk, opinion.pk])
    p = f"svc{opinion.pk}-"
    r = c.post(url, {p + "method": "post", p + "received_on": ""}, follow=True)
    assert "邮寄送达须填写邮件单号" in r.content.decode()
    c.post(url, {p + "method": "in_person", p + "received_on": opinion.issued_on.isoformat()})
    opinion.service.refresh_from_db()
    assert opinion.service.received_on == opinion.issued_on


def test_head_approves_from_the_drafts_page(demo_city, django_assert_max_num_queries):
    case = walk("accept")
    drafted = case_act(case=case, actor=officer(), action="answer", outcome=Outcome.SUPPORT, text="已解决。")
    for seed in (3, 4):  # more drafts: the list's queries do not grow with them
        other = walk("accept", seed=seed)
        case_act(case=other, actor=officer(), action="answer", outcome=Outcome.EXPLAIN, text="说明。")
    boss = _client(head())
    with django_assert_max_num_queries(12):
        page = boss.get(reverse("documents:drafts"))
    assert page.status_code == 200 and case.number in page.content.decode()
    assert (
        _client(officer())
        .post(reverse("documents:draft_approve", args=[case.pk, drafted.draft.pk]))
        .status_code
        == 302
    )
    assert Draft.objects.get(pk=drafted.draft.pk).status == DraftStatus.PENDING  # an officer cannot approve
    boss.post(reverse("documents:draft_approve", args=[case.pk, drafted.draft.pk]))
    assert Draft.objects.get(pk=drafted.draft.pk).status == DraftStatus.APPROVED
    assert Document.objects.filter(case=case, kind=NoticeKind.OPINION).exists()


def test_desk_receipt_prints_the_code_once(demo_city):
    result = register()
    c = _client(registrar())
    session = c.session
    session["documents_receipt_codes"] = {str(result.case.pk): result.query_code}
    session.save()
    url = reverse("documents:receipt", args=[result.case.pk, "pdf"])
    first = c.get(url)
    assert first["Content-Type"] == PDF and result.query_code in pdf_text(first.content)
    assert result.query_code not in pdf_text(c.get(url).content)


def test_portal_gives_the_petitioner_their_own_notices(demo_city):
    case = walk("answer")
    notice = case.notices.get(kind=NoticeKind.OPINION)
    c = Client()
    assert c.get(reverse("documents:portal_notice", args=[notice.pk])).status_code == 404  # no session
    c.post("/portal/track/", {"number": case.number, "code": case.query_code})
    page = c.get("/portal/track/case/").content.decode()
    assert reverse("documents:portal_notice", args=[notice.pk]) in page
    r = c.get(reverse("documents:portal_notice", args=[notice.pk]))
    assert r.status_code == 200 and r["Content-Type"] == PDF and "信访处理意见书" in pdf_text(r.content)
    assert Document.objects.get(notice=notice).service.received_source == "portal"
    stranger = register(seed=5)
    other = case_act(
        case=stranger.case,
        actor=registrar(),
        action="transfer",
        target_body=Body.objects.get(code="990101-housing"),
    )
    assert c.get(reverse("documents:portal_notice", args=[other.notices.first().pk])).status_code == 404


def test_api_lists_documents_and_serves_both_formats(demo_city):
    case = walk("answer")
    c = _api(officer())
    listed = c.get(f"/api/v1/cases/{case.number}/documents/")
    assert listed.status_code == 200
    opinion = next(d for d in listed.json() if d["kind"] == "opinion")
    assert opinion["number"].endswith("号") and opinion["service"] is None
    pdf = c.get(opinion["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == PDF and pdf.content.startswith(b"%PDF")
    docx = c.get(opinion["docx"])
    assert docx.status_code == 200 and docx["Content-Type"] == DOCX and docx.content.startswith(b"PK")
    bad = c.post(
        f"/api/v1/cases/{case.number}/documents/{opinion['id']}/service/", {"method": "post"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_service"
    ok = c.post(
        f"/api/v1/cases/{case.number}/documents/{opinion['id']}/service/",
        {"method": "sms", "received_on": opinion["issued_on"]},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["received_on"] == opinion["issued_on"]


def test_accusation_documents_are_404_for_the_accused_body(demo_city):
    accused = Body.objects.get(code="990101-housing")
    result = register(
        petition_type=PetitionType.ACCUSATION, subject_body=accused, request="检举某局工作人员收受好处费"
    )
    case = case_act(
        case=result.case,
        actor=registrar(),
        action="transfer",
        target_body=Body.objects.get(code="990101-discipline"),
    )
    doc = Document.objects.get(case=case)
    insider = officer("990101-housing")
    assert (
        _client(insider).get(reverse("documents:download", args=[case.pk, doc.pk, "pdf"])).status_code == 404
    )
    assert _client(insider).get(reverse("documents:case_panel", args=[case.pk])).status_code == 404
    assert _api(insider).get(f"/api/v1/cases/{case.number}/documents/{doc.pk}/pdf/").status_code == 404
    assert _api(registrar()).get(f"/api/v1/cases/{case.number}/documents/{doc.pk}/pdf/").status_code == 200


def test_home_shows_drafts_to_sign_and_unserved_documents(demo_city):
    case = walk("accept")
    case_act(case=case, actor=officer(), action="answer", outcome=Outcome.SUPPORT, text="已解决。")
    home = _client(head()).get("/").content.decode()
    assert 'data-testid="documents-panel"' in home and "待您签发的文书 1 件" in home
    assert "尚未确认送达的文书" in _client(officer()).get("/").content.decode()


def test_daily_ledger_lists_notices_not_yet_served(demo_city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinfang.documents.services import service_record

    case = walk("accept")
    accept = Document.objects.get(case=case, kind=NoticeKind.ACCEPT)
    c = _client(officer())
    with CaptureQueriesContext(connection) as one:
        page = c.get(reverse("deadlines:ledger")).content.decode()
    assert 'data-testid="ledger-unserved"' in page and case.number in page
    assert accept.title in page and accept.number in page and "尚未送达" in page
    # The 信访局 sees its own 转送告知书, not the agency's 受理告知书; another district's bureau sees neither.
    desk = _client(registrar()).get(reverse("deadlines:ledger")).content.decode()
    assert "转送告知书" in desk and accept.number not in desk
    elsewhere = _client(officer("990102-housing")).get(reverse("deadlines:ledger")).content.decode()
    assert case.number not in elsewhere
    # More unserved notices, same number of queries (one for the section).
    for seed in (2, 3):
        walk("accept", seed=seed)
    with CaptureQueriesContext(connection) as three:
        page = c.get(reverse("deadlines:ledger")).content.decode()
    assert page.count('data-testid="unserved-document"') == 3 and len(three) <= len(one)
    # Served but not yet received: still listed, with the method; received: gone.
    service_record(actor=officer(), document=accept, method="post", tracking_number="EMS1234567")
    assert "EMS1234567" in c.get(reverse("deadlines:ledger")).content.decode()
    service_record(
        actor=officer(),
        document=accept,
        method="post",
        tracking_number="EMS1234567",
        received_on=accept.issued_on,
    )
    page = c.get(reverse("deadlines:ledger")).content.decode()
    assert accept.number not in page and page.count('data-testid="unserved-document"') == 2


def test_web_submission_gets_a_pdf_receipt_with_the_code_once(demo_city, settings):
    from django.core.cache import cache

    from xinfang.cases.models import Case
    from xinfang.portal.tests.helpers import submit

    cache.clear()  # the portal's rate counters
    settings.XINFANG_PORTAL_MIN_FILL_SECONDS = 0
    c = Client()
    response = submit(c)
    assert response.status_code == 302
    page = c.get(response["Location"])
    number, code = page.context["receipt"]["number"], page.context["receipt"]["code"]
    url = page.context["receipt"]["pdf_url"]
    assert url in page.content.decode() and "下载回执（PDF）" in page.content.decode()

    first = c.get(url)
    assert first.status_code == 200 and first["Content-Type"] == PDF
    assert first["Content-Disposition"].startswith("attachment")
    text = pdf_text(first.content).replace("\n", "")
    case = Case.objects.get(number=number)
    receipt = Document.objects.get(case=case, kind=Document.RECEIPT)
    assert "信访事项登记回执" in text and number in text and receipt.number in text
    assert code in text and "网上" in text
    # What happens next and by when: the 15-day registration period (Art. 22) from the day received.
    due = case.clocks.get(kind="registration").due_on
    assert f"{due.year}年{due.month}月{due.day}日前转送" in text and "第二十二条" in text

    again = pdf_text(c.get(url).content).replace("\n", "")
    assert number in again and code not in again and "查询码已在登记时交给您本人" in again
    assert Client().get(url).status_code == 404  # another browser has no such receipt
    assert c.get(response["Location"]).status_code == 410  # the page, too, showed the code once
    assert Document.objects.filter(case=case, kind=Document.RECEIPT).count() == 1


def test_openapi_schema_declares_both_file_formats_and_the_draft_answer(demo_city):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    pdf = paths["/api/v1/cases/{number}/documents/{doc}/pdf/"]["get"]["responses"]["200"]["content"]
    docx = paths["/api/v1/cases/{number}/documents/{doc}/docx/"]["get"]["responses"]["200"]["content"]
    assert list(pdf) == ["application/pdf"] and list(docx) == [DOCX]
    assert pdf["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    action = paths["/api/v1/cases/{number}/actions/{action}/"]["post"]["responses"]
    assert "202" in action  # a handler's sign-off action: a draft for the head


def test_api_head_approves_or_returns_a_draft(demo_city):
    case = walk("accept")
    url = f"/api/v1/cases/{case.number}"
    drafted = _api(officer()).post(
        f"{url}/actions/answer/", {"outcome": "support", "text": "责令物业维修。"}, format="json"
    )
    assert drafted.status_code == 202 and drafted.json()["state"] == "accepted"
    draft = drafted.json()["draft"]["id"]
    listed = _api(officer()).get(f"{url}/drafts/").json()
    assert (
        listed[0]["id"] == draft
        and listed[0]["status"] == "pending"
        and "责令物业维修" in listed[0]["preview"]
    )
    r = _api(officer()).post(f"{url}/drafts/{draft}/approve/", {}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "role_required"
    assert _api(head("990102-housing")).post(f"{url}/drafts/{draft}/approve/", {}).status_code == 404
    r = _api(head()).post(f"{url}/drafts/{draft}/return/", {"comment": ""}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "missing_comment"
    r = _api(head()).post(f"{url}/drafts/{draft}/approve/", {"comment": "同意"}, format="json")
    assert (
        r.status_code == 200 and r.json()["state"] == "answered" and r.json()["draft"]["status"] == "approved"
    )
    assert Document.objects.filter(case=case, kind=NoticeKind.OPINION).exists()
    r = _api(head()).post(f"{url}/drafts/{draft}/return/", {"comment": "再改"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "draft_not_pending"
