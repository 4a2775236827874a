"""The 督办单 of a 发函督办 as an official document (issue 15): A4 PDF with the CJK fonts embedded, its 文号,
the cases it names, the article and the reply deadline from the periods table; the same words in Word."""

from __future__ import annotations

import pytest

from xinfang.core.periods import period
from xinfang.documents.tests.conftest import docx_text, official_pdf_text
from xinfang.supervision import services
from xinfang.supervision.tests.test_ladder import DUE, issue

pytestmark = pytest.mark.django_db


def test_letter_is_an_official_document(world):
    case = world.held_case()
    sup = issue(world, kind="letter", case=case)
    pdf = official_pdf_text(services.supervision_letter(actor=world.supervisor, supervision=sup, fmt="pdf"))
    word = docx_text(services.supervision_letter(actor=world.supervisor, supervision=sup, fmt="docx"))
    reply = period("supervision_reply")
    for text in (pdf, word.replace("\n", "")):
        assert "信访事项督办单" in text and sup.letter_number in text and case.number in text
        assert reply.citation in text and "请加快办理并书面回复。" in text
        assert f"{DUE.year}年{DUE.month}月{DUE.day}日前" in text
        assert "二〇二六年九月三十日" in text  # 成文日期 in Chinese numerals
    assert word.startswith(sup.issuing_body.name) and f"{world.housing.name}：" in word
