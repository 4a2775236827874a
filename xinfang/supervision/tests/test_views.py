"""The pages: each list opened with a bounded number of queries, refused roles get a 404, the home panel shows
each role its work, and the public reception page books a slot."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.supervision import services
from xinfang.supervision.models import ReceptionSlot, SupervisionKind

pytestmark = pytest.mark.django_db


def client_for(actor) -> Client:
    c = Client()
    c.force_login(actor.user)
    session = c.session
    session["acting_body_id"] = actor.body.pk
    session.save()
    return c


@pytest.fixture
def filled(world):
    """A few of everything, so the lists have rows to draw (and queries to count)."""
    kinds = {k.code: k for k in SupervisionKind.objects.all()}
    sups = []
    for i in range(3):
        case = world.held_case()
        sups.append(
            services.supervision_issue(
                actor=world.supervisor,
                kind=kinds["letter" if i == 0 else "system"],
                body=world.housing,
                case_numbers=[case.number],
                reason="delay",
                requirement="请加快办理",
            )
        )
        lc = services.leader_case_open(actor=world.county_leader, case=case, plan="方案")
    services.recommendation_issue(actor=world.supervisor, kind="improve", body=world.housing, text="建议")
    c = services.campaign_create(
        actor=world.supervisor, name="专项行动", ends_on=timezone.localdate() + timedelta(days=30)
    )
    services.campaign_batch_add(
        actor=world.supervisor,
        campaign=c,
        rows=[
            (s.cases.first().number, "990101-housing", "", timezone.localdate() + timedelta(days=20))
            for s in sups
        ],
        source="excel",
    )
    days = services.reception_schedule_generate(
        actor=world.supervisor,
        leader=world.county_leader.user,
        year=timezone.localdate().year + 1,
        place="接待大厅",
    )
    for d in days[:3]:
        services.reception_publish(actor=world.supervisor, reception=d)
    services.meeting_record(
        actor=world.supervisor,
        held_on=timezone.localdate(),
        title="调度会",
        participants="各县区",
        decisions="逐案推进",
        cases={sups[0].cases.first().number: "研判"},
        followups=[
            services.FollowUpInput(task="报送结果", owner_body=world.housing, due_on=timezone.localdate())
        ],
    )
    return {"sups": sups, "campaign": c, "leader_case": lc, "days": days}


LISTS = [
    ("supervisor", "supervision:index", 14),
    ("supervisor", "supervision:recommendations", 14),
    ("supervisor", "supervision:leader_cases", 14),
    ("supervisor", "supervision:backflows", 12),
    ("supervisor", "supervision:campaigns", 16),
    ("supervisor", "supervision:receptions", 14),
    ("supervisor", "supervision:meetings", 12),
    ("supervisor", "supervision:figures", 16),
    ("housing_head", "supervision:index", 14),
    ("county_leader", "supervision:leader_cases", 14),
]


@pytest.mark.parametrize("who,name,limit", LISTS)
def test_list_pages_with_bounded_queries(world, filled, django_assert_max_num_queries, who, name, limit):
    c = client_for(getattr(world, who))
    with django_assert_max_num_queries(limit):
        response = c.get(reverse(name))
    assert response.status_code == 200


def test_campaign_dashboard_queries_do_not_grow_with_items(world, filled, django_assert_max_num_queries):
    c = client_for(world.supervisor)
    url = reverse("supervision:campaign", args=[filled["campaign"].pk])
    with django_assert_max_num_queries(16):
        response = c.get(url)
    assert response.status_code == 200
    assert "东城区住房和城乡建设局" in response.content.decode()
    xlsx = c.get(url + "?format=xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["清零进度", "事项台账"] and wb["事项台账"].max_row == 4


def test_home_panels_give_each_role_its_work(world, filled):
    page = client_for(world.supervisor).get("/").content.decode()
    assert 'data-testid="supervisor-todo"' in page
    body_page = client_for(world.housing_head).get("/").content.decode()
    assert body_page.count('data-testid="to-answer"') == 3 and 'data-testid="followup"' in body_page
    leader_page = client_for(world.county_leader).get("/").content.decode()
    assert (
        leader_page.count('data-testid="my-leader-case"') == 3 and 'data-testid="my-reception"' in leader_page
    )


def test_refused_roles_learn_nothing(world, filled):
    head = client_for(world.housing_head)
    assert head.get(reverse("supervision:new")).status_code == 404
    assert head.get(reverse("supervision:leader_cases")).status_code == 404
    assert (
        head.post(reverse("supervision:close", args=[filled["sups"][0].pk]), {"note": "x"}).status_code == 404
    )
    other = client_for(world.county_supervisor)  # not the issuer, not the addressee
    assert other.get(reverse("supervision:detail", args=[filled["sups"][0].pk])).status_code == 404


def test_issue_reply_close_through_the_pages(world):
    case = world.held_case()
    sup_client = client_for(world.supervisor)
    letter = SupervisionKind.objects.get(code="letter")
    r = sup_client.post(
        reverse("supervision:new"),
        {
            "kind": letter.pk,
            "reason": "delay",
            "body": world.housing.pk,
            "cases": case.number,
            "requirement": "请回复",
        },
    )
    assert r.status_code == 302
    pk = int(r.url.rstrip("/").split("/")[-1])
    bad = sup_client.post(
        reverse("supervision:new"),
        {
            "kind": letter.pk,
            "reason": "delay",
            "body": world.housing.pk,
            "cases": "NO-SUCH",
            "requirement": "x",
        },
    )
    assert bad.status_code == 200 and "未找到信访事项" in bad.content.decode()
    head = client_for(world.housing_head)
    head.post(reverse("supervision:reply", args=[pk]), {"measures": "专人办理", "result": "已答复"})
    sup_client.post(reverse("supervision:close", args=[pk]), {"note": "整改到位"})
    assert "已办结" in sup_client.get(reverse("supervision:detail", args=[pk])).content.decode()


def test_supervision_letter_renders(world):
    case = world.held_case()
    sup = services.supervision_issue(
        actor=world.supervisor,
        kind=SupervisionKind.objects.get(code="letter"),
        body=world.housing,
        case_numbers=[case.number],
        reason="delay",
        requirement="请回复",
    )
    r = client_for(world.housing_head).get(reverse("supervision:letter", args=[sup.pk]) + "?fmt=docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert case.number in text and "工作日" in text and sup.letter_number in text


def test_public_reception_page_books_a_slot_without_showing_anyone(
    world, filled, django_assert_max_num_queries
):
    c = Client()
    with django_assert_max_num_queries(8):
        page = c.get(reverse("supervision:public_receptions"))
    assert page.status_code == 200 and page.content.decode().count('data-testid="reception-day"') == 3
    slot = ReceptionSlot.objects.filter(reception=filled["days"][0]).first()
    r = c.post(
        reverse("supervision:public_receptions"),
        {"slot": slot.pk, "name": "张某某", "phone": "13800001111", "matter": "停车位纠纷"},
    )
    assert 'data-testid="booked"' in r.content.decode()
    again = c.post(
        reverse("supervision:public_receptions"),
        {"slot": slot.pk, "name": "李某", "phone": "13800002222", "matter": "x"},
    ).content.decode()
    assert "已被预约" in again and "13800001111" not in again and "张某某" not in again
    staff = client_for(world.county_leader).get(reverse("supervision:reception", args=[filled["days"][0].pk]))
    body = staff.content.decode()
    assert "张某某" in body and "138****1111" in body and "13800001111" not in body


def test_campaign_import_page_lists_bad_rows(world, filled):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(list(services.IMPORT_HEADERS))
    wb.active.append(["NO-SUCH", "990101-housing", "", "2030-01-01"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "batch.xlsx"
    c = client_for(world.supervisor)
    url = reverse("supervision:campaign_import", args=[filled["campaign"].pk])
    page = c.post(url, {"file": buf}, follow=True).content.decode()
    assert 'data-testid="import-errors"' in page and "第2行" in page
