"""The daily ledger (每日交账销账) on real cases: lights move with the calendar, items are cleared with a
note, uncleared ones roll over, the cron command is idempotent and sends each digest once."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import officer, register, registrar
from xinfang.cases.workflow import ClockKind
from xinfang.core.errors import PermissionDenied, ValidationFailed
from xinfang.core.events import events_for
from xinfang.core.notify import LocmemSmsBackend
from xinfang.deadlines.lights import Light
from xinfang.deadlines.models import Clock, LedgerDay, LedgerItem, LedgerNotice
from xinfang.deadlines.selectors import (
    ledger_items_for_body,
    ledger_oversight,
    light_counts_for_body,
    open_clocks_for_body,
)
from xinfang.deadlines.services import ledger_build, ledger_clear
from xinfang.orgs.models import Body, User

pytestmark = pytest.mark.django_db

# Registered on Monday 2026-03-02: the 15-day registration clock (Art. 22) is due Tuesday 03-17.
REGISTERED = "2026-03-02 09:00 +0800"
DUE = date(2026, 3, 17)
YELLOW_DAY = date(2026, 3, 14)  # 3 days left


def _at(day: date, hour: int = 9):
    return time_machine.travel(f"{day.isoformat()} {hour:02d}:00 +0800", tick=False)


@pytest.fixture
def registered(demo_city):
    with time_machine.travel(REGISTERED, tick=False):
        reg = registrar()
        case = register(by=reg).case
    clock = Clock.objects.get(case=case, kind=ClockKind.REGISTRATION)
    assert clock.due_on == DUE and clock.body.code == "990101-xinfang"
    return reg, case, clock


def _uncleared(body, day: date) -> list[LedgerItem]:
    return [i for i in ledger_items_for_body(body=body, day=day) if not i.is_cleared]


def test_item_turns_yellow_then_red_is_cleared_and_disappears(registered):
    reg, case, clock = registered
    body = clock.body

    with _at(date(2026, 3, 10)):
        assert [c.light for c in open_clocks_for_body(body=body)] == [Light.GREEN]
        assert ledger_build(day=date(2026, 3, 10)).items_created == 0

    with _at(YELLOW_DAY):
        assert [c.light for c in open_clocks_for_body(body=body)] == [Light.YELLOW]
        assert light_counts_for_body(body=body) == {"green": 0, "yellow": 1, "red": 0}
        ledger_build(day=YELLOW_DAY)
        (yellow,) = _uncleared(body, YELLOW_DAY)
        assert yellow.light == Light.YELLOW and yellow.clock_id == clock.pk
        ledger_clear(item=yellow, actor=reg, note="已联系住建局，明日转送")

    with _at(DUE):
        assert light_counts_for_body(body=body) == {"green": 0, "yellow": 0, "red": 1}
        ledger_build(day=DUE)
        (red,) = _uncleared(body, DUE)
        # Cleared yesterday, so today's red item is a fresh one, not a roll-over.
        assert red.light == Light.RED and red.rolled_over_from_id is None
        cleared = ledger_clear(item=red, actor=reg, note="今日已转送东城区住建局")
        assert _uncleared(body, DUE) == []
        assert cleared.cleared_by == reg.user and cleared.cleared_note == "今日已转送东城区住建局"
        assert [e.action for e in events_for(cleared)] == ["ledger_clear"]
        # Once the clock stops, the case leaves the lists and tomorrow's ledger.
        case_act(case=case, actor=reg, action="transfer", target_body=Body.objects.get(code="990101-housing"))
    assert open_clocks_for_body(body=body, today=date(2026, 3, 18)) == []
    assert ledger_build(day=date(2026, 3, 18)).items_created == 0


def test_uncleared_item_rolls_over_until_its_clock_stops(registered):
    reg, case, clock = registered
    ledger_build(day=YELLOW_DAY)
    first = LedgerItem.objects.get(ledger_day__date=YELLOW_DAY)
    # No ledger on Sunday 03-15 (the cron missed it): Monday's build still carries Saturday's item.
    stats = ledger_build(day=date(2026, 3, 16))
    assert stats.rolled_over == 1
    second = LedgerItem.objects.get(ledger_day__date=date(2026, 3, 16))
    assert second.rolled_over_from == first and second.light == Light.YELLOW

    supervisor = Body.objects.get(code="990100-xinfang")
    (row,) = [r for r in ledger_oversight(supervisor_body=supervisor, day=date(2026, 3, 16)) if r.body_id]
    assert (row.body_name, row.uncleared, row.rolled_over) == (clock.body.name, 1, 1)

    with _at(date(2026, 3, 16)):
        case_act(case=case, actor=reg, action="transfer", target_body=Body.objects.get(code="990101-housing"))
    assert ledger_build(day=date(2026, 3, 17)).items_created == 0
    assert not LedgerItem.objects.filter(ledger_day__date=date(2026, 3, 17)).exists()


def test_petitioner_request_window_is_listed_but_never_on_the_ledger(registered):
    _, case, clock = registered
    Clock.objects.create(
        case=case,
        kind=ClockKind.REVIEW_REQUEST,
        body=clock.body,
        is_window=True,
        started_on=date(2026, 3, 1),
        days=30,
        due_on=YELLOW_DAY,
    )
    rows = open_clocks_for_body(body=clock.body, today=YELLOW_DAY)
    assert [(r.kind, r.light, r.counts) for r in rows] == [
        (ClockKind.REVIEW_REQUEST, Light.RED, False),
        (ClockKind.REGISTRATION, Light.YELLOW, True),
    ]
    assert light_counts_for_body(body=clock.body, today=YELLOW_DAY)["red"] == 0
    ledger_build(day=YELLOW_DAY)
    assert list(LedgerItem.objects.values_list("clock__kind", flat=True)) == [ClockKind.REGISTRATION]


def test_clearing_needs_a_note_and_the_items_own_body(registered):
    reg, _, _ = registered
    ledger_build(day=YELLOW_DAY)
    item = LedgerItem.objects.get()
    with pytest.raises(ValidationFailed) as empty:
        ledger_clear(item=item, actor=reg, note="   ")
    assert "销账说明" in empty.value.message
    with pytest.raises(PermissionDenied):
        ledger_clear(item=item, actor=officer("990101-housing"), note="不是我们的")
    item.refresh_from_db()
    assert item.cleared_at is None


def test_command_is_idempotent_and_notices_go_once(registered):
    reg, _, clock = registered
    User.objects.filter(pk=reg.user.pk).update(email="dengji@example.cn", phone="13800001111")
    User.objects.filter(username="dengji_dc").update(email="li@example.cn", phone="")
    sms_before = len(LocmemSmsBackend.sent)

    def run() -> str:
        out = StringIO()
        call_command("ledger_build", "--date", YELLOW_DAY.isoformat(), stdout=out)
        return out.getvalue()

    first = run()
    assert "新增 1 项" in first and "邮件 2 封，短信 1 条" in first
    assert sorted(m.to[0] for m in mail.outbox) == ["dengji@example.cn", "li@example.cn"]
    assert "黄灯1项" in mail.outbox[0].body and clock.body.name in mail.outbox[0].subject
    assert LocmemSmsBackend.sent[sms_before:][0].phone == "13800001111"

    second = run()
    assert "新增 0 项" in second and "邮件 0 封，短信 0 条" in second
    assert len(mail.outbox) == 2 and len(LocmemSmsBackend.sent) == sms_before + 1
    assert LedgerDay.objects.count() == 1 and LedgerItem.objects.count() == 1
    assert LedgerNotice.objects.count() == 3


class TestPages:
    def _login(self, client, actor):
        client.force_login(actor.user)

    def test_ledger_page_and_inline_clear(self, registered, client, django_assert_max_num_queries):
        reg, case, _ = registered
        ledger_build(day=YELLOW_DAY)
        item = LedgerItem.objects.get()
        self._login(client, reg)
        with _at(YELLOW_DAY):
            with django_assert_max_num_queries(12):
                page = client.get(reverse("deadlines:ledger"))
            html = page.content.decode()
            assert page.status_code == 200
            assert case.number in html and "黄灯" in html and "未销账 1 项" in html

            url = reverse("deadlines:clear", args=[item.pk])
            too_long = "已" * 501
            bad = client.post(url, {"note": too_long}, HTTP_HX_REQUEST="true")
            assert bad.status_code == 200
            assert "不能超过500字" in bad.content.decode() and too_long in bad.content.decode()
            empty = client.post(url, {"note": ""}, HTTP_HX_REQUEST="true")
            assert "请填写销账说明" in empty.content.decode()

            good = client.post(url, {"note": "已电话联系信访人"}, HTTP_HX_REQUEST="true")
            assert good.status_code == 200 and "已销账" in good.content.decode()
            assert "<html" not in good.content.decode()  # a row for htmx to swap, not a page
            assert "未销账 0 项" in client.get(reverse("deadlines:ledger")).content.decode()

    def test_another_bodys_user_cannot_clear_by_url(self, registered, client):
        ledger_build(day=YELLOW_DAY)
        item = LedgerItem.objects.get()
        self._login(client, officer("990101-housing"))
        response = client.post(reverse("deadlines:clear", args=[item.pk]), {"note": "篡改"})
        # Another body's item is not found (issue #9): the same answer as a pk that does not exist.
        assert response.status_code == 404 and item.clock.case.number not in response.content.decode()
        item.refresh_from_db()
        assert item.cleared_at is None

    def test_oversight_lists_bodies_and_drills_in(self, registered, client, django_assert_max_num_queries):
        _, case, clock = registered
        ledger_build(day=YELLOW_DAY)
        ledger_build(day=date(2026, 3, 16))
        client.force_login(User.objects.get(username="ducha"))
        with _at(date(2026, 3, 16)):
            with django_assert_max_num_queries(10):
                page = client.get(reverse("deadlines:oversight"))
            html = page.content.decode()
            assert page.status_code == 200 and clock.body.name in html
            assert "未销账合计 1 项，其中结转 1 项" in html
            with django_assert_max_num_queries(12):
                drill = client.get(reverse("deadlines:oversight_body", args=[clock.body.pk]))
            assert drill.status_code == 200 and case.number in drill.content.decode()
            assert "销账说明" not in drill.content.decode()  # read-only for the supervisor

        client.force_login(User.objects.get(username="chengban_dc"))
        assert client.get(reverse("deadlines:oversight")).status_code == 403


def test_a_lapsed_objection_window_is_no_ones_red_item(demo_city):
    """The 5-working-day window to object (Art. 23) is the agency's right; when it passes, the right is gone
    and nobody is late — it must not sit on the ledger as an overdue item."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from xinfang.cases.services import case_act
    from xinfang.cases.tests.factories import officer, register, registrar
    from xinfang.deadlines.models import Clock, LedgerItem
    from xinfang.deadlines.services import ledger_build
    from xinfang.orgs.models import Body

    reg = registrar()
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        case = register(by=reg).case
        case = case_act(
            case=case, actor=reg, action="transfer", target_body=Body.objects.get(code="990101-housing")
        )
        case = case_act(case=case, actor=officer(), action="receive")
    objection = Clock.objects.get(case=case, kind="objection")
    assert objection.is_open and objection.due_on < timezone.localdate()
    ledger_build(day=timezone.localdate())
    kinds = set(LedgerItem.objects.filter(clock__case=case).values_list("clock__kind", flat=True))
    assert "objection" not in kinds
