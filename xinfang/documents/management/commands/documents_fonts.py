"""Build the compact serif font the PDF documents use (xinfang/documents/rendering.py, "Speed"):
``manage.py documents_fonts`` once at install (about 100 s); again with ``--force`` after a font upgrade."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from xinfang.documents.rendering import compact_font_path, documents_fonts_build


class Command(BaseCommand):
    help = "Build the compact Noto Serif CJK SC copy (GB 2312) that makes each PDF cheaper to produce."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="rebuild even if the font is there")

    def handle(self, *args, force: bool = False, **options):
        target = compact_font_path()
        if target.exists() and not force:
            self.stdout.write(f"已存在：{target}")
            return
        started = time.monotonic()
        documents_fonts_build(target=target)
        self.stdout.write(f"已生成：{target}（{time.monotonic() - started:.0f} 秒）")
