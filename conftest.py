"""Project-wide test fixtures: users acting for demo bodies, a Playwright browser on Debian's chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("XINFANG_CHROMIUM", "/usr/bin/chromium")


def _ensure_chromium() -> str:
    """Browser tests use Debian's chromium. Install it when missing and we may (root with apt-get); in CI a
    missing browser is a failure, never a skip."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=False, capture_output=True)
        if not os.path.exists(CHROMIUM):
            subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=False, capture_output=True)
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"浏览器测试需要 Debian 的 chromium（{CHROMIUM}）：请先 `apt-get install chromium`。")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = _ensure_chromium()
    # Playwright's sync API runs an event loop; Django must allow ORM calls from the test thread anyway.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def shots():
    """Where the browser tests save their screenshots: ``build/screenshots/`` (ignored by git), or the
    folder named by ``XINFANG_SCREENSHOTS`` — ``XINFANG_SCREENSHOTS=docs/screenshots pytest -m browser``
    refreshes the ones the docs show, so an ordinary test run leaves the working tree clean."""
    root = Path(__file__).resolve().parent
    folder = Path(os.environ.get("XINFANG_SCREENSHOTS") or root / "build" / "screenshots")
    folder = folder if folder.is_absolute() else root / folder
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    p = context.new_page()
    p.set_default_timeout(15000)
    p.base_url = live_server.url  # type: ignore[attr-defined]
    yield p
    context.close()


@pytest.fixture
def demo_city(db):
    """The demo city, plus the taxonomy and route rules the migrations ship (a `transaction=True` test
    flushes the tables, data migrations included, so put them back)."""
    from django.apps import apps as django_apps

    from xinfang.orgs.demo import demo_city_load

    demo_city_load()
    cases_defaults = __import__("xinfang.cases.migrations.0002_default_categories", fromlist=["forward"])
    rules_defaults = __import__("xinfang.intake.migrations.0002_default_route_rules", fromlist=["forward"])
    cases_defaults.forward(django_apps, None)
    rules_defaults.forward(django_apps, None)


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in English leaves English active in the test's thread (LocaleMiddleware activates the
    request's language and nothing deactivates it): put the default back after every test, so no test's
    outcome depends on the one before it."""
    yield
    from django.utils import translation

    translation.deactivate()
