"""Writes for the daily ledger (每日交账销账): building a day's items, clearing them, sending the digests."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.core.errors import Conflict, PermissionDenied, ValidationFailed
from xinfang.core.events import event_record
from xinfang.core.notify import email_send, sms_send
from xinfang.deadlines.lights import Light, light_for, yellow_days_setting
from xinfang.deadlines.models import LedgerDay, LedgerItem, LedgerNotice
from xinfang.deadlines.selectors import counted_clocks, light_q
from xinfang.orgs.models import Membership, Role, User

log = logging.getLogger("xinfang.deadlines")

__all__ = ["LedgerBuildStats", "LedgerNoticeStats", "ledger_build", "ledger_clear", "ledger_notify"]

NOTE_MAX = 500
# Who gets the digest: the people who act on the body's cases, not evaluators or mediators it hosts.
NOTIFIED_ROLES = frozenset({Role.REGISTRAR, Role.CASE_OFFICER, Role.AGENCY_HEAD, Role.LEADER})


@dataclass(frozen=True)
class LedgerBuildStats:
    day: date
    bodies: int
    days_created: int
    items_created: int
    rolled_over: int
    yellow: int
    red: int


@transaction.atomic
def ledger_build(*, day: date) -> LedgerBuildStats:
    """Put every yellow and red clock of every body on `day`'s ledger. Building the same day again adds
    only what is new (a clock that turned yellow since), so cron may run it as often as it likes.

    Roll-over: an item left uncleared on the last ledger before `day` whose clock is still open comes
    back linked to it (even if a 延期 has turned the clock green since: the 销账 is still owed). An item
    whose clock has stopped is not carried. The last ledger, not strictly yesterday, so that a day the
    cron missed loses nothing.
    """
    yellow_days = yellow_days_setting()
    wanted: dict[int, tuple[int, date]] = {}  # clock_id -> (body_id, due_on)
    for clock_id, body_id, due_on in (
        counted_clocks()
        .filter(light_q(Light.RED, today=day) | light_q(Light.YELLOW, today=day))
        .values_list("id", "body_id", "due_on")
    ):
        wanted[clock_id] = (body_id, due_on)

    previous_date = LedgerDay.objects.filter(date__lt=day).aggregate(last=Max("date"))["last"]
    carried: dict[int, int] = {}  # clock_id -> previous item id
    if previous_date is not None:
        for item_id, clock_id, body_id, due_on in LedgerItem.objects.filter(
            ledger_day__date=previous_date, cleared_at__isnull=True, clock__is_open=True
        ).values_list("id", "clock_id", "clock__body_id", "clock__due_on"):
            carried[clock_id] = item_id
            # The clock may have moved to another body (a review goes up a level): it is owed there now.
            wanted.setdefault(clock_id, (body_id, due_on))

    by_body: dict[int, list[int]] = defaultdict(list)
    for clock_id, (body_id, _) in wanted.items():
        by_body[body_id].append(clock_id)

    existing_days = {d.body_id: d for d in LedgerDay.objects.filter(date=day, body_id__in=list(by_body))}
    new_days = [LedgerDay(body_id=b, date=day) for b in by_body if b not in existing_days]
    LedgerDay.objects.bulk_create(new_days, ignore_conflicts=True)
    days = {d.body_id: d for d in LedgerDay.objects.filter(date=day, body_id__in=list(by_body))}
    already = set(LedgerItem.objects.filter(ledger_day__date=day).values_list("clock_id", flat=True))

    items = []
    for body_id, clock_ids in by_body.items():
        for clock_id in clock_ids:
            if clock_id in already:
                continue
            due_on = wanted[clock_id][1]
            items.append(
                LedgerItem(
                    ledger_day=days[body_id],
                    clock_id=clock_id,
                    light=light_for(due=due_on, today=day, yellow_days=yellow_days),
                    due_on=due_on,
                    rolled_over_from_id=carried.get(clock_id),
                )
            )
    LedgerItem.objects.bulk_create(items, ignore_conflicts=True)
    return LedgerBuildStats(
        day=day,
        bodies=len(by_body),
        days_created=len(new_days),
        items_created=len(items),
        rolled_over=sum(1 for i in items if i.rolled_over_from_id),
        yellow=sum(1 for i in items if i.light == Light.YELLOW),
        red=sum(1 for i in items if i.light == Light.RED),
    )


def ledger_clear(*, item: LedgerItem, actor, note: str) -> LedgerItem:
    """销账: the acting body says what it did about this item today. Only the item's own body may."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(gettext("请填写销账说明：今天对该事项做了什么。"), extra={"field": "note"})
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            gettext("销账说明不能超过%(n)s字。") % {"n": NOTE_MAX}, extra={"field": "note"}
        )
    with transaction.atomic():
        locked = LedgerItem.objects.select_for_update().select_related("ledger_day").get(pk=item.pk)
        if actor.body is None or actor.user is None or locked.ledger_day.body_id != actor.body.pk:
            raise PermissionDenied(gettext("只能为本机关的台账事项销账。"), code="ledger_not_own_body")
        if locked.cleared_at is not None:
            raise Conflict(gettext("该事项已销账。"), code="ledger_already_cleared")
        locked.cleared_at = timezone.now()
        locked.cleared_by = actor.user
        locked.cleared_note = note
        locked.save(update_fields=["cleared_at", "cleared_by", "cleared_note"])
        event_record(
            actor=actor.user,
            actor_label=actor.label,
            body=actor.body,
            obj=locked,
            action="ledger_clear",
            new={
                "date": locked.ledger_day.date,
                "clock": locked.clock_id,
                "light": locked.light,
                "note": note,
            },
        )
    return locked


