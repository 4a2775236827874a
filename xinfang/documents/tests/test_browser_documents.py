"""In a browser: the body head approves a drafted 信访处理意见书 on the case page, then the petitioner opens
their case on the portal and downloads the 意见书 as PDF."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from xinfang.cases.models import NoticeKind, Outcome
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import officer
from xinfang.documents.models import Document
from xinfang.documents.tests.conftest import pdf_text, walk
from xinfang.orgs.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_approves_and_petitioner_downloads_the_pdf(page, demo_city, shots):
    case = walk("accept")
    case_act(
        case=case, actor=officer(), action="answer", outcome=Outcome.SUPPORT, text="责令物业30日内维修屋顶。"
    )

    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill("fuze_dc")  # 陈局长, head of 东城区住房和城乡建设局
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    page.get_by_test_id("nav-drafts").click()
    page.get_by_role("link", name=case.number).click()
    draft = page.get_by_test_id("draft")
    assert "待负责人审批" in draft.inner_text()
    page.get_by_text("文书预览").click()
    assert "责令物业30日内维修屋顶" in draft.inner_text()
    page.screenshot(path=str(shots / "documents-01-draft.png"), full_page=True)
    page.get_by_test_id("draft-approve").click()
    expect(page.locator("body")).to_contain_text("已签发")  # waits for the page the approval leads to
    listed = page.get_by_test_id("document-list").inner_text()
    assert "信访处理意见书" in listed
    page.screenshot(path=str(shots / "documents-02-issued.png"), full_page=True)
    assert Document.objects.filter(case=case, kind=NoticeKind.OPINION).exists()

    petitioner = page.context.browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    p = petitioner.new_page()
    p.goto(page.base_url + "/portal/track/")
    p.get_by_label("编号").fill(case.number)
    p.get_by_label("查询码").fill(case.query_code)
    p.get_by_role("button", name="查询").click()
    p.get_by_text("信访处理意见书").first.click()
    link = p.get_by_test_id("notice-pdf").last
    response = p.request.get(page.base_url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "信访处理意见书" in text and "责令物业30日内维修屋顶" in text.replace("\n", "")
    p.screenshot(path=str(shots / "documents-03-portal.png"), full_page=True)
    petitioner.close()
