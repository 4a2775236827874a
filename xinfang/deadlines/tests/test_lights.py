from __future__ import annotations

from datetime import date

import pytest
from pytest_django.fixtures import Settings

from xinfang.deadlines.lights import Light, days_left_text, light_for

DUE = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("today", "light", "text"),
    [
        (date(2026, 2, 1), Light.GREEN, "还剩37天"),
        (date(2026, 3, 6), Light.GREEN, "还剩4天"),  # 4 days left: still green
        (date(2026, 3, 7), Light.YELLOW, "还剩3天"),  # 3 days left: yellow
        (date(2026, 3, 9), Light.YELLOW, "还剩1天"),
        (date(2026, 3, 10), Light.RED, "今日到期"),  # the due date itself is red
        (date(2026, 3, 11), Light.RED, "已逾期1天"),
        (date(2026, 3, 12), Light.RED, "已逾期2天"),
    ],
)
def test_light_boundaries(today: date, light: Light, text: str) -> None:
    assert light_for(due=DUE, today=today, yellow_days=3) is light
    assert days_left_text(due=DUE, today=today) == text


def test_yellow_threshold_from_setting(settings: Settings) -> None:
    settings.XINFANG_YELLOW_DAYS = 5
    assert light_for(due=DUE, today=date(2026, 3, 5)) is Light.YELLOW  # 5 left
    assert light_for(due=DUE, today=date(2026, 3, 4)) is Light.GREEN  # 6 left
    # An explicit argument wins over the setting.
    assert light_for(due=DUE, today=date(2026, 3, 5), yellow_days=3) is Light.GREEN
    del settings.XINFANG_YELLOW_DAYS
    assert light_for(due=DUE, today=date(2026, 3, 7)) is Light.YELLOW  # default 3
    assert light_for(due=DUE, today=date(2026, 3, 6)) is Light.GREEN


def test_light_labels_are_chinese() -> None:
    assert Light.RED.label == "红灯"
    assert Light("yellow") is Light.YELLOW


@pytest.mark.parametrize(
    ("today", "text"),
    [
        (date(2026, 3, 7), "3 days left"),
        (date(2026, 3, 9), "1 day left"),
        (date(2026, 3, 10), "Due today"),
        (date(2026, 3, 11), "1 day overdue"),
        (date(2026, 3, 12), "2 days overdue"),
    ],
)
def test_light_words_in_english(today: date, text: str) -> None:
    from django.utils import translation

    with translation.override("en"):
        assert days_left_text(due=DUE, today=today) == text
