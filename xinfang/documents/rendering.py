"""Official documents (公文) as PDF and Word, in the GB/T 9704-2012 layout, from overridable templates.

The API other apps use
----------------------
    from xinfang.documents.rendering import document_render, chinese_date

    pdf: bytes = document_render(kind="supervision_order", context={...}, fmt="pdf")
    docx: bytes = document_render(kind="supervision_order", context={...}, fmt="docx")

``context`` carries the frame every document has (all optional except ``title``):

    issuer      str   the 发文机关标志 line (the issuing body's full name; "文件" is not added)
    number      str   the 文号, e.g. "住建信〔2026〕7号" — take it from
                      ``xinfang.documents.services.document_number_next(body=…, year=…)`` (numbered per
                      body and year under a row lock), never build it yourself
    title       str   the 标题 (e.g. "信访事项督办单")
    addressee   str   the 主送 (the petitioner's name or the receiving body), shown as "XXX："
    signature   str   the 署名 above the date (defaults to ``issuer``)
    date        date  the 成文日期, printed in Chinese numerals (二〇二六年十二月三日)
    seal_image  str   optional path of the body's seal (PNG); printed over the date (印章 position);
                      without it the space stays empty for a wet seal
    cc          list[str]  the 抄送 bodies
    watermark   str   optional, e.g. "草稿" on an unapproved draft

plus whatever the kind's own template reads. ``fmt`` is ``"pdf"`` or ``"docx"``; the bytes are the whole
file. The media types are in ``MEDIA_TYPES``.

Adding a kind (督办单 from supervision, 调解协议书 from resolution, 听证通知 from reception …)
-----------------------------------------------------------------------------------------
1. Write ``<your app>/templates/documents/<kind>.html`` — ONLY the body text, as ``<p>`` paragraphs (and
   optionally ``<p class="item">`` for an indented item, ``<p class="right">`` for a right-aligned line).
   Everything else (the red header, 文号, title, 主送, signature, date, seal, 抄送) comes from the frame.
   The same template produces the PDF and the Word file: the Word writer takes each ``<p>``'s text.
2. Take legal periods and articles from ``xinfang.core.periods.period(...)`` and pass them in the context
   (``period.current_days()``, ``period.citation``) — never write a period's number in the template.
3. Call ``document_render(kind=..., context=..., fmt=...)`` from your view or service. If the document is
   part of a case's file and must be listed, numbered and served, issue it through
   ``xinfang.documents.services.document_issue(...)`` instead, which stores it and renders on demand.

Overriding the wording
----------------------
A deployment can change any kind's wording without touching code: put a file with the same name
(``documents/<kind>.html``, or the frame ``documents/_frame.html``) under the folder named by the setting
``XINFANG_DOCUMENT_TEMPLATES_DIR`` (env var of the same name). That folder is searched first; the shipped
templates are the fallback.

Fonts
-----
The PDF embeds (subsets of) Noto Serif CJK SC from Debian's ``fonts-noto-cjk`` (``apt-get install
fonts-noto-cjk``; ``.ci/run`` installs it and fails without it). WeasyPrint finds it through fontconfig.
The Word file names the same fonts (and 仿宋/方正小标宋 first, as offices have them).

Speed: WeasyPrint keeps glyph ids when it subsets a font, and Noto CJK's simplified-Chinese punctuation sits
near glyph 63,000 of 65,535 — so every PDF carried 63,000 glyph slots (790 KB before compression, ~30 ms
of CPU per document). ``documents_fonts`` (``manage.py documents_fonts``, run at install) builds once a
compact copy with the GB 2312 characters, ASCII and punctuation (≈14,000 glyphs, renamed "Xinfang Serif CJK SC",
SIL OFL like its source) into ``<XINFANG_DATA_DIR>/fonts/``; the frame prefers it through ``@font-face`` and
falls back to the full Noto font per character (a rare name character) and when the file is missing.
"""

from __future__ import annotations

import contextlib
import io
import re
from datetime import date
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.template import Context, Engine
from django.utils.html import escape

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FORMATS = tuple(MEDIA_TYPES)

# GB/T 9704-2012 §5.2: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm → bottom 35 mm, right 26 mm.
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}

