"""The Content-Security-Policy allows our own scripts and nothing injected: every page sends the header,
every inline script carries that response's nonce, and no element has an inline event handler (which no
nonce can allow)."""

from __future__ import annotations

import re

import pytest

from xinfang.cases.tests.factories import registrar

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.I)


def check_page(response) -> int:
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    html = response.content.decode()
    # json_script data (type="application/json") is not run, so needs no nonce
    inline = [a for a in SCRIPT.findall(html) if "src=" not in a and "application/json" not in a]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    for attrs in inline:
        assert nonce and f'nonce="{nonce.group(1)}"' in attrs, attrs
    assert not HANDLER.findall(html), HANDLER.findall(html)
    return len(inline)


def test_staff_pages_keep_to_the_policy(demo_city, client):
    client.force_login(registrar().user)
    inline = 0
    for path in ("/", "/cases/new/", "/ledger/", "/figures/"):
        inline += check_page(client.get(path))
    assert inline >= 3  # the switcher, the intake form, the ledger: the nonce is really used


def test_public_pages_keep_to_the_policy(demo_city, client):
    for path in ("/accounts/login/", "/portal/"):
        check_page(client.get(path))
