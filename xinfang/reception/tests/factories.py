"""A small hall at 东城区信访局 for the tests: a reception room, two agency windows, the lawyers' room, the
one-stop centre and the 复查/复核 desk."""

from __future__ import annotations

from xinfang.cases.tests.factories import registrar
from xinfang.orgs.models import Body
from xinfang.reception.models import Service, ServiceKind

HALL_BODY = "990101-xinfang"


def hall(code: str = HALL_BODY) -> dict[str, Service]:
    body = Body.objects.get(code=code)
    county = code.split("-")[0]
    rows = [
        ("A", ServiceKind.ROOM, "一号接访室", None),
        ("B", ServiceKind.AGENCY, "住建窗口", Body.objects.get(code=f"{county}-housing")),
        ("C", ServiceKind.AGENCY, "人社窗口", Body.objects.get(code=f"{county}-labour")),
        ("L", ServiceKind.LAWYERS, "律师接待室", None),
        ("M", ServiceKind.ONE_STOP, "矛盾纠纷调处中心", None),
        ("R", ServiceKind.REVIEW, "复查复核窗口", None),
    ]
    out = {}
    for i, (prefix, kind, name, agency) in enumerate(rows):
        out[prefix], _ = Service.objects.get_or_create(
            body=body,
            prefix=prefix,
            defaults={"kind": kind, "name": name, "default_agency": agency, "sort": i},
        )
    return out


def hall_registrar(code: str = HALL_BODY):
    return registrar(code)