_DIGITS = "〇一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """1..31 the way dates are written: 十, 十二, 二十, 二十一, 三十一."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def chinese_date(d: date | None) -> str:
    """成文日期 in Chinese numerals (GB/T 9704 §7.3.5.3): 二〇二六年十二月三日."""
    if d is None:
        return ""
    year = "".join(_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{_chinese_number(d.month)}月{_chinese_number(d.day)}日"


class DocumentError(ValueError):
    pass


@lru_cache(maxsize=4)
def _engine(override_dir: str) -> Engine:
    dirs = [override_dir] if override_dir else []
    return Engine(
        dirs=dirs,
        app_dirs=True,
        builtins=["django.templatetags.i18n", "xinfang.documents.templatetags.document_tags"],
        libraries={},
    )


def document_engine() -> Engine:
    """The template engine for documents: the override folder first, then every app's templates."""
    return _engine(str(getattr(settings, "XINFANG_DOCUMENT_TEMPLATES_DIR", "") or ""))


def _context(kind: str, context: dict) -> dict:
    if not context.get("title"):
        raise DocumentError("a document needs a title")
    ctx = {"kind": kind, "cc": [], "issuer": "", "number": "", "addressee": "", **context}
    ctx.setdefault("signature", ctx["issuer"])
    ctx["date_text"] = chinese_date(ctx.get("date"))
    return ctx


def document_body_html(*, kind: str, context: dict) -> str:
    """The kind's body text (its template), rendered: a run of ``<p>`` paragraphs."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", kind):
        raise DocumentError(f"bad document kind {kind!r}")
    template = document_engine().get_template(f"documents/{kind}.html")
    html = template.render(Context(_context(kind, context), autoescape=True))
    # A template's own line breaks are layout, not text: Chinese has no spaces between words, so the
    # indentation and newline between two lines of a paragraph must vanish rather than become a space.
    return re.sub(r"\s*\n\s*", "", html).strip()


def document_html(*, kind: str, context: dict) -> str:
    """The whole document as one HTML page (the frame around the body), what the PDF is printed from."""
    ctx = _context(kind, context)
    ctx["body_html"] = document_body_html(kind=kind, context=context)
    ctx["seal_uri"] = Path(ctx["seal_image"]).resolve().as_uri() if ctx.get("seal_image") else ""
    compact = compact_font_path()
    ctx["font_face_uri"] = compact.as_uri() if compact.exists() else ""
    frame = document_engine().get_template("documents/_frame.html")
    return frame.render(Context(ctx, autoescape=True))


def document_render(*, kind: str, context: dict, fmt: str) -> bytes:
    """Render one document of ``kind`` as ``fmt`` ("pdf" or "docx") and return the file's bytes."""
    if fmt == "pdf":
        return _pdf(document_html(kind=kind, context=context))
    if fmt == "docx":
        ctx = _context(kind, context)
        return _docx(ctx, _paragraphs(document_body_html(kind=kind, context=context)))
    raise DocumentError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


# ----------------------------------------------------------------------------------------------- PDF

COMPACT_FAMILY = "Xinfang Serif CJK SC"
NOTO_SERIF_TTC = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")


def compact_font_path() -> Path:
    """Where ``documents_fonts_build`` puts the compact serif font (see "Speed" above)."""
    return Path(settings.DATA_DIR) / "fonts" / "XinfangSerifCJKSC.otf"


def documents_fonts_build(
    *, source: Path = NOTO_SERIF_TTC, target: Path | None = None, characters: str | None = None
) -> Path:
    """Build the compact serif font from Noto Serif CJK SC: GB 2312 (or ``characters``), ASCII, general and
    CJK punctuation, full-width forms, with every glyph the simplified-Chinese layout substitutes in (so the
    SC punctuation forms are kept), glyph ids renumbered compactly, family renamed. About 100 s of CPU,
    once; written atomically."""
    # heavy: fontTools.subset takes ~0.1 s to import, needed only by `fonts build`
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont  # heavy: as above

    target = target or compact_font_path()
    index = next(
        i
        for i, font in enumerate(TTCollection(str(source)).fonts)
        if any(n.nameID == 1 and "CJK SC" in n.toUnicode() for n in font["name"].names)
    )
    font = TTFont(str(source), fontNumber=index)
    wanted = set(range(0x20, 0x7F)) | set(range(0x2000, 0x2070)) | set(range(0x3000, 0x3040))
    wanted |= set(range(0xFF00, 0xFFF0))
    if characters is None:
        # Every two-byte GB 2312 code (rows 0xA1–0xF7, cells 0xA1–0xFE); the empty cells do not decode.
        for hi in range(0xA1, 0xF8):
            for lo in range(0xA1, 0xFF):
                with contextlib.suppress(UnicodeDecodeError):
                    wanted.add(ord(bytes([hi, lo]).decode("gb2312")))
    else:
        wanted |= {ord(c) for c in characters}
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = COMPACT_FAMILY
        elif record.nameID == 6:
            record.string = COMPACT_FAMILY.replace(" ", "")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    font.save(str(partial))
    partial.replace(target)
    return target


@lru_cache(maxsize=1)
def _font_config():
    from weasyprint.text.fonts import FontConfiguration  # heavy: weasyprint loads pango (~0.5 s), PDFs only

    return FontConfiguration()


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy: weasyprint loads pango (~0.5 s), only for PDFs

    # One FontConfiguration for the process: fontconfig's look-ups are cached across documents.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_font_config())


# ---------------------------------------------------------------------------------------------- Word


class _ParagraphParser(HTMLParser):
    """The body template's ``<p>`` elements as (class, text) pairs; ``<br>`` becomes a line break."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[tuple[str, str]] = []
        self._current: list[str] | None = None
        self._class = ""

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self._current, self._class = [], dict(attrs).get("class") or ""
        elif tag == "br" and self._current is not None:
            self._current.append("\ue000")

    def handle_endtag(self, tag):
        if tag == "p" and self._current is not None:
            # Template whitespace collapses as in HTML; a <br> (kept as U+E000) stays a line break.
            text = re.sub(r"\s+", " ", "".join(self._current)).replace(" \ue000", "\ue000")
            text = text.replace("\ue000 ", "\ue000").replace("\ue000", "\n")
            self.paragraphs.append((self._class, text.strip()))
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)


def _paragraphs(body_html: str) -> list[tuple[str, str]]:
    parser = _ParagraphParser()
    parser.feed(body_html)
    parser.close()
    return [(cls, text) for cls, text in parser.paragraphs if text]


_SERIF = "Noto Serif CJK SC"
_RED = (0xC0, 0x00, 0x00)


def _run_font(run, *, size: float, east_asian: str, bold: bool = False, color=None) -> None:
    # heavy: python-docx loads lxml (~50 ms), needed only for Word files
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor  # heavy: as above

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = east_asian
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), east_asian)
    if color:
        run.font.color.rgb = RGBColor(*color)


def _rule(paragraph, *, color="C00000", size=8) -> None:
    """A horizontal line under a paragraph (the red 分隔线 under the 文号; the lines of the 版记)."""
    from docx.oxml.ns import qn  # heavy: python-docx loads lxml (~50 ms), only for Word files

    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.makeelement(qn("w:pBdr"), {})
    bottom = borders.makeelement(
        qn("w:bottom"),
        {qn("w:val"): "single", qn("w:sz"): str(size), qn("w:space"): "1", qn("w:color"): color},
    )
    borders.append(bottom)
    p_pr.append(borders)


def _docx(ctx: dict, paragraphs: list[tuple[str, str]]) -> bytes:
    # heavy: python-docx loads lxml (~50 ms), needed only for Word files
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # heavy: as above
    from docx.shared import Mm, Pt  # heavy: as above

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)  # 3号
    normal.paragraph_format.line_spacing = Pt(28.9)  # 22 lines of 28 (GB/T 9704 §5.2.2)
    normal.paragraph_format.space_after = Pt(0)

    def para(text: str, *, align=None, size=16, font=_SERIF, bold=False, color=None, indent=False):
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        run = p.add_run(text)
        _run_font(run, size=size, east_asian=font, bold=bold, color=color)
        return p

    if ctx.get("watermark"):
        para(f"【{ctx['watermark']}】", align=WD_ALIGN_PARAGRAPH.RIGHT, size=12, color=_RED)
    if ctx.get("issuer"):
        para(ctx["issuer"], align=WD_ALIGN_PARAGRAPH.CENTER, size=26, bold=True, color=_RED)
    number = para(ctx.get("number") or " ", align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(number, size=12)
    para(" ")
    para(ctx["title"], align=WD_ALIGN_PARAGRAPH.CENTER, size=22, bold=True)
    para(" ")
    if ctx.get("addressee"):
        para(f"{ctx['addressee']}：")
    for cls, text in paragraphs:
        if cls == "right":
            para(text, align=WD_ALIGN_PARAGRAPH.RIGHT)
        else:
            para(text, indent=True)
    para(" ")
    para(" ")
    if ctx.get("signature"):
        para(ctx["signature"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    date_p = para(ctx["date_text"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    if ctx.get("seal_image"):
        date_p.add_run().add_picture(str(ctx["seal_image"]), width=Mm(42))
    if ctx.get("cc"):
        para(" ")
        cc = para(f"抄送：{'，'.join(ctx['cc'])}。", size=14)
        _rule(cc, color="000000", size=4)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def html_text(value: str) -> str:
    """Escape free text for a body template and keep its line breaks (a template filter's helper)."""
    return escape(value).replace("\n", "<br>")
