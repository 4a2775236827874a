"""Who may call the REST API (token or session; the acting body from X-Acting-Body)."""

from xinfang.core.access import rule
from xinfang.orgs.models import Role

RULES = {
    "api:schema": rule("public", scope="none", note="the OpenAPI description: no data, published on purpose"),
    "api:cases": rule("staff", note="GET: cases_visible_to; POST: registrars (the service checks)"),
    "api:case": rule("staff", scope="case", object_kwarg="number"),
    "api:case-action": rule("staff", scope="case", object_kwarg="number"),
    "api:intake-suggest": rule("staff", Role.REGISTRAR, note="names a repeat only if visible"),
    "api:workflow": rule("staff", scope="none"),
}