@dataclass(frozen=True)
class LedgerNoticeStats:
    bodies: int
    emails: int
    sms: int


def _digest_text(day: LedgerDay, red: int, yellow: int, rolled: int) -> str:
    parts = [f"红灯{red}项", f"黄灯{yellow}项"]
    if rolled:
        parts.append(f"其中前日未销账结转{rolled}项")
    return (
        f"【每日交账】{day.body.name} {day.date.isoformat()}：{'，'.join(parts)}。"
        "请于今日登录信访系统“每日台账”逐项销账。"
    )


def ledger_notify(*, day: date) -> LedgerNoticeStats:
    """One digest per body per day to each of its people: email where they have an address, SMS where
    they have a phone. Each sent message is recorded before the next, so a rerun sends nothing twice."""
    sent_before = set(
        LedgerNotice.objects.filter(ledger_day__date=day).values_list("ledger_day_id", "user_id", "channel")
    )
    days = list(LedgerDay.objects.filter(date=day).select_related("body"))
    members: dict[int, dict[int, User]] = defaultdict(dict)
    for m in Membership.objects.filter(
        body_id__in=[d.body_id for d in days], role__in=NOTIFIED_ROLES, user__is_active=True
    ).select_related("user"):
        members[m.body_id][m.user_id] = m.user
    emails = sms = 0
    bodies: set[int] = set()
    for ledger_day in days:
        items = ledger_day.items.filter(cleared_at__isnull=True)
        red = items.filter(light=Light.RED).count()
        yellow = items.filter(light=Light.YELLOW).count()
        if not red and not yellow:
            continue
        rolled = items.filter(rolled_over_from__isnull=False).count()
        text = _digest_text(ledger_day, red, yellow, rolled)
        subject = f"每日交账提醒：{ledger_day.body.name} 红灯{red}项 黄灯{yellow}项"
        for user in members[ledger_day.body_id].values():
            for channel, address in (
                (LedgerNotice.Channel.EMAIL, user.email),
                (LedgerNotice.Channel.SMS, user.phone),
            ):
                if not address or (ledger_day.pk, user.pk, channel) in sent_before:
                    continue
                if channel == LedgerNotice.Channel.EMAIL:
                    email_send(to=[address], subject=subject, text=text)
                    emails += 1
                else:
                    sms_send(phone=address, text=text)
                    sms += 1
                LedgerNotice.objects.create(
                    ledger_day=ledger_day, user=user, channel=channel, address=address
                )
                bodies.add(ledger_day.body_id)
    log.info("ledger notices for %s: %d bodies, %d emails, %d sms", day, len(bodies), emails, sms)
    return LedgerNoticeStats(bodies=len(bodies), emails=emails, sms=sms)
