"""The 查询码 is hashed with Django's password hashers, and hashes written before that still verify."""

from __future__ import annotations

import hashlib

from django.contrib.auth.hashers import check_password

from xinfang.cases.querycode import query_code_check, query_code_hash, query_code_new


def test_a_new_hash_is_djangos_pbkdf2_and_checks_the_code():
    code = query_code_new()
    stored = query_code_hash(code)
    assert stored.startswith("pbkdf2_sha256$") and code not in stored
    assert query_code_check(code, stored)
    assert query_code_check(f" {code[:4].lower()}-{code[4:]} ", stored)  # as a person types it
    assert not query_code_check(code[:-1] + ("2" if code[-1] != "2" else "3"), stored)
    # Django's own check_password reads it too (the staff PBKDF2 hasher, as configured in production)
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    assert PBKDF2PasswordHasher().verify(code, stored)
    assert query_code_hash(code) != stored  # salted


def test_hashes_from_before_still_verify():
    """The hand-rolled format: pbkdf2_sha256$1000$<salt>$<hex digest>."""
    code, salt = "ABCDEFGH234", "0123456789abcdef"
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), salt.encode(), 1000).hex()
    old = f"pbkdf2_sha256$1000${salt}${digest}"
    assert query_code_check(code, old)
    assert not query_code_check("ABCDEFGH235", old)


def test_malformed_hashes_are_simply_wrong():
    for stored in (
        "",
        "nonsense",
        "md5$x$y",
        "pbkdf2_sha256$abc$salt$zz",
        "pbkdf2_sha256$1000$salt$" + "g" * 64,
        None,
    ):
        assert not query_code_check("ABCDEFGH234", stored)
    assert not check_password("ABCDEFGH234", "")
