"""Demo data for supervision and leadership: work for the 督查员 (周督查), the leaders (孙副市长, 何副区长) and the
bodies they supervise (东城区住房和城乡建设局: 赵承办, 陈局长). Everything goes through the services.

The backlog campaign is at the seed report's scale: two batches, 883 cases, handed down by 示例市信访局. The demo
has about 300 cases, so the rest are bulk-generated closed-and-open cases first (the cases app's bulk path,
about a second), then both batches are imported through the Excel path."""

from __future__ import annotations

import io
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from xinfang.cases.selectors import cases_visible_to
from xinfang.cases.workflow import OPEN_STATES
from xinfang.generator.generate import generate_bulk
from xinfang.orgs.acting import Actor, actor_for
from xinfang.orgs.models import Body, Membership, User
from xinfang.supervision import services as s
from xinfang.supervision.models import Campaign, StepKind, SupervisionKind, SupervisionReason
from xinfang.supervision.services import IMPORT_HEADERS

CAMPAIGN_CASES = 883
BATCHES = (500, 383)


def _actor(username: str, body_code: str):

    return actor_for(User.objects.get(username=username), Body.objects.get(code=body_code))


def _xlsx(rows) -> io.BytesIO:
    # openpyxl takes ~0.4 s to import: loaded only when a workbook is read or written
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(IMPORT_HEADERS))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def demo_load() -> str:
    """One transaction for the lot: each service's own atomic block becomes a savepoint, so the few thousand
    writes cost one commit (seconds on SQLite instead of tens)."""

    with transaction.atomic():
        return _demo_load()


