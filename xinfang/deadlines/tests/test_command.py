from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

from xinfang.deadlines.models import CalendarDay, CalendarYear


def run(*args: str) -> tuple[list[str], str]:
    out, err = StringIO(), StringIO()
    call_command("deadline", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


@pytest.mark.django_db
def test_first_line_is_the_iso_due_date() -> None:
    # 2026-09-25(五, 中秋) + 15 = 10-10(六), a 调休 Saturday.
    lines, err = run("--start", "2026-09-25", "--days", "15")
    assert lines[0] == "2026-10-10"
    assert any("调休上班日" in line for line in lines)
    assert lines[-1] == "超出已知日历：否"
    assert err == ""


@pytest.mark.django_db
def test_working_days_and_rollover_explained() -> None:
    lines, _ = run("--start", "2024-09-27", "--days", "5", "--working")
    assert lines[0] == "2024-10-10"
    assert any("跳过国庆节假期" in line for line in lines)
    lines, _ = run("--start", "2024-09-20", "--days", "15")
    assert lines[0] == "2024-10-08"
    assert any("第二百零三条" in line for line in lines)


@pytest.mark.django_db
def test_extension_and_pause_options() -> None:
    assert run("--start", "2024-08-02", "--days", "60", "--extension", "30")[0][0] == "2024-10-31"
    assert run("--start", "2025-03-03", "--days", "30", "--paused", "10")[0][0] == "2025-04-14"


@pytest.mark.django_db
def test_beyond_known_calendar_is_flagged_then_known() -> None:
    lines, err = run("--start", "2026-12-17", "--days", "15")
    assert lines[0] == "2027-01-01"
    assert lines[-1] == "超出已知日历：是"
    assert "2027年" in err
    CalendarDay.objects.create(date="2027-01-01", kind="holiday", name="元旦")
    CalendarYear.objects.create(year=2027, complete=True)
    lines, err = run("--start", "2026-12-17", "--days", "15")
    assert lines[0] == "2027-01-04"
    assert lines[-1] == "超出已知日历：否"


@pytest.mark.django_db
def test_count_working_days_only_setting(settings: Settings) -> None:
    settings.XINFANG_COUNT_WORKING_DAYS_ONLY = True
    # 2024-09-27 + 15 working days: 09-29(调休), 09-30, 10-08..10-12(调休) = 7, 10-14..18 = 12, 10-21..23 = 15.
    lines, _ = run("--start", "2024-09-27", "--days", "15")
    assert lines[0] == "2024-10-23"
    assert any("XINFANG_COUNT_WORKING_DAYS_ONLY" in line for line in lines)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-13-01", "--days", "15"], "YYYY-MM-DD"),
        (["--start", "yesterday", "--days", "15"], "YYYY-MM-DD"),
        (["--start", "2026-09-25", "--days", "abc"], "整数"),
        (["--start", "2026-09-25", "--days", "-3"], "负数"),
        (["--start", "2026-09-25", "--days", "0"], "正整数"),
        (["--start", "2026-09-25", "--days", "5", "--working", "--paused", "2"], "pauses"),
        (["--days", "15"], "--start"),
    ],
)
def test_bad_input_is_a_command_error(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
