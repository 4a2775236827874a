"""Pages, exports and the REST API: scope, 404s, query counts, figures."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.api.tests.test_api import client_for
from xinfang.cases.tests.factories import officer, registrar
from xinfang.orgs.models import Body, Role
from xinfang.resolution import services
from xinfang.resolution.figures import centre_figures
from xinfang.resolution.models import Referral, Session
from xinfang.resolution.rules import Outcome, ReferralKind
from xinfang.resolution.services import PartyInput
from xinfang.resolution.tests.conftest import both_agree, mediator, registered_case

pytestmark = pytest.mark.django_db


def login(a) -> Client:
    c = Client()
    c.force_login(a.user)
    session = c.session
    session["acting_body_id"] = a.body.pk
    session.save()
    return c


@pytest.fixture
def referrals(centre):
    """A small year: agreements, a failure, counselling with sessions, an arbitration, from two bodies."""
    reg = registrar()
    made = []
    for i in range(6):
        made.append(
            services.referral_create(
                actor=reg,
                kind=ReferralKind.PEOPLES_MEDIATION,
                organisation=centre["rmtj" if i % 2 else "dhtj"],
                summary=f"纠纷{i}",
                parties=both_agree(f"当事人{i}"),
            )
        )
    m = mediator(centre["rmtj"])
    services.referral_outcome_record(
        actor=m, referral_id=made[1].pk, outcome=Outcome.MEDIATION_AGREEMENT, text="协议"
    )
    services.referral_outcome_record(actor=m, referral_id=made[3].pk, outcome=Outcome.FAILED, text="不成")
    counsel = services.referral_create(
        actor=officer("990101-housing"),
        kind=ReferralKind.COUNSELLING,
        organisation=centre["xl"],
        summary="情绪激动",
        parties=[PartyInput(side="applicant", name="甲")],
    )
    c = mediator(centre["xl"])
    services.session_record(actor=c, referral_id=counsel.pk, held_on=timezone.localdate(), attendees=2)
    services.session_record(actor=c, referral_id=counsel.pk, held_on=timezone.localdate())
    return made


def _acting(client, a):
    return client


def test_queue_lists_only_the_organisations_referrals_in_bounded_queries(
    centre, referrals, django_assert_max_num_queries
):
    m = mediator(centre["rmtj"])
    c = login(m)
    with django_assert_max_num_queries(14):
        resp = c.get("/resolution/?status=")
    assert resp.status_code == 200
    text = resp.content.decode()
    mine = Referral.objects.filter(organisation=centre["rmtj"])
    assert all(r.number in text for r in mine)
    assert not any(r.number in text for r in Referral.objects.exclude(organisation=centre["rmtj"]))
    # and the same number of queries with three times the rows
    for i in range(12):
        services.referral_create(
            actor=registrar(),
            kind=ReferralKind.PEOPLES_MEDIATION,
            organisation=centre["rmtj"],
            summary=f"更多{i}",
            parties=both_agree(),
        )
    with django_assert_max_num_queries(14):
        assert c.get("/resolution/?status=").status_code == 200


def test_other_organisations_referral_is_404_everywhere(centre, referrals):
    other = Referral.objects.filter(organisation=centre["dhtj"]).first()
    c = login(mediator(centre["rmtj"]))
    for url in (
        f"/resolution/{other.pk}/",
        f"/resolution/{other.pk}/agreement.docx",
    ):
        assert c.get(url).status_code == 404
    for url in ("accept", "sessions", "outcome", "confirmation"):
        assert c.post(f"/resolution/{other.pk}/{url}/", {}).status_code == 404
    assert (
        client_for(mediator(centre["rmtj"])).get(f"/api/v1/resolution/referrals/{other.pk}/").status_code
        == 404
    )


def test_the_organisation_sees_the_referral_not_the_case(centre):
    case = registered_case()
    r = services.referral_create(
        actor=registrar(),
        kind=ReferralKind.PEOPLES_MEDIATION,
        organisation=centre["rmtj"],
        summary="只移送这段概要",
        case=case,
        parties=both_agree(),
    )
    c = login(mediator(centre["rmtj"]))
    text = c.get(f"/resolution/{r.pk}/").content.decode()
    assert "只移送这段概要" in text and case.number not in text and case.request not in text
    assert c.get(f"/cases/{case.pk}/").status_code == 404
    api = client_for(mediator(centre["rmtj"])).get(f"/api/v1/resolution/referrals/{r.pk}/").json()
    assert api["case_number"] is None and api["summary"] == "只移送这段概要"
    # the referring body sees the case link
    assert case.number in login(registrar()).get(f"/resolution/{r.pk}/").content.decode()


def test_refer_from_the_case_page_form(centre):
    case = registered_case()
    reg = registrar()
    c = login(reg)
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert f"/resolution/new/?case={case.pk}" in page
    assert c.get(f"/resolution/new/?case={case.pk}").status_code == 200
    data = {
        "case": case.pk,
        "kind": ReferralKind.PEOPLES_MEDIATION,
        "organisation": centre["rmtj"].pk,
        "summary": "漏水纠纷",
        "party-TOTAL_FORMS": 2,
        "party-INITIAL_FORMS": 0,
        "party-0-side": "applicant",
        "party-0-name": "测试人1",
        "party-0-consent": "agreed",
        "party-1-side": "respondent",
        "party-1-name": "物业公司",
        "party-1-consent": "",
    }
    resp = c.post("/resolution/new/", data)
    assert resp.status_code == 400 and "物业公司" in resp.content.decode() and not Referral.objects.exists()
    data["party-1-consent"] = "agreed"
    resp = c.post("/resolution/new/", data)
    assert resp.status_code == 302 and Referral.objects.get().case == case
    # a mediator may not refer, and an invisible case is 404 before anything is read
    assert login(mediator(centre["rmtj"])).get(f"/resolution/new/?case={case.pk}").status_code == 404
    assert login(registrar("990102-xinfang")).get(f"/resolution/new/?case={case.pk}").status_code == 404


def test_figures_count_and_drill_down(centre, referrals, django_assert_max_num_queries):
    body = Body.objects.get(code="990101-xinfang")
    f = centre_figures(body=Body.objects.get(code="990100-xinfang"), year=timezone.localdate().year)
    assert (f.total.mediated, f.total.mediated_ok, f.total.success_rate) == (2, 1, "50.0%")
    assert f.total.counselling == 3
    row = next(r for r in f.by_organisation if r.label == centre["rmtj"].name)
    assert row.mediated == 2
    assert f.body.pk != body.pk
    c = login(registrar("990100-xinfang"))
    with django_assert_max_num_queries(14):
        page = c.get("/resolution/figures/")
    assert page.status_code == 200
    with django_assert_max_num_queries(12):
        drill = c.get(f"/resolution/figures/drill/?column=mediated_ok&year={timezone.localdate().year}")
    assert referrals[1].number in drill.content.decode()
    assert referrals[3].number not in drill.content.decode()
    wb = load_workbook(io.BytesIO(c.get("/resolution/figures/export.xlsx").content))
    assert wb.sheetnames == ["按月", "按解纷组织", "按移送机关"]
    assert [c.value for c in wb["按月"][3]][2:5] == [2, 1, "50.0%"]
    # a registrar elsewhere counts nothing of these
    other = centre_figures(body=Body.objects.get(code="990102-xinfang"), year=timezone.localdate().year)
    assert other.total.mediated == 0
    # counselling sessions count people (人次)
    assert Session.objects.count() == 2


def test_api_refer_and_record(centre):
    case = registered_case()
    reg = client_for(registrar())
    body = {
        "kind": "peoples_mediation",
        "organisation_id": centre["rmtj"].pk,
        "summary": "漏水",
        "case_id": case.pk,
        "parties": [
            {"side": "applicant", "name": "甲", "consent": "agreed"},
            {"side": "respondent", "name": "乙"},
        ],
    }
    resp = reg.post("/api/v1/resolution/referrals/", body, format="json")
    assert resp.status_code == 400 and resp.json()["code"] == "consent_missing"
    body["parties"][1]["consent"] = "agreed"
    resp = reg.post("/api/v1/resolution/referrals/", body, format="json")
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["case_number"] == case.number
    m = client_for(mediator(centre["rmtj"]))
    assert [r["id"] for r in m.get("/api/v1/resolution/referrals/").json()["results"]] == [pk]
    assert (
        m.post(
            f"/api/v1/resolution/referrals/{pk}/sessions/",
            {"held_on": str(timezone.localdate())},
            format="json",
        ).status_code
        == 201
    )
    resp = m.post(
        f"/api/v1/resolution/referrals/{pk}/outcome/",
        {"outcome": "mediation_agreement", "text": "维修"},
        format="json",
    )
    assert resp.status_code == 200 and resp.json()["case_effect"] == "closed_with_agreement"
    assert (
        reg.get(f"/api/v1/resolution/figures/?year={timezone.localdate().year}").json()["total"][
            "mediated_ok"
        ]
        == 1
    )
    assert client_for(registrar()).get("/api/v1/resolution/organisations/?kind=counselling").json()[0]["name"]


def test_home_panel_shows_the_queue(centre, referrals):
    page = login(mediator(centre["rmtj"])).get("/").content.decode()
    assert "resolution-panel" in page and centre["rmtj"].name in page


def test_demo_loader_runs_once(demo_city):
    from xinfang.orgs.demo import demo_logins_text
    from xinfang.resolution.demo import demo_load

    line = demo_load()
    assert "解纷组织" in line and Referral.objects.count() >= 160
    assert "tiaojie_rm" in demo_logins_text()
    assert "已存在" in demo_load()
    assert Role.MEDIATOR in {m.role for m in Body.objects.get(code="990100-res-rmtj").memberships.all()}


def test_dashboard_and_annual_report_carry_the_centres_row(centre, referrals, tmp_path):
    from docx import Document

    from xinfang.analytics.annual import annual_report_write

    year = timezone.localdate().year
    city = Body.objects.get(code="990100-xinfang")
    annual_report_write(body=city, year=year, output=tmp_path / "annual.docx")
    doc = Document(str(tmp_path / "annual.docx"))
    assert any("多元解纷" in p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert centre["rmtj"].name in cells and "50.0%" in cells
    from xinfang.orgs.acting import actor_for

    lead = actor_for(*_leader(city))
    page = login(lead).get(f"/figures/?year={year}").content.decode()
    assert "dashboard-resolution" in page and centre["rmtj"].name in page


def _leader(body):
    from xinfang.orgs.models import Membership, User

    user, _ = User.objects.get_or_create(username="res-leader")
    Membership.objects.get_or_create(user=user, body=body, role=Role.SUPERVISOR)
    return user, body


def test_agreement_prints_as_a_word_document(centre):
    from docx import Document

    r = services.referral_create(
        actor=registrar(),
        kind=ReferralKind.PEOPLES_MEDIATION,
        organisation=centre["rmtj"],
        summary="漏水纠纷",
        parties=both_agree(),
    )
    m = mediator(centre["rmtj"])
    c = login(m)
    assert c.get(f"/resolution/{r.pk}/agreement.docx").status_code == 404  # no agreement yet
    services.referral_outcome_record(
        actor=m, referral_id=r.pk, outcome=Outcome.MEDIATION_AGREEMENT, text="一、维修管道；\n二、赔偿500元。"
    )
    resp = c.get(f"/resolution/{r.pk}/agreement.docx")
    assert resp.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.content)).paragraphs)
    assert "调解协议书" in text and "赔偿500元" in text and "司法确认" in text
    assert c.get(f"/resolution/{r.pk}/agreement.xls").status_code == 404


def test_a_hall_visit_is_referred_without_a_case(centre):
    r = services.referral_create(
        actor=registrar(),
        kind=ReferralKind.LEGAL_CONSULTATION,
        organisation=centre["flyz"],
        summary="咨询劳动合同解除",
        visit_id=4711,
        parties=[PartyInput(side="applicant", name="来访人")],
    )
    assert r.visit_id == 4711 and r.case_id is None
    services.referral_outcome_record(
        actor=mediator(centre["flyz"]), referral_id=r.pk, outcome=Outcome.ADVICE_GIVEN, text="已解答"
    )
    f = centre_figures(body=Body.objects.get(code="990101-xinfang"), year=timezone.localdate().year)
    assert f.total.consultations == 1


def test_directory_and_detail_pages_in_bounded_queries(centre, referrals, django_assert_max_num_queries):
    c = login(registrar())
    with django_assert_max_num_queries(10):
        assert c.get("/resolution/organisations/").status_code == 200
    with django_assert_max_num_queries(16):
        assert c.get(f"/resolution/{referrals[1].pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        resp = c.get("/resolution/organisations/options/?kind=counselling")
    assert centre["xl"].name in resp.content.decode() and centre["rmtj"].name not in resp.content.decode()


def test_drill_down_by_organisation_stays_in_scope(centre, referrals):
    year = timezone.localdate().year
    c = login(registrar("990100-xinfang"))
    url = f"/resolution/figures/drill/?column=mediated&year={year}&organisation={centre['rmtj'].pk}"
    text = c.get(url).content.decode()
    assert referrals[1].number in text and referrals[3].number in text
    assert referrals[0].number not in text  # still open, and at another committee
    # a body outside the acting body's scope finds nothing
    far = login(registrar("990102-xinfang")).get(url).content.decode()
    assert referrals[1].number not in far
