"""Petitioners, kept once and reused across cases (一人一档)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop

from xinfang.core.i18n import shown_choices
from xinfang.core.models import TimeStampedModel
from xinfang.people.validators import validate_id_number, validate_phone


class PersonKind(models.TextChoices):
    PERSON = "person", gettext_noop("自然人")
    ORGANISATION = "organisation", gettext_noop("法人或其他组织")


class Person(TimeStampedModel):
    kind = models.CharField(
        "类别", max_length=20, choices=shown_choices(PersonKind.choices), default=PersonKind.PERSON
    )
    name = models.CharField("姓名（名称）", max_length=100)
    # Unique when present; NULL for people who gave none (anonymous 检举控告, some phone calls).
    id_number = models.CharField(
        "身份证号码", max_length=18, null=True, blank=True, unique=True, validators=[validate_id_number]
    )
    phone = models.CharField(
        "联系电话", max_length=20, blank=True, db_index=True, validators=[validate_phone]
    )
    address = models.CharField("住址", max_length=200, blank=True)
    email = models.EmailField("电子邮箱", blank=True)

    class Meta:
        verbose_name = "信访人"
        verbose_name_plural = "信访人"
        indexes = [models.Index(fields=["name", "phone"], name="person_name_phone_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def email_masked(self) -> str:
        return mask_email(self.email)


def mask_id_number(value: str) -> str:
    return f"{value[:3]}***********{value[-4:]}" if len(value) == 18 else ("***" if value else "")


def mask_email(value: str) -> str:
    """zhang@example.cn → zh***@example.cn (the domain stays: it says which mailbox, not whose)."""
    local, at, domain = (value or "").partition("@")
    return f"{local[:2]}***@{domain}" if at else ("***" if value else "")


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 7 else ("***" if value else "")