def _demo_load() -> str:

    if Campaign.objects.exists():
        return "督查督办演示数据已存在，未重复生成。"
    if not User.objects.filter(username="ducha").exists():
        return "督查督办演示数据：缺少演示账号，未生成。"
    today = timezone.localdate()
    city = _actor("ducha", "990100-xinfang")
    county_leader = User.objects.filter(username="lingdao_dc").first()
    city_leader = User.objects.get(username="lingdao")
    kinds = {k.code: k for k in SupervisionKind.objects.all()}
    dc_housing = Body.objects.select_related("region").get(code="990101-housing")
    open_states = [st.value for st in OPEN_STATES]

    # --- 督办 on 东城区住建局's open cases: one of each state of the ladder
    visible = cases_visible_to(city)
    held = list(visible.filter(current_body=dc_housing, state__in=open_states).order_by("pk")[:6])
    sups = 0
    if len(held) >= 4:
        letter = s.supervision_issue(
            actor=city,
            kind=kinds["letter"],
            body=dc_housing,
            case_numbers=[held[0].number, held[1].number],
            reason=SupervisionReason.DELAY,
            requirement="两件事项办理拖延，请加快办理并书面回复整改措施。",
        )
        phone = s.supervision_issue(
            actor=city,
            kind=kinds["phone"],
            body=dc_housing,
            case_numbers=[held[2].number],
            reason=SupervisionReason.OVERDUE,
            requirement="电话督办：请于期限内办结。",
        )
        s.supervision_reply(
            actor=_actor("fuze_dc", "990101-housing"),
            supervision=phone,
            measures="已约谈承办人，明确专人负责。",
            result="已于本周答复信访人。",
        )
        late = s.supervision_issue(
            actor=city,
            kind=kinds["system"],
            body=dc_housing,
            case_numbers=[held[3].number],
            reason=SupervisionReason.PERFUNCTORY,
            requirement="办理敷衍，请重新调查核实。",
            issued_on=today - timedelta(days=20),
        )
        sups = 3
        del letter, late
    ladder = s.supervision_ladder_run(day=today)

    s.recommendation_issue(
        actor=city,
        kind="improve",
        body=dc_housing,
        text="物业纠纷类信访事项答复不够具体，建议建立答复前会商机制。",
    )
    s.recommendation_issue(
        actor=city,
        kind="policy",
        body=Body.objects.get(code="990100-housing"),
        text="老旧小区加装电梯补贴政策标准不一，建议统一全市标准。",
    )

    # --- 包案: the county leader holds two cases; one step done
    leader_cases = 0
    if county_leader is not None and len(held) >= 6:
        dc_leader = _actor("lingdao_dc", "990101-government")
        for case in held[4:6]:
            lc = s.leader_case_open(
                actor=dc_leader, case=case, plan="一案一策：摸清诉求、依法依规解决、做好思想疏导。"
            )
            leader_cases += 1
        s.leader_case_step_record(
            actor=dc_leader, leader_case=lc, kind=StepKind.GRASP, note="已入户走访，掌握诉求和家庭情况。"
        )

    # --- 倒流: whatever the demo's repeats of 办结 matters show
    backflows = s.backflow_scan(since=today - timedelta(days=3650))

    # --- the campaign: 883 cases in two batches
    have = visible.count()
    if have < CAMPAIGN_CASES:
        generate_bulk(cases=CAMPAIGN_CASES - have + 20, seed=2027)
        visible = cases_visible_to(city)
    picked = list(
        visible.order_by("registered_at", "pk").values_list("number", "current_body__code")[:CAMPAIGN_CASES]
    )
    campaign = s.campaign_create(
        actor=city,
        name="集中治理重复信访、化解信访积案专项行动",
        started_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=60),
        description="上级交办两批信访积案，逐案落实责任单位、包案领导和化解期限，限期清零。",
    )
    leaders = ["何副区长", "孙副市长", "刘局长", "陈局长"]
    start = 0
    for n, size in enumerate(BATCHES, start=1):
        rows = [
            (number, body, leaders[i % len(leaders)], (today + timedelta(days=30 * n)).isoformat())
            for i, (number, body) in enumerate(picked[start : start + size])
        ]
        start += size
        s.campaign_import_excel(
            actor=city,
            campaign=campaign,
            file=_xlsx(rows),
            handed_down_on=today - timedelta(days=60 - 20 * n),
        )
    # progress: the first batch mostly reported and signed off, the second under way
    from xinfang.supervision.models import CampaignCase

    items = list(CampaignCase.objects.filter(campaign=campaign).select_related("responsible_body", "batch"))
    signed = 0
    actors: dict = {}
    for i, item in enumerate(items):
        # a sample through the services (each writes its event): 1 in 3 of batch 1 signed off, 1 in 8 of batch 2
        # reported and waiting for the sign-off
        if (item.batch.number == 1 and i % 3 == 0) or (item.batch.number == 2 and i % 8 == 0):
            if item.responsible_body_id not in actors:
                actors[item.responsible_body_id] = _member_actor(item.responsible_body)
            body_actor = actors[item.responsible_body_id]
            if body_actor is None:
                continue
            s.campaign_result_report(
                actor=body_actor,
                item=item,
                result="resolved",
                text="诉求已依法解决，信访人息诉。",
                evidence="化解协议、回访记录",
            )
            if item.batch.number == 1:
                s.campaign_sign_off(actor=city, item=item, approve=True)
                signed += 1

    # --- leaders' reception days, published, one booked; a 下访 and a 联合接访
    receptions = 0
    for leader, place in ((city_leader, "示例市人民来访接待中心"), (county_leader, "东城区信访局接待大厅")):
        if leader is None:
            continue
        days = s.reception_schedule_generate(actor=city, leader=leader, year=today.year, place=place)
        days += s.reception_schedule_generate(actor=city, leader=leader, year=today.year + 1, place=place)
        for r in days:
            if r.date >= today:
                s.reception_publish(actor=city, reception=r)
        receptions += len(days)
    upcoming = list(s.LeaderReception.objects.filter(published=True, date__gte=today).order_by("date")[:1])
    if upcoming:
        s.reception_book(
            slot_id=upcoming[0].slots.first().pk, name="张某某", phone="13800001111", matter="小区停车位纠纷"
        )
    down = s.reception_record(
        actor=city,
        kind="down",
        on=today - timedelta(days=7),
        place="东城区东华街道",
        topic="征地拆迁",
        leader=city_leader,
    )
    s.reception_record(
        actor=city,
        kind="joint",
        on=today - timedelta(days=14),
        place="示例市人民来访接待中心",
        joint_bodies="市住房和城乡建设局、市人力资源和社会保障局",
        leader=city_leader,
    )
    if held:
        s.reception_case_tag(actor=city, reception=down, case_number=held[0].number)

    # --- a 调度会 with follow-ups owned by 东城区住建局 (on 陈局长's and 赵承办's home pages)
    if len(held) >= 3:
        s.meeting_record(
            actor=city,
            held_on=today - timedelta(days=2),
            title="重点疑难信访积案视频调度会",
            participants="市联席办、各县区信访局、市直有关单位",
            decisions="逐案明确化解路径，倒流案件一律提级包案。",
            cases={
                held[0].number: "诉求合理部分应予解决",
                held[1].number: "需依法终结",
                held[2].number: "需联合接访",
            },
            followups=[
                s.FollowUpInput(
                    task="逐户核实补偿标准并报送结果",
                    owner_body=dc_housing,
                    due_on=today + timedelta(days=7),
                    case_number=held[0].number,
                ),
                s.FollowUpInput(
                    task="组织联合接访",
                    owner_body=Body.objects.get(code="990101-xinfang"),
                    due_on=today + timedelta(days=10),
                ),
            ],
        )
    return (
        f"督查督办：督办{sups}件（红灯自动系统督办{ladder.auto_opened}件），领导包案{leader_cases}件，倒流{backflows}件，"
        f"积案专项行动{len(items)}件两批（已销号{signed}件），领导接访日{receptions}个，调度会1次"
    )


def _member_actor(body):

    m = Membership.objects.filter(body=body).select_related("user").order_by("pk").first()
    if m is not None:
        return Actor(user=m.user, body=body, roles=frozenset({m.role}))
    # A body without demo staff reports through a system actor of its own (the demo only).
    return Actor(user=None, body=body, roles=frozenset())
