"""Fetch the pinned ECharts build from the npm registry, check its sha512 integrity, unpack echarts.min.js.

ECharts ships on npm, not on PyPI (see docs/adr/0002-frontend-assets.md); the file is not committed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

ECHARTS_VERSION = "5.5.1"
ECHARTS_TARBALL = f"https://registry.npmjs.org/echarts/-/echarts-{ECHARTS_VERSION}.tgz"
# `npm view echarts@5.5.1 dist.integrity`
ECHARTS_INTEGRITY = (
    "sha512-Fce8upazaAXUVUVsjgV6mBnGuqgO+JNDlcgF79Dksy4+wgGpQB2lmYoO4TSweFg/mZITdpGHomw/cNBJZj1icA=="
)
MEMBER = "package/dist/echarts.min.js"
TARGET = Path(__file__).resolve().parents[2] / "static" / "vendor" / "echarts" / "echarts.min.js"


def integrity_ok(data: bytes, integrity: str = ECHARTS_INTEGRITY) -> bool:
    algo, _, expected = integrity.partition("-")
    return algo == "sha512" and base64.b64encode(hashlib.sha512(data).digest()).decode() == expected


def echarts_unpack(data: bytes, target: Path = TARGET) -> Path:
    if not integrity_ok(data):
        raise CommandError("下载的 ECharts 包校验失败（sha512 不符），已放弃。")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise CommandError(f"ECharts 包中没有 {MEMBER}。")
        content = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(content)
    tmp.replace(target)
    (target.parent / "VERSION").write_text(ECHARTS_VERSION + "\n")
    return target


class Command(BaseCommand):
    help = "下载并校验图表库 ECharts（仅在缺失时）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="即使已存在也重新下载")
        parser.add_argument(
            "--timeout",
            type=float,
            default=60.0,
            help="下载超时秒数（xinfang demo/serve 用 10 秒，离线时不久等）",
        )

    def handle(self, *args, **opts) -> None:
        if TARGET.exists() and not opts["force"]:
            self.stdout.write(f"ECharts 已存在：{TARGET}")
            return
        try:
            with urllib.request.urlopen(
                ECHARTS_TARBALL, timeout=opts["timeout"]
            ) as resp:  # a fixed https URL
                data = resp.read()
        except OSError as exc:
            # Not fatal: the dashboard falls back to its tables.
            self.stderr.write(f"无法下载 ECharts（{exc}）；统计页将只显示表格。")
            return
        path = echarts_unpack(data)
        self.stdout.write(f"已下载 ECharts {ECHARTS_VERSION} → {path}")
