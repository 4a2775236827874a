"""The tracking number as people type it (full-width, any case, spaces or dashes); a malformed number is
not a guess and does not count toward the lockout; the 404 speaks the reader's language (issue #16)."""

import pytest
from django.urls import reverse

from xinfang.cases.services.numbering import case_number_normalize
from xinfang.cases.tests.factories import register
from xinfang.portal import ratelimit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    [
        "990101-xinfang-2026-000042",
        "990101-XINFANG-2026-000042",
        "９９０１０１－ＸＩＮＦＡＮＧ－２０２６－０００４２",
        " 990101 xinfang 2026 000042 ",
        "990101xinfang2026000042",
        "990101—xinfang—2026—42",
    ],
)
def test_art21_tracking_number_typed_any_way(typed):
    assert case_number_normalize(typed) == "990101-xinfang-2026-000042"


def test_art21_portal_unlocks_with_number_typed_loosely(client, demo_city):
    result = register(seed=81)
    typed = "　" + result.case.number.upper().replace("-", " ") + " "
    code = "-".join([result.query_code[:4], result.query_code[4:8].lower(), result.query_code[8:]])
    response = client.post(reverse("portal:track"), {"number": typed, "code": code})
    assert response.status_code == 302
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in result.query_code)  # typed on a Chinese keyboard
    response = client.post(reverse("portal:track"), {"number": result.case.number, "code": wide})
    assert response.status_code == 302


def test_art21_malformed_number_does_not_count_toward_lockout(client, demo_city, settings):
    result = register(seed=82)
    for _ in range(8):
        response = client.post(reverse("portal:track"), {"number": "编号不知道", "code": "ABCDEFGHJKM"})
        assert response.status_code == 403 and "编号格式不正确" in response.content.decode()
    assert ratelimit.WRONG_CODE_PER_NUMBER.count(result.case.number.upper()) == 0
    response = client.post(reverse("portal:track"), {"number": result.case.number, "code": result.query_code})
    assert response.status_code == 302  # not locked out


def test_404_in_english(client):
    response = client.get("/portal/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() and 'lang="en"' in response.content.decode()
    response = client.get("/portal/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "页面不存在" in response.content.decode()
