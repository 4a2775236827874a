"""Repeats at intake: the registrar sees the earlier case before saving and chooses; nothing is merged
silently (docs/domain.md §9, Art. 36 ¶3); the received date is the form's own field (Art. 22)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.cases.models import Case, State
from xinfang.cases.tests.factories import valid_id
from xinfang.core.models import Event
from xinfang.deadlines.models import Clock
from xinfang.orgs.demo import DEMO_PASSWORD
from xinfang.workspace.tests.test_views import _intake_data, _login

pytestmark = pytest.mark.django_db


def _first(client):
    response = client.post(reverse("case_new"), _intake_data())
    assert response.status_code == 302
    return Case.objects.get()


def test_art22_repeat_shown_before_saving_and_nothing_merged_silently(client, demo_city):
    _login(client, "dengji_dc")
    first = _first(client)
    panel = client.post(reverse("repeat_check"), _intake_data())
    assert first.number in panel.content.decode() and 'data-testid="choose-link"' in panel.content.decode()
    response = client.post(reverse("case_new"), _intake_data(channel="visit"))
    assert response.status_code == 400 and Case.objects.count() == 1  # not saved until the registrar chooses
    assert "请先选择如何处理" in response.content.decode() and first.number in response.content.decode()
    response = client.post(reverse("case_new"), _intake_data(repeat_decision=f"link:{first.pk}"))
    assert response.status_code == 302
    again = Case.objects.exclude(pk=first.pk).get()
    assert again.state == State.REPEAT_LINKED and again.repeat_of == first
    assert Event.objects.get(object_id=str(again.pk), action="register").new_values["repeat_choice"] == "link"


def test_art22_registrar_registers_a_new_matter_with_a_reason(client, demo_city):
    _login(client, "dengji_dc")
    first = _first(client)
    response = client.post(reverse("case_new"), _intake_data(repeat_decision=f"new:{first.pk}"))
    assert response.status_code == 400 and "与原事项不同" in response.content.decode()
    response = client.post(
        reverse("case_new"),
        _intake_data(repeat_decision=f"new:{first.pk}", repeat_reason="另一栋楼，另一个漏水点"),
    )
    assert response.status_code == 302
    again = Case.objects.exclude(pk=first.pk).get()
    assert again.state == State.REGISTERED and not again.is_repeat
    assert Event.objects.get(object_id=str(again.pk), action="register").reason == "另一栋楼，另一个漏水点"


def test_art22_received_date_from_the_form_starts_the_clock(client, demo_city):
    _login(client, "dengji_dc")
    arrived = timezone.localdate() - timedelta(days=2)
    response = client.post(reverse("case_new"), _intake_data(arrived_on=arrived.isoformat()))
    assert response.status_code == 302
    case = Case.objects.get()
    assert Clock.objects.get(case=case, kind="registration").started_on == arrived
    response = client.post(
        reverse("case_new"),
        _intake_data(
            arrived_on=(timezone.localdate() - timedelta(days=60)).isoformat(), request="另一件事：路灯不亮"
        ),
    )
    assert response.status_code == 400 and Case.objects.count() == 1
    assert "补登" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_registrar_sees_repeat_before_saving_and_chooses(page, demo_city, shots):
    from xinfang.cases.models import Category
    from xinfang.cases.tests.factories import register, registrar

    Category.objects.get_or_create(code="urban_rural", defaults={"name": "城乡建设"})
    from xinfang.cases.services import PetitionerInput

    first = register(
        by=registrar(),
        petitioners=[PetitionerInput(name="钱六二", id_number=valid_id(62), phone="13900000062")],
        request="东华街道幸福小区6号楼屋顶漏水三年，物业和开发商互相推诿，请求责令维修。",
    ).case
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill("dengji_dc")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    page.goto(page.base_url + "/cases/new/")
    page.get_by_label("信访类型").select_option(label="申诉求决类")
    page.get_by_label("问题属地").select_option(value=str(first.problem_region_id))
    page.get_by_label("身份证号码").fill(valid_id(62))
    page.get_by_label("联系电话").fill("13900000062")
    page.get_by_label("姓名（名称）").fill("钱六二")
    page.get_by_label("信访诉求").fill("幸福小区6号楼屋顶还在漏水，物业开发商互相推诿，请求责令维修。")
    page.get_by_label("标题").focus()
    page.get_by_test_id("repeat-candidate").wait_for()
    assert first.number in page.get_by_test_id("repeat-candidates").inner_text()
    page.screenshot(path=str(shots / "20-repeat-before-saving.png"), full_page=True)
    assert Case.objects.count() == 1  # nothing saved yet
    page.get_by_test_id("choose-link").check()
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    again = Case.objects.exclude(pk=first.pk).get()
    assert again.repeat_of_id == first.pk and again.state == State.REPEAT_LINKED
