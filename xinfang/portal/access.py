"""Who may open the petitioner's portal URLs. "petitioner": the case unlocked in this session with its 编号
and 查询码 (portal_case_unlock); nothing on the portal is found by ID number."""

from xinfang.core.access import rule

RULES = {
    "portal:home": rule("public", scope="none"),
    "portal:submit": rule("public", scope="none"),
    "portal:submitted": rule("public", scope="none", note="the receipt, once, from this session only"),
    "portal:track": rule("public", scope="none", note="编号 + 查询码, locked out after wrong codes"),
    "portal:case": rule("petitioner", scope="case"),
    "portal:evaluate": rule("petitioner", scope="case"),
    "portal:appeal": rule("petitioner", scope="case"),
    "portal:contact": rule("petitioner", scope="case", note="change contact details; old contact told"),
    "portal:leave": rule("public", scope="none"),
}
