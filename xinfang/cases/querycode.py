"""The 查询码 a petitioner uses to follow their case: random, 54 bits, stored only as a salted hash made by
Django's password hashers (`make_password`), in Django's own format (``pbkdf2_sha256$1000$salt$hash``).

Why PBKDF2 with 1000 rounds and not the staff passwords' Argon2: a 查询码 is chosen by the machine, not a
person, so its 54 bits of randomness do the work a slow hash does for a password (2**54 guesses × 1000
rounds offline); online, the portal's lockout allows 5. The staff queue checks a typed 查询码 against up
to a few thousand open cases' hashes, which a password-grade hash would make take minutes.

Hashes written before this module used Django's hashers (the same PBKDF2 output, written in hex instead of
base64) are still accepted: `query_code_check` reads both.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

# Crockford-style alphabet without 0/O, 1/I/L: read over the phone without mistakes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 11  # 31**11 ≈ 2**54


class QueryCodeHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 at the 查询码's own cost; its hashes are plain ``pbkdf2_sha256`` ones (the
    round count travels in each hash, so raising it later leaves old hashes valid)."""

    iterations = 1000


HASHER = QueryCodeHasher()


def query_code_new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(code: str) -> str:
    return (code or "").strip().upper().replace("-", "").replace(" ", "")


def query_code_hash(code: str, *, salt: str | None = None) -> str:
    return make_password(normalize(code), salt=salt, hasher=HASHER)


def _django_format(stored: str) -> str | None:
    """The stored hash in Django's format: the old hex digest becomes base64 (the same bytes)."""
    try:
        algorithm, iterations, salt, digest = stored.split("$")
    except (ValueError, AttributeError):
        return None
    if algorithm != HASHER.algorithm or not iterations.isdigit():
        return None
    if len(digest) == 64:
        try:
            digest = base64.b64encode(bytes.fromhex(digest)).decode("ascii")
        except ValueError:
            return None
    return "$".join((algorithm, iterations, salt, digest))


def query_code_check(code: str, stored: str) -> bool:
    """Constant-time comparison against the stored hash; False for anything malformed."""
    encoded = _django_format(stored or "")
    if encoded is None:
        return False
    try:
        return HASHER.verify(normalize(code), encoded)
    except (ValueError, binascii.Error, TypeError):
        return False
