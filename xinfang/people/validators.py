"""Chinese resident ID numbers (GB 11643-1999) and phone numbers."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def id_number_check_char(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_id_number(value: str) -> None:
    value = normalize_id_number(value)
    if not _ID_RE.match(value):
        raise ValidationError(
            gettext("身份证号码应为18位，前17位为数字，最后一位为数字或X。"), code="id_format"
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(gettext("身份证号码中的出生日期无效。"), code="id_birthdate") from None
    if born.year < 1900 or born > timezone.localdate():
        raise ValidationError(gettext("身份证号码中的出生日期无效。"), code="id_birthdate")
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(gettext("身份证号码校验位不正确，请核对。"), code="id_checksum")


def normalize_phone(value: str) -> str:
    value = re.sub(r"[\s()（）]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    return value


def validate_phone(value: str) -> None:
    value = normalize_phone(value)
    if not (_MOBILE_RE.match(value) or _LANDLINE_RE.match(value)):
        raise ValidationError(
            gettext("电话号码格式不正确：手机为11位数字，固定电话如 0355-1234567。"), code="phone_format"
        )
