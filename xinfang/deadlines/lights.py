"""Deadline lights (灭红灯, docs/domain.md §5): green while there is time, yellow near the end, red on the day."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, ngettext

__all__ = [
    "DEFAULT_YELLOW_DAYS",
    "Light",
    "days_left",
    "days_left_text",
    "light_counts_of",
    "light_for",
    "yellow_days_setting",
]

DEFAULT_YELLOW_DAYS = 3


class Light(models.TextChoices):
    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"


def yellow_days_setting() -> int:
    return int(getattr(settings, "XINFANG_YELLOW_DAYS", DEFAULT_YELLOW_DAYS))


def days_left(*, due: date, today: date) -> int:
    """Calendar days from today to the due date: 0 on the due date, negative once overdue."""
    return (due - today).days


def light_for(*, due: date, today: date, yellow_days: int | None = None) -> Light:
    """Red on the due date itself: the due date is the last day to act, so it already needs 销账 today.

    ``yellow_days`` defaults to the deployment's XINFANG_YELLOW_DAYS (3 unless configured).
    """
    threshold = yellow_days_setting() if yellow_days is None else yellow_days
    left = days_left(due=due, today=today)
    if left <= 0:
        return Light.RED
    if left <= threshold:
        return Light.YELLOW
    return Light.GREEN


def days_left_text(*, due: date, today: date) -> str:
    """What a light says in words, in the request's language ("还剩3天" / "3 days left")."""
    left = days_left(due=due, today=today)
    if left > 0:
        return ngettext("还剩%(n)s天", "还剩%(n)s天", left) % {"n": left}
    if left == 0:
        return gettext("今日到期")
    return ngettext("已逾期%(n)s天", "已逾期%(n)s天", -left) % {"n": -left}


LIGHT_ORDER = ("red", "yellow", "green")  # the order of ascending due dates


def light_counts_of(dues: list[date], *, today: date, cap: int) -> tuple[dict[str, str], bool]:
    """Counts per light, as shown ("12", "1,000+", or "" when not counted), of the first due dates of a list
    read in ascending order, at most cap + 1 of them (a LIMIT on a (…, due_on) index, never a COUNT over the
    scope): red ones come first, then yellow, then green, so each light is exact until the cap is reached;
    the light where it is reached shows "n+", those after it "". Also says whether the cap was reached."""
    capped = len(dues) > cap
    n = dict.fromkeys(LIGHT_ORDER, 0)
    last = None
    for due in dues[:cap]:
        last = light_for(due=due, today=today).value
        n[last] += 1
    if not capped:
        return {light: f"{n[light]:,}" for light in LIGHT_ORDER}, False
    reached = LIGHT_ORDER.index(last) if last else 0
    out = {}
    for i, light in enumerate(LIGHT_ORDER):
        out[light] = f"{n[light]:,}" if i < reached else (f"{n[light]:,}+" if i == reached else "")
    return out, True
