"""身份证号码: the birth date in it is checked against the office's day (Asia/Shanghai), not the server's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from xinfang.people.validators import id_number_check_char, validate_id_number


def _id(born: str) -> str:
    first17 = f"110101{born}123"
    return first17 + id_number_check_char(first17)


@time_machine.travel(datetime(2026, 12, 3, 17, 0, tzinfo=UTC), tick=False)  # 4 December, 01:00 in Beijing
def test_a_child_born_today_in_beijing_is_valid_while_the_utc_date_is_still_yesterday():
    validate_id_number(_id("20261204"))  # born "today": the office's day
    with pytest.raises(ValidationError) as refused:
        validate_id_number(_id("20261205"))  # tomorrow: no one is born yet
    assert refused.value.code == "id_birthdate"


def test_checksum_and_format_errors_have_their_codes():
    good = _id("19800101")
    validate_id_number(good.lower())  # an x is read as X
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as wrong:
        validate_id_number(bad_check)
    assert wrong.value.code == "id_checksum"
    with pytest.raises(ValidationError) as short:
        validate_id_number(good[:15])
    assert short.value.code == "id_format"
