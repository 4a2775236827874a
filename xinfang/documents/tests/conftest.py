"""Fixtures for the documents tests: a case walked through the real services up to any point (sign-off
actions drafted by the handler and approved by the head), and the text of a rendered PDF or Word file."""

from __future__ import annotations

import io
import re

from xinfang.cases.models import Outcome
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import actor, head, officer, register, registrar
from xinfang.orgs.models import Role


def approve(case, action, *, by_officer, by_head, **inputs):
    """The handler drafts, the head approves: the way a sign-off action happens now."""
    from xinfang.documents.services import draft_approve

    drafted = case_act(case=case, actor=by_officer, action=action, **inputs)
    return draft_approve(draft=drafted.draft, actor=by_head)


def walk(until: str, **register_kwargs):
    """Register a case and take it, through the services, to ``until`` (an action name)."""
    result = register(**register_kwargs)
    case = result.case
    steps = [
        (
            "transfer",
            registrar(),
            {"target_body": _body("990101-housing"), "reason": "内部备注：此人情绪激动，注意接待"},
        ),
        ("receive", officer(), {}),
        ("accept", officer(), {"route": "6"}),
        ("extend", None, {"days": 30, "reason": "需要现场勘验。"}),
        (
            "answer",
            None,
            {"outcome": Outcome.SUPPORT, "text": "经查，物业未尽维修义务，责令其于30日内维修。"},
        ),
        ("request_review", registrar(), {"reason": "对处理意见不服。"}),
        ("decide_review", None, {"outcome": Outcome.NOT_SUPPORT, "text": "经复查，维持原处理意见。"}),
    ]
    for action, who, inputs in steps:
        if action in ("extend", "answer"):
            case = approve(case, action, by_officer=officer(), by_head=head(), **inputs)
        elif action == "decide_review":
            city = case.current_body.code
            case = approve(
                case,
                action,
                by_officer=actor(city, Role.CASE_OFFICER),
                by_head=actor(city, Role.AGENCY_HEAD),
                **inputs,
            )
        else:
            case = case_act(case=case, actor=who, action=action, **inputs)
        if action == until:
            break
    case.refresh_from_db()
    case.query_code = result.query_code  # for the portal tests
    return case


def _body(code):
    from xinfang.orgs.models import Body

    return Body.objects.get(code=code)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def official_pdf_text(data: bytes) -> str:
    """Check what every PDF document must be — A4 pages, CJK fonts embedded (not merely named), text that
    extracts as Chinese — and return its text (line breaks removed: Chinese has no spaces to lose)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    assert reader.pages, "no page"
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842), "not A4"
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    cjk = [f for f in fonts if "CJK" in str(f["/BaseFont"])]
    assert cjk, [str(f["/BaseFont"]) for f in fonts]
    for font in cjk:
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert re.search(r"[\u4e00-\u9fff]{4}", text), "no extractable Chinese text"
    return text


def docx_text(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


__all__ = ["approve", "docx_text", "official_pdf_text", "pdf_text", "walk"]
