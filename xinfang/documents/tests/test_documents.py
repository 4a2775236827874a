"""Each document kind rendered from a case walked through the real services: the article cited, the dates
(a 复查 window counted from a receipt day that differs from the day of issue), no internal note, no doubled
punctuation, the petitioner's name; the PDF's page, fonts and text; the head's sign-off; numbering."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import time_machine

from xinfang.cases.models import NoticeKind, Outcome, PetitionType, State
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import actor, head, officer, register, registrar
from xinfang.core.errors import NotFound, PermissionDenied, ValidationFailed
from xinfang.deadlines.models import Clock
from xinfang.documents.models import Document, Draft, DraftStatus, NumberCounter, ServiceMethod
from xinfang.documents.rendering import chinese_date, document_render
from xinfang.documents.selectors import case_documents, document_file
from xinfang.documents.services import (
    document_number_next,
    draft_approve,
    draft_return,
    receipt_issue,
    service_record,
)
from xinfang.documents.tests.conftest import approve, docx_text, official_pdf_text, walk
from xinfang.orgs.models import Body, Role, User

pytestmark = pytest.mark.django_db

DOUBLED = re.compile(r"[。，；：、！？]{2,}|（）")
INTERNAL_NOTE = "内部备注"


def _body(code: str) -> Body:
    return Body.objects.get(code=code)


@pytest.mark.parametrize(
    "day,text",
    [
        (date(2026, 12, 3), "二〇二六年十二月三日"),
        (date(2027, 1, 10), "二〇二七年一月十日"),
        (date(2030, 10, 21), "二〇三〇年十月二十一日"),
        (date(2026, 11, 30), "二〇二六年十一月三十日"),
    ],
)
def test_chinese_date(day, text):
    assert chinese_date(day) == text


SAMPLE = {
    "issuer": "示例市住房和城乡建设局",
    "number": "示例住房信〔2026〕1号",
    "title": "信访处理意见书",
    "addressee": "张三",
    "date": date(2026, 12, 3),
    "text": "经调查核实，现答复如下。",
    "cc": ["示例市信访局"],
}


def test_pdf_is_a4_with_embedded_cjk_fonts_and_extractable_chinese():
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(document_render(kind="sample", context=SAMPLE, fmt="pdf")))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in pt
    fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    cjk = [f for f in fonts if "CJK" in str(f["/BaseFont"])]
    assert cjk, [f["/BaseFont"] for f in fonts]
    for font in cjk:
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"
    text = page.extract_text()
    for expected in (
        "示例市住房和城乡建设局",
        "示例住房信〔2026〕1号",
        "张三：",
        "二〇二六年十二月三日",
        "抄送：示例市信访局。",
    ):
        assert expected in text


def test_docx_has_the_official_page():
    from docx import Document as Docx

    doc = Docx(io.BytesIO(document_render(kind="sample", context=SAMPLE, fmt="docx")))
    s = doc.sections[0]
    mm = [
        round(x.mm)
        for x in (s.page_width, s.page_height, s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)
    ]
    assert mm == [210, 297, 37, 35, 28, 26]  # A4; GB/T 9704 margins (Word stores twips)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "信访处理意见书" in text and "二〇二六年十二月三日" in text


def test_a_deployment_overrides_the_wording(tmp_path, settings):
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "sample.html").write_text("<p>本地改写的正文。</p>", encoding="utf-8")
    settings.XINFANG_DOCUMENT_TEMPLATES_DIR = str(tmp_path)
    assert "本地改写的正文。" in docx_text(document_render(kind="sample", context=SAMPLE, fmt="docx"))
    settings.XINFANG_DOCUMENT_TEMPLATES_DIR = ""
    assert "本地改写" not in docx_text(document_render(kind="sample", context=SAMPLE, fmt="docx"))


def test_numbers_run_per_body_and_year(demo_city):
    a, b = _body("990101-housing"), _body("990102-housing")
    assert document_number_next(body=a, year=2026) == "东城住房信〔2026〕1号"
    assert document_number_next(body=a, year=2026) == "东城住房信〔2026〕2号"
    assert document_number_next(body=b, year=2026) == "西城住房信〔2026〕1号"
    assert document_number_next(body=a, year=2027) == "东城住房信〔2027〕1号"
    assert NumberCounter.objects.get(body=a, year=2026).last == 2


# ------------------------------------------------------------------------------------------ per kind


def _refused(action, **inputs):
    case = register().case
    xf = "990101-xinfang"
    return approve(case, action, by_officer=registrar(), by_head=head(xf), **inputs)


def _rereviewed():
    case = walk("decide_review")
    case = case_act(case=case, actor=registrar(), action="request_rereview", reason="对复查意见不服。")
    gov = case.current_body.code
    return approve(
        case,
        "decide_rereview",
        by_officer=actor(gov, Role.CASE_OFFICER),
        by_head=actor(gov, Role.AGENCY_HEAD),
        outcome=Outcome.NOT_SUPPORT,
        text="经复核，维持复查意见。",
    )


def _scenario(kind: str):
    if kind in ("transfer", "accept", "extend", "opinion", "review_opinion"):
        return walk(
            {"transfer": "transfer", "accept": "accept", "extend": "extend"}.get(kind, "decide_review")
        )
    if kind == "rereview_opinion":
        return _rereviewed()
    if kind == "terminate":
        case = _rereviewed()
        return case_act(
            case=case, actor=actor(case.current_body.code, Role.CASE_OFFICER), action="terminate", reason=""
        )
    if kind == "tell":
        return case_act(
            case=register().case,
            actor=registrar(),
            action="tell",
            told_where="东城区人民法院。",
            reason="属于法院受理范围。",
        )
    if kind == "assign":
        return case_act(
            case=register().case,
            actor=registrar(),
            action="assign",
            target_body=_body("990101-housing"),
            due_date=date(2027, 6, 30),
            reason="内部备注：领导关注",
        )
    if kind == "not_accept":
        return _refused("refuse", reason="该事项已由东城区住房和城乡建设局受理，正在办理期限内。")
    if kind == "not_reaccept":
        return _refused("refuse_again", reason="该事项已经复核，信访人以同一事实和理由再次提出")
    if kind == "divert":
        case = walk("receive")
        return case_act(
            case=case, actor=officer(), action="divert", route="1", reason="应当通过诉讼程序解决。"
        )
    if kind == "hearing":
        case = walk("accept")
        return case_act(
            case=case, actor=officer(), action="hearing_start", hearing_date=date(2027, 1, 8), reason=""
        )
    if kind == "mediation":
        case = walk("accept")
        return case_act(
            case=case, actor=officer(), action="mediate", text="物业于30日内维修屋顶。\n开发商承担维修费用。"
        )
    raise AssertionError(kind)


# kind → (the article the document must cite, words it must contain)
EXPECTED = {
    "transfer": ("《信访工作条例》第二十二条", ["转送东城区住房和城乡建设局办理", "15日内书面告知"]),
    "assign": ("《信访工作条例》第二十二条第一款第（三）项", ["2027年6月30日前反馈办理结果"]),
    "tell": ("《信访工作条例》第二十二条", ["请您向东城区人民法院提出。"]),
    "accept": ("《信访工作条例》第二十三条、第三十一条", ["60日内办结", "不超过30日"]),
    "not_accept": ("《信访工作条例》第二十三条", ["决定不予受理", "正在办理期限内。"]),
    "not_reaccept": ("《信访工作条例》第三十六条第三款", ["不再受理"]),
    "divert": ("《信访工作条例》第三十一条", ["诉讼", "不再按照信访程序办理"]),
    "extend": ("《信访工作条例》第三十四条", ["延长30日", "经本机关负责人批准"]),
    "hearing": ("《信访工作条例》第三十一条第（六）项", ["2027年1月8日", "不计算在办理期限内"]),
    "mediation": ("《信访工作条例》第三十三条", ["物业于30日内维修屋顶。", "请求复查"]),
    "opinion": (
        "《信访工作条例》第三十二条",
        ["投诉请求：", "事实和理由：", "处理意见：予以支持。", "请求复查（《信访工作条例》第三十五条）"],
    ),
    "review_opinion": (
        "《信访工作条例》第三十五条",
        ["不予支持。", "请求复核（《信访工作条例》第三十六条）"],
    ),
    "rereview_opinion": ("《信访工作条例》第三十六条", ["不再受理"]),
    "terminate": ("《信访工作条例》第三十六条第三款", ["信访程序终结"]),
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_kind(demo_city, kind):
    case = _scenario(kind)
    document = Document.objects.filter(case=case, kind=kind).order_by("-id").first()
    assert document is not None, f"no {kind} document"
    article, words = EXPECTED[kind]
    text = docx_text(document_file(document=document, fmt="docx")[0])
    flat = text.replace("\n", "")
    assert article in flat
    for w in words:
        assert w in flat, (w, text)
    assert INTERNAL_NOTE not in flat
    assert not DOUBLED.search(flat), DOUBLED.search(flat)
    assert "测试人1：" in text and "匿名" not in text
    assert re.search(r"〔2026〕\d+号", text) and "二〇二六年" in text
    if kind == "opinion":
        assert "第二十九条" not in flat  # Art. 29 is for 建议意见, not this 申诉求决 matter
    pdf = official_pdf_text(document_file(document=document, fmt="pdf")[0])  # A4, CJK fonts embedded, text
    assert document.title in pdf and "测试人1" in pdf and article in pdf


def test_suggestion_answer_cites_article_29(demo_city):
    result = register(
        petition_type=PetitionType.SUGGESTION, request="建议在小区门口增设公交站点，方便老人出行"
    )
    case = result.case
    case = case_act(case=case, actor=registrar(), action="transfer", target_body=_body("990101-housing"))
    case = case_act(case=case, actor=officer(), action="receive")
    case = case_act(case=case, actor=officer(), action="accept")
    case = approve(
        case, "answer", by_officer=officer(), by_head=head(), outcome=Outcome.ADOPTED, text="已采纳。"
    )
    document = Document.objects.get(case=case, kind=NoticeKind.OPINION)
    flat = docx_text(document_file(document=document, fmt="docx")[0]).replace("\n", "")
    assert "《信访工作条例》第二十九条" in flat and "第三十二条" not in flat


def test_receipt_prints_the_query_code_once(demo_city):
    result = register()
    document = receipt_issue(case=result.case, actor=registrar())
    first = docx_text(
        document_file(document=document, fmt="docx", extra={"query_code": result.query_code})[0]
    )
    assert result.query_code in first and "《信访工作条例》第二十二条" in first and "15日内" in first
    again = receipt_issue(case=result.case, actor=registrar())
    assert again.pk == document.pk and again.number == document.number
    later = docx_text(document_file(document=again, fmt="docx")[0])
    assert result.query_code not in later and "查询码已在登记时交给您本人" in later
    pdf = official_pdf_text(document_file(document=again, fmt="pdf")[0])
    assert "信访事项登记回执" in pdf and result.case.number in pdf and "第二十二条" in pdf


# ------------------------------------------------------------------------------- service and windows


def test_review_window_runs_from_the_receipt_day_not_the_issue_day(demo_city):
    with time_machine.travel("2026-11-02 10:00 +0800", tick=False):
        case = walk("answer")
        opinion = Document.objects.get(case=case, kind=NoticeKind.OPINION)
        window = Clock.objects.get(case=case, kind="review_request", is_open=True)
        assert (opinion.issued_on, window.started_on) == (date(2026, 11, 2), date(2026, 11, 2))
    with time_machine.travel("2026-11-20 10:00 +0800", tick=False):
        with pytest.raises(ValidationFailed) as err:
            service_record(
                actor=officer(), document=opinion, method=ServiceMethod.POST, received_on=date(2026, 11, 9)
            )
        assert err.value.code == "invalid_service" and "tracking_number" in err.value.extra
        service_record(
            actor=officer(),
            document=opinion,
            method=ServiceMethod.POST,
            tracking_number="EMS1234567890",
            served_on=date(2026, 11, 3),
            received_on=date(2026, 11, 9),
        )
    window.refresh_from_db()
    assert window.started_on == date(2026, 11, 9) and window.due_on == date(2026, 12, 9)
    flat = docx_text(document_file(document=opinion, fmt="docx")[0]).replace("\n", "")
    assert "二〇二六年十一月二日" in flat  # 成文日期: the day of issue
    assert "您于2026年11月9日收到本意见书，请求复查的期限至2026年12月9日。" in flat
    assert "自收到本意见书之日起30日内" in flat


def test_first_portal_view_is_the_receipt(demo_city):
    from xinfang.documents.services import document_viewed_by_petitioner

    with time_machine.travel("2026-11-02 10:00 +0800", tick=False):
        case = walk("answer")
        opinion = Document.objects.get(case=case, kind=NoticeKind.OPINION)
    with time_machine.travel("2026-11-05 10:00 +0800", tick=False):
        document_viewed_by_petitioner(document=opinion)
    with time_machine.travel("2026-11-07 10:00 +0800", tick=False):
        document_viewed_by_petitioner(document=opinion)  # a later view changes nothing
    opinion.service.refresh_from_db()
    assert (opinion.service.method, opinion.service.received_on, opinion.service.received_source) == (
        ServiceMethod.PORTAL,
        date(2026, 11, 5),
        "portal",
    )
    # 30 days after 11-05 is Saturday 12-05: the last day moves to Monday (民法典 Art. 203).
    assert Clock.objects.get(case=case, kind="review_request", is_open=True).due_on == date(2026, 12, 7)


# ----------------------------------------------------------------------------------------- sign-off


def test_a_draft_waits_for_the_head_and_the_clock_runs_until_issued(demo_city):
    from xinfang.core.events import events_for

    case = walk("accept")
    drafted = case_act(case=case, actor=officer(), action="answer", outcome=Outcome.SUPPORT, text="初稿。")
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and drafted.draft.status == DraftStatus.PENDING
    assert "初稿。" in drafted.draft.preview
    assert not case.notices.filter(kind=NoticeKind.OPINION).exists()
    assert Clock.objects.get(case=case, kind="handling").is_open

    with pytest.raises(PermissionDenied):
        draft_approve(draft=drafted.draft, actor=officer())
    with pytest.raises(NotFound):
        draft_approve(draft=drafted.draft, actor=head("990102-housing"))
    with pytest.raises(ValidationFailed):
        draft_return(draft=drafted.draft, actor=head(), comment=" ")
    returned = draft_return(draft=drafted.draft, actor=head(), comment="请写明法律依据。")
    assert returned.status == DraftStatus.RETURNED

    again = case_act(
        case=case, actor=officer(), action="answer", outcome=Outcome.SUPPORT, text="依据物业管理条例。"
    )
    case = draft_approve(draft=again.draft, actor=head())
    assert case.state == State.ANSWERED
    assert not Clock.objects.get(case=case, kind="handling").is_open
    assert Draft.objects.get(pk=again.draft.pk).status == DraftStatus.APPROVED
    actions = [e.action for e in events_for(case)]
    assert actions[-4:] == ["draft_return", "draft_submit", "answer", "draft_approve"]
    answer = next(e for e in events_for(case) if e.action == "answer")
    assert answer.actor_label == head().label  # issued by the head's approval


# ---------------------------------------------------------------------------------------- visibility


def test_accusation_documents_never_reach_the_accused_body(demo_city):
    accused = _body("990101-housing")
    result = register(
        petition_type=PetitionType.ACCUSATION, subject_body=accused, request="检举某局工作人员收受好处费"
    )
    case = case_act(
        case=result.case, actor=registrar(), action="transfer", target_body=_body("990101-discipline")
    )
    assert case_documents(actor=registrar(), case_id=case.pk)[1]
    with pytest.raises(NotFound):
        case_documents(actor=officer("990101-housing"), case_id=case.pk)


# ------------------------------------------------------------------ the notices' own texts (portal, case page)


def test_notice_texts_fixed(demo_city):
    """The errors the issue lists, in the notices' stored texts: internal note shown, doubled punctuation,
    the deadline said twice, Art. 29 on a 申诉求决 answer, the 复查 deadline from the day of issue, 匿名信访人
    for a named petitioner."""
    with time_machine.travel("2026-11-02 10:00 +0800", tick=False):
        case = walk("answer")
    texts = {n.kind: n for n in case.notices.all()}
    assert INTERNAL_NOTE not in texts["transfer"].text
    assert not any(DOUBLED.search(n.text) for n in texts.values()), [n.text for n in texts.values()]
    assert texts["extend"].text.count("需要现场勘验") == 1  # the reason ended with 。: printed once, one mark
    assert (
        texts["accept"].text.count("日内办结") == 1
        and "本机关将在办理期限内书面答复" not in texts["accept"].text
    )
    opinion = texts["opinion"]
    assert "第二十九条" not in opinion.legal_basis and "第三十二条" in opinion.legal_basis
    assert all(n.text.count("测试人1：") == 1 and "匿名" not in n.text for n in texts.values())
    assert opinion.next_right_deadline is None  # not from the day of issue
    with time_machine.travel("2026-11-20 10:00 +0800", tick=False):
        service_record(
            actor=officer(),
            document=opinion.document,
            method=ServiceMethod.IN_PERSON,
            received_on=date(2026, 11, 9),
        )
    opinion.refresh_from_db()
    assert opinion.next_right_deadline == date(2026, 12, 9)


def test_demo_load_is_idempotent_and_gives_the_xinfang_bureau_a_head(demo_city):
    from xinfang.documents.demo import demo_load
    from xinfang.documents.models import Letterhead

    demo_load()
    demo_load()
    assert User.objects.get(username="fuze_xf").memberships.get().role == Role.AGENCY_HEAD
    assert Letterhead.objects.get(body__code="990101-housing").code == "东住建信"


def test_the_compact_font_is_embedded_and_a_rare_character_falls_back_to_noto(settings, tmp_path):
    """documents_fonts' compact copy (the speed of 1,000 PDFs, docs/performance.md) prints the same text; a
    character outside it (a rare one in a name) still prints, from the full Noto font."""
    from pypdf import PdfReader

    from xinfang.documents.rendering import _font_config, compact_font_path, documents_fonts_build

    context = {**SAMPLE, "addressee": "王龑"}  # 龑 (U+9F91) is not in GB 2312
    plain = official_pdf_text(document_render(kind="sample", context=context, fmt="pdf"))
    settings.DATA_DIR = tmp_path
    documents_fonts_build(characters=plain.replace("龑", ""))
    assert compact_font_path().exists()
    _font_config.cache_clear()  # a fresh font configuration, as a new worker process has
    try:
        data = document_render(kind="sample", context=context, fmt="pdf")
    finally:
        _font_config.cache_clear()
    assert official_pdf_text(data) == plain
    fonts = {
        str(f.get_object()["/BaseFont"])
        for f in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values()
    }
    assert any("Xinfang-Serif-CJK" in f for f in fonts) and any("Noto-Serif-CJK" in f for f in fonts), fonts
