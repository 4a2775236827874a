"""The demo city 示例市: 12 县区 with their 乡镇/街道, the usual bodies at each level, and a login per role.

Everything is fictional. Built with bulk inserts so that it loads in well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from xinfang.orgs.models import Body, BodyKind, Membership, Region, RegionLevel, Role, User

DEMO_PASSWORD = "xinfang-demo-2026"

CITY = ("990100", "示例市")
COUNTIES = [
    ("990101", "东城区", ["东华街道", "朝阳街道", "新民街道", "东关街道", "城东镇"]),
    ("990102", "西城区", ["西华街道", "长安街道", "和平街道", "西关街道", "城西镇"]),
    ("990103", "南湖区", ["湖滨街道", "南苑街道", "南湖镇", "桃李镇", "渔村乡"]),
    ("990104", "北山区", ["北山街道", "矿区街道", "北岭镇", "松坡镇", "石门乡"]),
    ("990105", "河口区", ["河口街道", "码头街道", "沙洲镇", "柳湾镇", "下河乡"]),
    ("990106", "新区", ["高新街道", "创业街道", "科苑街道", "园区镇", "新城镇"]),
    ("990121", "青石县", ["青石镇", "石桥镇", "望城镇", "青龙乡", "石岭乡"]),
    ("990122", "白云县", ["白云镇", "云台镇", "上庄镇", "云溪乡", "白马乡"]),
    ("990123", "龙泉县", ["龙泉镇", "泉水镇", "龙湾镇", "黄土乡", "龙门乡"]),
    ("990124", "桃园县", ["桃园镇", "杏花镇", "梨树镇", "果园乡", "桃溪乡"]),
    ("990125", "松林县", ["松林镇", "林场镇", "松岗镇", "柏树乡", "樟木乡"]),
    ("990126", "清水县", ["清水镇", "水口镇", "清河镇", "溪头乡", "清泉乡"]),
]

# sector, name at city level, name at county level, kind
DEPARTMENTS = [
    ("xinfang", "信访局", "信访局", BodyKind.XINFANG),
    ("government", "人民政府", "人民政府", BodyKind.GOVERNMENT),
    ("housing", "住房和城乡建设局", "住房和城乡建设局", BodyKind.AGENCY),
    ("labour", "人力资源和社会保障局", "人力资源和社会保障局", BodyKind.AGENCY),
    ("environment", "生态环境局", "生态环境分局", BodyKind.AGENCY),
    ("transport", "交通运输局", "交通运输局", BodyKind.AGENCY),
    ("education", "教育局", "教育局", BodyKind.AGENCY),
    ("culture_tourism", "文化和旅游局", "文化和旅游局", BodyKind.AGENCY),
    ("health", "卫生健康委员会", "卫生健康局", BodyKind.AGENCY),
    ("commerce", "商务局", "商务局", BodyKind.AGENCY),
    ("natural_resources", "自然资源和规划局", "自然资源局", BodyKind.AGENCY),
    ("agriculture", "农业农村局", "农业农村局", BodyKind.AGENCY),
    ("civil_affairs", "民政局", "民政局", BodyKind.AGENCY),
    ("market", "市场监督管理局", "市场监督管理局", BodyKind.AGENCY),
    ("urban_management", "城市管理局", "城市管理局", BodyKind.AGENCY),
    ("public_security", "公安局", "公安局", BodyKind.POLITICS_LAW),
    ("justice", "司法局", "司法局", BodyKind.POLITICS_LAW),
    ("politics_law", "委政法委员会", "委政法委员会", BodyKind.POLITICS_LAW),
    ("court", "中级人民法院", "人民法院", BodyKind.POLITICS_LAW),
    ("procuratorate", "人民检察院", "人民检察院", BodyKind.POLITICS_LAW),
    ("discipline", "纪委监委", "纪委监委", BodyKind.DISCIPLINE),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    body_code: str


def _body_code(region_code: str, sector: str) -> str:
    return f"{region_code}-{sector}"


DEMO_LOGINS = [
    DemoLogin("dengji", "王登记", Role.REGISTRAR, _body_code("990100", "xinfang")),
    DemoLogin("dengji_dc", "李登记", Role.REGISTRAR, _body_code("990101", "xinfang")),
    DemoLogin("chengban", "张承办", Role.CASE_OFFICER, _body_code("990100", "housing")),
    DemoLogin("chengban_dc", "赵承办", Role.CASE_OFFICER, _body_code("990101", "housing")),
    DemoLogin("fuze", "刘局长", Role.AGENCY_HEAD, _body_code("990100", "housing")),
    DemoLogin("fuze_dc", "陈局长", Role.AGENCY_HEAD, _body_code("990101", "housing")),
    DemoLogin("lingdao", "孙副市长", Role.LEADER, _body_code("990100", "government")),
    DemoLogin("lingdao_dc", "何副区长", Role.LEADER, _body_code("990101", "government")),
    DemoLogin("ducha", "周督查", Role.SUPERVISOR, _body_code("990100", "xinfang")),
    DemoLogin("pingjia", "吴评价", Role.EVALUATOR, _body_code("990100", "xinfang")),
    DemoLogin("tiaojie", "郑调解", Role.MEDIATOR, _body_code("990100", "justice")),
    DemoLogin("guanli", "冯管理", Role.ADMINISTRATOR, _body_code("990100", "xinfang")),
]
# Logins a feature app's demo loader creates together with the body they act for (a mediation committee's own
# account, xinfang/resolution/demo.py); listed here so that demo_logins_text prints them with the rest.
DEMO_LOGINS_LATER = [
    DemoLogin("tiaojie_rm", "何调解", Role.MEDIATOR, "990100-res-rmtj"),
    # The 信访局's 负责人, who signs its 不予受理/不再受理 notices (xinfang/documents demo loader).
    DemoLogin("fuze_xf", "杨主任", Role.AGENCY_HEAD, "990100-xinfang"),
    DemoLogin("fuze_xf_dc", "林主任", Role.AGENCY_HEAD, "990101-xinfang"),
]

# One person who works for two bodies and picks one at login.
DEMO_MULTI = (
    "duogang",
    "钱多岗",
    [(Role.REGISTRAR, "990101-xinfang"), (Role.CASE_OFFICER, "990101-housing")],
)


def demo_exists() -> bool:
    return Region.objects.filter(code=CITY[0]).exists()


@transaction.atomic
def demo_city_load() -> dict[str, int]:
    """Create the demo organisation tree and users. Refuses to run twice."""
    if demo_exists():
        return {"regions": 0, "bodies": 0, "users": 0}
    city = Region(code=CITY[0], name=CITY[1], level=RegionLevel.CITY, path=f"/{CITY[0]}/")
    regions = [city]
    counties: list[Region] = []
    townships: list[tuple[Region, Region]] = []
    for code, name, towns in COUNTIES:
        county = Region(
            code=code, name=name, level=RegionLevel.COUNTY, parent=city, path=f"{city.path}{code}/"
        )
        counties.append(county)
        for i, town in enumerate(towns, start=1):
            tcode = f"{code}{i:03d}"
            townships.append(
                (
                    county,
                    Region(code=tcode, name=town, level=RegionLevel.TOWNSHIP, path=f"{county.path}{tcode}/"),
                )
            )
    Region.objects.bulk_create([city])
    for c in counties:
        c.parent = city
    Region.objects.bulk_create(counties)
    for county, town in townships:
        town.parent = county
    Region.objects.bulk_create([t for _, t in townships])
    regions += counties + [t for _, t in townships]

    bodies: list[Body] = []
    city_bodies: dict[str, Body] = {}
    for sector, city_name, _county_name, kind in DEPARTMENTS:
        name = f"{CITY[1]}{city_name}" if sector != "politics_law" else f"中共{CITY[1]}{city_name}"
        if sector == "discipline":
            name = f"{CITY[1]}纪委监委"
        b = Body(
            code=_body_code(city.code, sector),
            name=name,
            short_name=city_name,
            kind=kind,
            sector=sector,
            region=city,
        )
        b.path = f"/{b.code}/"
        city_bodies[sector] = b
        bodies.append(b)
    Body.objects.bulk_create(bodies)
    # City departments answer to the city government: it is the level above them for 复查/复核 (Art. 35–36).
    government = city_bodies["government"]
    departments = [b for b in bodies if b.kind == BodyKind.AGENCY]
    for b in departments:
        b.parent = government
        b.path = f"{government.path}{b.code}/"
    Body.objects.bulk_update(departments, ["parent", "path"])

    county_bodies: dict[tuple[str, str], Body] = {}
    level2: list[Body] = []
    for county in counties:
        for sector, _city_name, county_name, kind in DEPARTMENTS:
            name = f"{county.name}{county_name}"
            if sector == "politics_law":
                name = f"中共{county.name}{county_name}"
            parent = city_bodies[sector]
            b = Body(
                code=_body_code(county.code, sector),
                name=name,
                short_name=county_name,
                kind=kind,
                sector=sector,
                region=county,
                parent=parent,
            )
            b.path = f"{parent.path}{b.code}/"
            county_bodies[(county.code, sector)] = b
            level2.append(b)
    Body.objects.bulk_create(level2)

    level3: list[Body] = []
    for county, town in townships:
        suffix = "办事处" if town.name.endswith("街道") else "人民政府"
        for sector, name, kind in (
            ("government", f"{county.name}{town.name}{suffix}", BodyKind.GOVERNMENT),
            ("xinfang", f"{county.name}{town.name}信访办", BodyKind.XINFANG),
        ):
            parent = county_bodies[(county.code, sector)]
            b = Body(
                code=_body_code(town.code, sector),
                name=name,
                short_name=name[len(county.name) :],
                kind=kind,
                sector=sector,
                region=town,
                parent=parent,
            )
            b.path = f"{parent.path}{b.code}/"
            level3.append(b)
    Body.objects.bulk_create(level3)

    by_code = {
        b.code: b
        for b in Body.objects.filter(
            code__in=[d.body_code for d in DEMO_LOGINS] + [c for _, c in DEMO_MULTI[2]]
        )
    }
    users = []
    memberships = []
    for login in DEMO_LOGINS:
        user = User(
            username=login.username,
            display_name=login.name,
            is_staff=login.role == Role.ADMINISTRATOR,
            is_superuser=login.role == Role.ADMINISTRATOR,
        )
        user.set_password(DEMO_PASSWORD)
        users.append(user)
    multi = User(username=DEMO_MULTI[0], display_name=DEMO_MULTI[1])
    multi.set_password(DEMO_PASSWORD)
    users.append(multi)
    User.objects.bulk_create(users)
    saved = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    for login in DEMO_LOGINS:
        memberships.append(
            Membership(user=saved[login.username], body=by_code[login.body_code], role=login.role)
        )
    for role, code in DEMO_MULTI[2]:
        memberships.append(Membership(user=saved[DEMO_MULTI[0]], body=by_code[code], role=role))
    Membership.objects.bulk_create(memberships)
    return {"regions": len(regions), "bodies": len(bodies) + len(level2) + len(level3), "users": len(users)}


def demo_logins_text() -> str:
    logins = DEMO_LOGINS + DEMO_LOGINS_LATER
    bodies = {b.code: b.name for b in Body.objects.filter(code__in=[d.body_code for d in logins])}
    lines = [
        f"  {'用户名':<12}{'角色':<16}机关",
    ]
    for d in DEMO_LOGINS + [d for d in DEMO_LOGINS_LATER if d.body_code in bodies]:
        lines.append(f"  {d.username:<14}{Role(d.role).label:<14}{bodies.get(d.body_code, '')}")
    lines.append(
        f"  {DEMO_MULTI[0]:<14}{'登记员+承办人':<14}东城区信访局 / 东城区住房和城乡建设局（登录后选择）"
    )
    lines.append(f"  所有演示账号的密码：{DEMO_PASSWORD}")
    return "\n".join(lines)
