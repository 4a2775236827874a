"""Who may open each URL: one declared rule per URL name, collected from every app.

Each app lists its URLs in `xinfang/<app>/access.py` as ``RULES = {"namespace:name": Rule(...)}`` (a URL
without a namespace is keyed by its bare name). The permission matrix test (issue #9) walks the URL conf and
fails on a URL that has no rule, then checks each rule against every role × body relation. What a URL *shows*
is still decided by the selectors (`xinfang.cases.selectors.case_list_visible` / `case_get_for_actor` and
their peers): the rule says who may knock, the selector says what they see.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.apps import apps


@dataclass(frozen=True)
class Rule:
    # "public": anyone (the portal's pages, the hall's display board); "petitioner": the portal with a case's
    # number and 查询码; "staff": a logged-in user acting for a body; "admin": administrators only.
    who: str
    # Staff roles that may open it (xinfang.orgs.models.Role values); empty: any role at the acting body.
    roles: frozenset[str] = field(default_factory=frozenset)
    # What it shows: "case" (one case, read through case_get_for_actor: 404 unless visible), "person" (one
    # petitioner's file), "body" (lists of the acting body's own work, read through the selectors; with an
    # object_kwarg, the id of a body that must lie under the acting one), "ledger_item" (an item of the acting
    # body's own daily ledger), "none".
    scope: str = "body"
    # The URL keyword argument that names the object, for "case"/"person"/"ledger_item" scopes ("pk",
    # "number", …); an int converter takes the object's pk, a str converter the case's 编号.
    object_kwarg: str | None = None
    note: str = ""
    # True where the URL's purpose is to show personal data unmasked to the roles it names (a logged reveal,
    # a notice addressed to the petitioner); everywhere else the matrix fails on a whole ID number or phone.
    personal_data: bool = False


def rule(
    who: str,
    *roles: str,
    scope: str = "body",
    object_kwarg: str | None = None,
    note: str = "",
    personal_data: bool = False,
) -> Rule:
    return Rule(
        who=who,
        roles=frozenset(roles),
        scope=scope,
        object_kwarg=object_kwarg,
        note=note,
        personal_data=personal_data,
    )


# Django's own URLs (no app of ours to hold them). "admin:*" covers every admin URL: the admin site checks
# is_staff and the model permissions itself.
RULES = {
    "admin:*": rule("admin", scope="none", note="Django admin: staff users with model permissions"),
    "set_language": rule("public", scope="none", note="language switcher (a cookie, nothing read)"),
    # Background jobs (core/jobs.py): the signed-in user's own jobs only; another's is a 404 whatever the role.
    "jobs:list": rule("staff", scope="none", note="我的导出: the user's own jobs"),
    "jobs:detail": rule("staff", scope="none", note="the user's own job, else 404"),
    "jobs:progress": rule("staff", scope="none", note="htmx partial of the user's own job, else 404"),
    "jobs:download": rule(
        "staff",
        scope="none",
        note="the user's own finished job's file, else 404; each download an export event",
    ),
}


def rule_for(name: str, rules: dict[str, Rule] | None = None) -> Rule | None:
    """The rule of one URL name: its own, else its namespace's wildcard ("admin:*")."""
    rules = all_rules() if rules is None else rules
    if name in rules:
        return rules[name]
    if ":" in name:
        return rules.get(name.rsplit(":", 1)[0] + ":*")
    return None


def all_rules() -> dict[str, Rule]:
    """Every app's RULES, merged (an app without an access module declares nothing)."""
    out: dict[str, Rule] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("xinfang."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.access")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.access":
                raise
            continue
        out.update(getattr(module, "RULES", {}))
    return out
