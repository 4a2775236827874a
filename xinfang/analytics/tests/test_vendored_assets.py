"""ECharts ships in the repository (docs/adr/0002-frontend-assets.md): the committed file is exactly the
pinned release's, with its licence beside it, and nothing fetches it at run time."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.contrib.staticfiles import finders

from xinfang.analytics.views import ECHARTS

ECHARTS_VERSION = "5.5.1"
# sha256 of package/dist/echarts.min.js in echarts-5.5.1.tgz from the npm registry, whose own integrity is
# sha512-Fce8upazaAXUVUVsjgV6mBnGuqgO+JNDlcgF79Dksy4+wgGpQB2lmYoO4TSweFg/mZITdpGHomw/cNBJZj1icA==
ECHARTS_SHA256 = "e84270bd0cd5bdf60fefc26d00c2a391cb2e81f4d26a7a9ee16185a54773a3cf"
FOLDER = Path(__file__).resolve().parents[1] / "static" / "vendor" / "echarts"


def test_the_committed_echarts_is_the_pinned_release():
    data = (FOLDER / "echarts.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == ECHARTS_SHA256
    assert (FOLDER / "VERSION").read_text().strip() == ECHARTS_VERSION
    assert f'version="{ECHARTS_VERSION}"'.encode() in data  # the build says its own version


def test_its_licence_ships_with_it():
    assert (
        "Apache License" in (FOLDER / "LICENSE").read_text()
        and "Version 2.0" in (FOLDER / "LICENSE").read_text()
    )
    assert "Apache ECharts" in (FOLDER / "NOTICE").read_text()


def test_staticfiles_finds_it_and_nothing_fetches_it():
    assert finders.find(ECHARTS)
    root = Path(__file__).resolve().parents[2]
    for path in [root / "cli.py", *root.glob("*/management/commands/*.py")]:
        assert "registry.npmjs.org" not in path.read_text(encoding="utf-8"), path
