"""The hall's pages through the test client: the desk, the kiosk, the board (public, numbers only), the
window, the visit form (Art. 20's sixth representative refused), the receipt, lists with bounded queries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinfang.cases.tests.factories import register, registrar, valid_id
from xinfang.orgs.models import Region, User
from xinfang.reception.models import Ticket, TicketStatus, Visit
from xinfang.reception.services import ticket_call_next, ticket_issue
from xinfang.reception.tests.factories import hall

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, demo_city):
    services = hall()
    reg = registrar()
    client.force_login(reg.user)
    return {"client": client, "services": services, "actor": reg}


def _people(n: int, rep: bool = True) -> dict:
    data = {"p-TOTAL_FORMS": str(n), "p-INITIAL_FORMS": "0", "p-MIN_NUM_FORMS": "0", "p-MAX_NUM_FORMS": "20"}
    for i in range(n):
        data.update(
            {
                f"p-{i}-name": f"代表{i}",
                f"p-{i}-id_number": valid_id(60 + i),
                f"p-{i}-phone": f"1370000{i:04d}",
                f"p-{i}-is_representative": "on" if rep else "",
            }
        )
    return data


def test_checkin_issues_a_ticket_and_the_board_shows_numbers_only(desk, django_assert_max_num_queries):
    c = desk["client"]
    a = desk["services"]["A"]
    response = c.post(reverse("reception:checkin"), {"service": a.pk, "party_size": 1})
    t = Ticket.objects.get()
    assert response.url == reverse("reception:ticket", kwargs={"pk": t.pk})
    page = c.get(response.url).content.decode()
    assert "A001" in page
    ticket_call_next(actor=desk["actor"], service_day=t.service_day)
    c.logout()
    for _ in range(3):
        ticket_issue(actor=desk["actor"], service=desk["services"]["B"])
    with django_assert_max_num_queries(6):
        board = c.get(reverse("reception:board", kwargs={"code": "990101-xinfang"}))
    html = board.content.decode()
    assert board.status_code == 200 and "A001" in html and 'hx-trigger="every 3s"' in html
    with django_assert_max_num_queries(6):
        panel = c.get(reverse("reception:board_panel", kwargs={"code": "990101-xinfang"})).content.decode()
    assert "A001" in panel and "等候 3 人" in panel
    assert c.get(reverse("reception:board", kwargs={"code": "990102-xinfang"})).status_code == 404


def test_the_desk_and_window_pages_and_call_next(desk, django_assert_max_num_queries):
    c = desk["client"]
    for _ in range(5):
        t = ticket_issue(actor=desk["actor"], service=desk["services"]["A"])
    with django_assert_max_num_queries(14):
        assert c.get(reverse("reception:desk")).status_code == 200
    window = reverse("reception:window", kwargs={"pk": t.service_day_id})
    c.post(reverse("reception:call_next", kwargs={"pk": t.service_day_id}))
    assert Ticket.objects.get(number=1).status == TicketStatus.CALLED
    with django_assert_max_num_queries(14):
        assert "A001" in c.get(window).content.decode()
    c.post(reverse("reception:ticket_act", kwargs={"pk": Ticket.objects.get(number=1).pk, "action": "start"}))
    assert Ticket.objects.get(number=1).status == TicketStatus.SERVING


def test_kiosk_takes_a_number(desk):
    c = desk["client"]
    response = c.post(reverse("reception:kiosk"), {"service": desk["services"]["L"].pk})
    t = Ticket.objects.get()
    assert t.from_kiosk and t.code == "L001" and response.url.endswith("?kiosk=1")
    assert "L001" in c.get(response.url).content.decode()
    assert "请选择" in c.post(reverse("reception:kiosk"), {"service": "x"}).content.decode()


def test_the_visit_form_refuses_a_sixth_representative(desk):
    c = desk["client"]
    t = ticket_issue(actor=desk["actor"], service=desk["services"]["A"], party_size=20)
    url = reverse("reception:visit_for_ticket", kwargs={"pk": t.pk})
    data = {
        "is_group": "on",
        "people_count": "20",
        "statement": "二十户村民反映征地补偿",
        "outcome": "consultation",
        "consultation_kind": "information",
        **_people(6),
    }
    response = c.post(url, data)
    assert response.status_code == 200 and "第二十条" in response.content.decode()
    assert not Visit.objects.exists()
    data.update(_people(5))
    response = c.post(url, data)
    assert response.status_code == 302 and Visit.objects.get().people.count() == 5


def test_a_visit_opens_a_case_and_the_receipt_shows_number_and_code(desk, django_assert_max_num_queries):
    c = desk["client"]
    t = ticket_issue(actor=desk["actor"], service=desk["services"]["A"])
    data = {
        "people_count": "1",
        "statement": "小区8号楼电梯长期故障，物业不维修，请求督促维修",
        "outcome": "new_case",
        "petition_type": "appeal",
        "problem_region": Region.objects.get(code="990101001").pk,
        "recording_ref": "REC-77",
        "recording_file": SimpleUploadedFile("rec.mp3", b"ID3-fake-audio", content_type="audio/mpeg"),
        **_people(1, rep=False),
    }
    response = c.post(reverse("reception:visit_for_ticket", kwargs={"pk": t.pk}), data)
    v = Visit.objects.get()
    assert response.url == reverse("reception:visit", kwargs={"pk": v.pk})
    assert v.case.channel == "visit" and v.ticket.status == TicketStatus.DONE
    detail = c.get(reverse("reception:visit", kwargs={"pk": v.pk})).content.decode()
    assert reverse("documents:receipt", args=[v.case.pk, "pdf"]) in detail  # the documents app's 登记回执
    receipt = c.get(reverse("reception:receipt", kwargs={"pk": v.pk})).content.decode()
    assert v.case.number in receipt and "查询码" in receipt
    assert "查询码" not in c.get(reverse("reception:receipt", kwargs={"pk": v.pk})).content.decode()  # once
    download = c.get(reverse("reception:recording", kwargs={"pk": v.pk}))
    assert b"".join(download.streaming_content) == b"ID3-fake-audio"
    with django_assert_max_num_queries(12):
        assert v.case.number in c.get(reverse("reception:visits")).content.decode()

    # Another hall sees none of it; an agency officer is not let into the hall.
    other = registrar("990102-xinfang")
    c.force_login(other.user)
    assert c.get(reverse("reception:visit", kwargs={"pk": v.pk})).status_code == 404
    assert c.get(reverse("reception:recording", kwargs={"pk": v.pk})).status_code == 404
    c.force_login(User.objects.get(username="chengban_dc"))
    assert c.get(reverse("reception:desk")).status_code == 404


def test_lists_keep_their_query_count(desk, django_assert_max_num_queries):
    c = desk["client"]
    reg = desk["actor"]
    for seed in range(30, 36):
        case = register(by=reg, seed=seed).case
        from xinfang.cases.services import case_act

        case_act(case=case, actor=reg, action="tell", told_where="区法院", reason="诉讼事项")
    with django_assert_max_num_queries(14):
        page = c.get(reverse("reception:archive")).content.decode()
    assert page.count('name="retention"') >= 6
    from xinfang.cases.models import Case

    for case in Case.objects.filter(state="told"):
        c.post(
            reverse("reception:archive_case", kwargs={"case_pk": case.pk}),
            {"retention": "10y", "version": case.version},
        )
    with django_assert_max_num_queries(14):
        page = c.get(reverse("reception:archive")).content.decode()
    assert page.count("<td>990101-xinfang-档-") == 6
    with django_assert_max_num_queries(10):
        assert c.get(reverse("reception:hearings")).status_code == 200
    with django_assert_max_num_queries(8):
        assert c.get(reverse("reception:hearings_public")).status_code == 200
    with django_assert_max_num_queries(14):
        assert c.get(reverse("reception:duty")).status_code == 200
    with django_assert_max_num_queries(16):
        assert c.get(reverse("reception:figures")).status_code == 200


def test_the_dashboard_and_the_annual_report_show_the_hall(desk, tmp_path):
    from docx import Document

    from xinfang.analytics.annual import annual_report_write
    from xinfang.cases.services import PetitionerInput
    from xinfang.reception.services import visit_record

    t = ticket_issue(actor=desk["actor"], service=desk["services"]["L"])
    visit_record(
        actor=desk["actor"],
        ticket=t,
        people=[PetitionerInput(name="周咨询")],
        statement="咨询工伤认定",
        outcome="consultation",
        consultation_kind="legal",
    )
    page = desk["client"].get("/figures/").content.decode()
    assert 'data-testid="hall"' in page and "最多访一次率" in page
    out = tmp_path / "annual.docx"
    annual_report_write(body=desk["actor"].body, year=t.issued_at.year, output=out)
    text = "\n".join(c.text for table in Document(str(out)).tables for row in table.rows for c in row.cells)
    assert "咨询（无需登记事项）" in text


def test_public_pages_show_no_personal_data(desk):
    """The board and the published hearings name nobody: after a visit by a named person with an ID number
    and a phone, neither shows any of them."""
    c = desk["client"]
    t = ticket_issue(actor=desk["actor"], service=desk["services"]["A"])
    ticket_call_next(actor=desk["actor"], service_day=t.service_day)
    from xinfang.cases.services import PetitionerInput
    from xinfang.reception.services import visit_record

    visit_record(
        actor=desk["actor"],
        ticket=t,
        statement="反映邻里纠纷",
        outcome="consultation",
        consultation_kind="legal",
        people=[PetitionerInput(name="欧阳保密", id_number=valid_id(77), phone="13911112222")],
    )
    c.logout()
    for url in (
        reverse("reception:board", kwargs={"code": "990101-xinfang"}),
        reverse("reception:board_panel", kwargs={"code": "990101-xinfang"}),
        reverse("reception:hearings_public"),
        "/api/v1/hall/board/990101-xinfang/",
    ):
        body = c.get(url).content.decode()
        assert "欧阳保密" not in body and valid_id(77) not in body and "13911112222" not in body
        assert "邻里纠纷" not in body


def test_the_persons_file_lists_their_visits_beside_their_cases(desk):
    """一人一档: the visit is on the person's file in the workspace, with the case it opened."""
    from xinfang.cases.models import PetitionType
    from xinfang.cases.services import PetitionerInput
    from xinfang.reception.models import VisitOutcome
    from xinfang.reception.services import NewCaseInput, visit_record

    reg = desk["actor"]
    result = visit_record(
        actor=reg,
        ticket=ticket_issue(actor=reg, service=desk["services"]["A"]),
        people=[PetitionerInput(name="来访人档案", id_number=valid_id(77), phone="13900000077")],
        statement="小区3号楼地下室常年积水，物业不处理，请求责令整改",
        outcome=VisitOutcome.NEW_CASE,
        new_case=NewCaseInput(
            petition_type=PetitionType.APPEAL,
            problem_region=Region.objects.get(code="990101001"),
            request="小区3号楼地下室常年积水，物业不处理，请求责令整改",
        ),
    )
    person = result.visit.people.get().person
    html = desk["client"].get(reverse("person_detail", args=[person.pk])).content.decode()
    assert 'data-testid="person-visits"' in html
    assert reverse("reception:visit", args=[result.visit.pk]) in html
    assert result.registration.case.number in html
