"""The human check on the petition form, without any outside service (docs/adr/0003-portal-human-check.md).

Three layers, each cheap for a person and annoying for a script:
1. a small sum written in Chinese numerals ("七加五等于几？"); the answer stays in the server-side session,
   never in the page;
2. a time-stamped, signed form token (django.core.signing): too fresh (filled faster than a person can) or
   too old is refused, and each token is spent on its first use — a replayed form is refused;
3. a honeypot field that people never see and scripts fill in.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "xinfang.portal.humancheck"
SESSION_KEY = "portal_human_checks"
MAX_OUTSTANDING = 5  # a few open tabs at once; older challenges drop out
MAX_AGE_S = 2 * 3600
HONEYPOT_FIELD = "website"
DIGITS = "零一二三四五六七八九"


def _min_fill_seconds() -> float:
    return float(getattr(settings, "XINFANG_PORTAL_MIN_FILL_SECONDS", 3))


def chinese_number(n: int) -> str:
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def parse_answer(text: str) -> int | None:
    text = (text or "").strip()
    if len(text) > 4:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    for n in range(100):
        if chinese_number(n) == text:
            return n
    return None


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


class HumanCheckFailed(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def challenge_new(session) -> Challenge:
    a = secrets.randbelow(9) + 1
    b = secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        question, answer = f"{chinese_number(a)}加{chinese_number(b)}等于几？", a + b
    else:
        a, b = max(a, b), min(a, b)
        question, answer = f"{chinese_number(a)}减{chinese_number(b)}等于几？", a - b
    nonce = secrets.token_urlsafe(12)
    pending: dict[str, int] = dict(session.get(SESSION_KEY) or {})
    pending[nonce] = answer
    session[SESSION_KEY] = dict(list(pending.items())[-MAX_OUTSTANDING:])
    token = signing.dumps({"n": nonce, "t": time.time()}, salt=SALT)
    return Challenge(question=question, token=token)


def challenge_verify(session, *, token: str, answer: str, honeypot: str) -> None:
    """Spend the token and check the answer; raise HumanCheckFailed with a Chinese reason otherwise."""
    if honeypot:
        raise HumanCheckFailed("提交未通过校验，请刷新页面后重新填写。")
    try:
        payload = signing.loads(token or "", salt=SALT, max_age=MAX_AGE_S)
    except signing.SignatureExpired:
        raise HumanCheckFailed("页面已打开太久，验证题已失效，请重新作答。") from None
    except signing.BadSignature:
        raise HumanCheckFailed("验证信息无效，请刷新页面后重新填写。") from None
    pending: dict[str, int] = dict(session.get(SESSION_KEY) or {})
    expected = pending.pop(str(payload.get("n")), None)
    session[SESSION_KEY] = pending  # spent now, right or wrong: each question is answered once
    if expected is None:
        raise HumanCheckFailed("该表单已经提交过或验证题已失效，请重新作答。")
    if time.time() - float(payload.get("t", 0)) < _min_fill_seconds():
        raise HumanCheckFailed("提交过快，请核对填写内容后再提交。")
    if parse_answer(answer) != expected:
        raise HumanCheckFailed("验证题答案不正确，请重新作答。")
