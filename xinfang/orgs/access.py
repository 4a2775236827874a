"""Logging in and choosing the acting body."""

from xinfang.core.access import rule

RULES = {
    "login": rule("public", scope="none"),
    "logout": rule("public", scope="none"),
    "choose_body": rule("staff", scope="none", note="logged in, before a body is chosen"),
}
