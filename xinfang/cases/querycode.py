"""The 查询码 a petitioner uses to follow their case: random, 50 bits, stored only as a salted hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# Crockford-style alphabet without 0/O, 1/I/L: read over the phone without mistakes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 11  # 31**11 ≈ 2**54


def query_code_new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(code: str) -> str:
    return (code or "").strip().upper().replace("-", "").replace(" ", "")


def query_code_hash(code: str, *, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", normalize(code).encode(), salt.encode(), 1000).hex()
    return f"pbkdf2_sha256$1000${salt}${digest}"


def query_code_check(code: str, stored: str) -> bool:
    """Constant-time comparison against the stored hash; False for anything malformed."""
    try:
        _algo, _iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", normalize(code).encode(), salt.encode(), 1000).hex()
    return hmac.compare_digest(candidate, digest)
