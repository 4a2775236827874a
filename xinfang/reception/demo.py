"""A busy hall day at 东城区信访局 for the demo: seven windows (three agencies receiving in person), a leader
and two lawyers on duty, some seventy numbers through the morning, visits recorded through the real
services — consultations, new cases, a return visit on the same matter, and a group visit of 30 people
with five representatives. Runs once (skips when the hall has services)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from xinfang.cases.models import PetitionType
from xinfang.cases.services import PetitionerInput
from xinfang.orgs.acting import actor_for
from xinfang.orgs.models import Body, Region, User
from xinfang.reception.models import DutyKind, Service, ServiceKind, TicketStatus
from xinfang.reception.services import (
    NewCaseInput,
    duty_shift_add,
    service_day_open,
    ticket_call_next,
    ticket_issue,
    ticket_start,
    visit_record,
)

HALL_BODY = "990101-xinfang"
SERVICES = [
    ("A", ServiceKind.ROOM, "一号接访室", "导访分流室旁", None),
    ("B", ServiceKind.ROOM, "二号接访室", "功能接访室", None),
    ("H", ServiceKind.AGENCY, "住建窗口", "来访大厅", "housing"),
    ("S", ServiceKind.AGENCY, "人社窗口", "来访大厅", "labour"),
    ("N", ServiceKind.AGENCY, "自然资源窗口", "来访大厅", "natural_resources"),
    ("L", ServiceKind.LAWYERS, "律师接待室", "法律咨询服务中心", None),
    ("M", ServiceKind.ONE_STOP, "矛盾纠纷调处中心", "一站式中心", None),
    ("R", ServiceKind.REVIEW, "复查复核窗口", "来访大厅", None),
]
MATTERS = [
    "小区{n}号楼屋顶漏水多年，物业和开发商互相推诿，请求责令维修",
    "单位拖欠{n}个月工资，请求督促支付",
    "村里征地补偿款{n}万元未发放到位，请求核查",
    "楼下饭店油烟噪音扰民{n}年，请求依法处理",
    "购买的商品房逾期{n}个月未交房，请求协调",
]


def _person(rng: random.Random, i: int) -> PetitionerInput:
    surname = "王李张刘陈杨赵黄周吴"[i % 10]
    return PetitionerInput(
        name=f"{surname}{'明华强芳军静丽伟'[i % 8]}{i}", phone=f"1378{rng.randint(0, 9999999):07d}"
    )


def demo_load() -> str:
    body = Body.objects.filter(code=HALL_BODY).first()
    if body is None:
        return "接待大厅：未找到演示城市，跳过。"
    if Service.objects.filter(body=body).exists():
        return "接待大厅：演示数据已存在，未重复生成。"
    user = User.objects.filter(username="dengji_dc").first()
    if user is None:
        return "接待大厅：未找到演示登记员，跳过。"
    actor = actor_for(user, body)
    county = HALL_BODY.split("-")[0]
    services = {}
    for i, (prefix, kind, name, room, sector) in enumerate(SERVICES):
        agency = Body.objects.filter(code=f"{county}-{sector}").first() if sector else None
        services[prefix] = Service.objects.create(
            body=body, kind=kind, name=name, prefix=prefix, room=room, default_agency=agency, sort=i
        )
    today = timezone.localdate()
    for s in services.values():
        service_day_open(actor=actor, service=s, on=today)
    leader = duty_shift_add(
        actor=actor, on=today, kind=DutyKind.LEADER, name="孙副区长", affiliation="东城区人民政府"
    )
    adviser = duty_shift_add(
        actor=actor,
        on=today,
        kind=DutyKind.LEGAL_ADVISER,
        name="钱律师",
        affiliation="示例律师事务所",
        service=services["L"],
    )
    public = duty_shift_add(
        actor=actor,
        on=today,
        kind=DutyKind.PUBLIC_LAWYER,
        name="冯律师",
        affiliation="东城区司法局",
        service=services["L"],
    )
    rng = random.Random(2026)
    start = timezone.make_aware(datetime.combine(today, time(8, 30)))
    prefixes = list(services)
    weights = [5, 4, 4, 3, 2, 4, 2, 1]
    tickets = []
    for i in range(72):
        at = start + timedelta(minutes=i * 3 + rng.randint(0, 2))
        s = services[rng.choices(prefixes, weights)[0]]
        tickets.append(ticket_issue(actor=actor, service=s, party_size=1, from_kiosk=i % 3 == 0, now=at))
    region = Region.objects.get(code=f"{county}001")
    visits = 0
    # The morning's first two-thirds are called and served; the rest still wait (the board has a queue).
    for i, t in enumerate(tickets[:48]):
        called = ticket_call_next(
            actor=actor, service_day=t.service_day, now=t.issued_at + timedelta(minutes=rng.randint(2, 25))
        )
        if called is None:
            continue
        if i % 9 == 8:
            called.status = TicketStatus.NO_SHOW
            called.save(update_fields=["status"])
            continue
        kind = called.service_day.service.kind
        person = _person(rng, i)
        matter = MATTERS[i % len(MATTERS)].format(n=i + 2)
        lawyer = (
            adviser
            if kind == ServiceKind.LAWYERS and i % 2
            else public
            if kind == ServiceKind.LAWYERS
            else None
        )
        at = called.called_at + timedelta(minutes=rng.randint(6, 20))
        if kind in (ServiceKind.LAWYERS, ServiceKind.ONE_STOP) or i % 4 == 0:
            visit_record(
                actor=actor,
                ticket=called,
                people=[person],
                statement=f"咨询：{matter}",
                outcome="consultation",
                consultation_kind="legal" if kind == ServiceKind.LAWYERS else "information",
                reply="已释法说理，告知依法维权途径。",
                lawyer_shift=lawyer,
                now=at,
            )
        else:
            visit_record(
                actor=actor,
                ticket=called,
                people=[person],
                statement=matter,
                outcome="new_case",
                new_case=NewCaseInput(
                    petition_type=PetitionType.APPEAL, problem_region=region, request=matter
                ),
                leader_shift=leader if i % 7 == 0 else None,
                recording_ref=f"REC-{today:%Y%m%d}-{i:03d}",
                recording_device="接访室录音录像系统",
                recording_start=called.called_at,
                recording_end=at,
                now=at,
            )
        visits += 1
    # A group visit: thirty villagers, five representatives, the leader on duty receives them.
    group_ticket = ticket_issue(
        actor=actor, service=services["A"], party_size=30, now=start + timedelta(hours=2)
    )
    ticket_start(actor=actor, ticket=group_ticket, now=start + timedelta(hours=2, minutes=5))
    reps = [
        PetitionerInput(name=f"村民代表{i}", phone=f"1356000{i:04d}", is_representative=True)
        for i in range(1, 6)
    ]
    visit_record(
        actor=actor,
        ticket=group_ticket,
        people=reps,
        is_group=True,
        people_count=30,
        statement="东关村30户村民反映征地补偿标准不一致，请求统一标准并公开",
        outcome="new_case",
        new_case=NewCaseInput(
            petition_type=PetitionType.APPEAL,
            problem_region=region,
            request="东关村30户村民反映征地补偿标准不一致，请求统一标准并公开",
        ),
        leader_shift=leader,
        lawyer_shift=public,
        recording_ref=f"REC-{today:%Y%m%d}-G01",
        recording_device="接访室录音录像系统",
        now=start + timedelta(hours=2, minutes=40),
    )
    visits += 1
    return f"接待大厅：{len(services)}个窗口，取号{len(tickets) + 1}个，接待{visits}批次（含一批30人集体访，代表5人）"
