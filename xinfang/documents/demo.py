"""Demo data for documents: the 信访局 heads who sign its refusals (logins in orgs.demo.DEMO_LOGINS_LATER),
and the 机关代字 of the demo bodies that issue most documents. Idempotent, well under a second."""

from __future__ import annotations

from django.db import transaction

from xinfang.documents.models import Letterhead
from xinfang.orgs.demo import DEMO_LOGINS_LATER, DEMO_PASSWORD
from xinfang.orgs.models import Body, Membership, Role, User

LETTERHEADS = {
    "990100-xinfang": "示信访",
    "990101-xinfang": "东信访",
    "990100-housing": "示住建信",
    "990101-housing": "东住建信",
}


@transaction.atomic
def demo_load() -> str:
    heads = 0
    for login in DEMO_LOGINS_LATER:
        if login.role != Role.AGENCY_HEAD or not login.username.startswith("fuze_xf"):
            continue
        body = Body.objects.filter(code=login.body_code).first()
        if body is None:
            continue
        user, created = User.objects.get_or_create(
            username=login.username, defaults={"display_name": login.name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        _, made = Membership.objects.get_or_create(user=user, body=body, role=login.role)
        heads += made
    marks = 0
    for code, short in LETTERHEADS.items():
        body = Body.objects.filter(code=code).first()
        if body is not None:
            marks += Letterhead.objects.get_or_create(body=body, defaults={"code": short})[1]
    return f"文书：信访局负责人账号 {heads} 个、机关代字 {marks} 个（已有的不重复创建）"
