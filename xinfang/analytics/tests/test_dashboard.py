import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from xinfang.cases.models import PetitionType
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import actor, register, registrar
from xinfang.orgs.models import Body, Role

pytestmark = pytest.mark.django_db


def _login(client, code: str, role: str = Role.REGISTRAR):
    a = actor(code, role)
    client.force_login(a.user)
    session = client.session
    session["acting_body_id"] = a.body.pk
    session.save()
    return a


def _some_cases(n: int, start: int = 10):
    housing = Body.objects.get(code="990101-housing")
    reg = registrar()
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        for i in range(n):
            case = register(
                by=reg,
                seed=start + i,
                subject_body=housing,
                subject_text="住建局",
                petition_type=PetitionType.ACCUSATION if i % 2 else PetitionType.APPEAL,
            ).case
            if i % 4 == 0:  # only the 申诉求决 ones may go to the body they name
                case_act(case=case, actor=reg, action="transfer", target_body=housing)


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_dashboard_shows_the_figures_and_does_not_grow_in_queries(
    demo_city, client, django_assert_max_num_queries
):
    _some_cases(2)
    _login(client, "990101-xinfang")
    url = reverse("analytics:dashboard") + "?year=2026"
    resp = client.get(url)
    assert resp.status_code == 200, resp.content[:500]
    first = len(resp.context["d"].ranking)
    _some_cases(6, start=50)
    with django_assert_max_num_queries(28):
        resp = client.get(url)
    html = resp.content.decode()
    assert "及时受理率（信访部门）" in html and "重复信访率" in html
    d = resp.context["d"]
    assert d.total == 8 and d.own["repeat"].denominator == 8
    assert dict(d.volume["channel"].totals) == {"来信": 8}
    # 8 registration clocks, 3 stopped by a transfer (not yet signed for: no acceptance clock yet)
    assert d.lights_total["green"] + d.lights_total["yellow"] + d.lights_total["red"] == 5
    assert dict(d.complained)["东城区住房和城乡建设局"] == 8
    assert len(d.ranking) >= first


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_the_figures_page_reads_in_english_when_asked(demo_city, client):
    _some_cases(2)
    _login(client, "990101-xinfang")
    url = reverse("analytics:dashboard") + "?year=2026"
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in (
        "Figures: ",
        "Timely registration rate (letters-and-visits bureau)",
        "Repeat petition rate",
        "Overall",
        "Channel",
        "Letter",
        "Registration",
    ):
        assert text in en, text
    assert "重复信访率" not in en and "来源渠道" not in en
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "重复信访率" in zh and "来源渠道" in zh and "Repeat petition rate" not in zh


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_accusations_about_the_viewer_are_not_counted_for_it(demo_city, client):
    _some_cases(4)  # 2 申诉求决, 2 检举控告 about 东城区住建局
    from xinfang.analytics.figures import complained_about
    from xinfang.cases.models import Case

    housing = Body.objects.get(code="990101-housing")
    assert complained_about(Case.objects.all(), viewer=housing) == [("东城区住房和城乡建设局", 2)]
    _login(client, "990101-housing", Role.CASE_OFFICER)
    d = client.get(reverse("analytics:dashboard") + "?year=2026").context["d"]
    assert dict(d.complained) == {"东城区住房和城乡建设局": 1}  # the one appeal it handles
    _login(client, "990101-xinfang")
    d = client.get(reverse("analytics:dashboard") + "?year=2026").context["d"]
    assert dict(d.complained)["东城区住房和城乡建设局"] == 4


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_dashboard_works_without_the_chart_library(demo_city, client, settings, tmp_path):
    settings.STATICFILES_DIRS = []
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    _login(client, "990101-xinfang")
    resp = client.get(reverse("analytics:dashboard"))
    assert resp.status_code == 200 and resp.context["echarts"] is False
    assert "echarts.min.js" not in resp.content.decode() and "主要指标" in resp.content.decode()


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_ledger_downloads(demo_city, client):
    _some_cases(3)
    _login(client, "990101-xinfang")
    resp = client.get(reverse("analytics:ledger_xlsx") + "?channel=letter")
    assert resp.status_code == 200
    import io

    rows = list(
        load_workbook(io.BytesIO(b"".join(resp.streaming_content))).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0][0] == "编号" and len(rows) == 1 + 2  # the queue: the two cases still held here
    resp = client.get(reverse("analytics:figures_xlsx") + "?year=2026")
    rows = list(
        load_workbook(io.BytesIO(b"".join(resp.streaming_content))).worksheets[0].iter_rows(values_only=True)
    )
    assert any(r[1] == "东城区信访局" and r[3] == "重复信访率" and r[6] == "0.00%" for r in rows)
