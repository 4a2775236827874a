"""Regions, bodies (信访部门, agencies, 政法部门, 纪检监察机关), users and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_noop

from xinfang.core.i18n import shown_choices


class RegionLevel(models.TextChoices):
    PROVINCE = "province", gettext_noop("省")
    CITY = "city", gettext_noop("市")
    COUNTY = "county", gettext_noop("县区")
    TOWNSHIP = "township", gettext_noop("乡镇/街道")


LEVEL_ORDER = [RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP]


class Region(models.Model):
    code = models.CharField("区划代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=shown_choices(RegionLevel.choices))
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path ("/440100/440103/") so that "everything under X" is one indexed prefix query.
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "/") + f"{self.code}/"
        super().save(*args, **kwargs)


class BodyKind(models.TextChoices):
    XINFANG = "xinfang", gettext_noop("信访部门")
    GOVERNMENT = "government", gettext_noop("人民政府")
    AGENCY = "agency", gettext_noop("职能部门/单位")
    POLITICS_LAW = "politics_law", gettext_noop("政法部门")
    DISCIPLINE = "discipline", gettext_noop("纪检监察机关")


class Body(models.Model):
    """A 机关/单位 that registers, handles or supervises petitions."""

    code = models.CharField("机构编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类别", max_length=20, choices=shown_choices(BodyKind.choices))
    # The line of work ("housing", "labour", …) links a county bureau to its city counterpart and lets
    # routing rules name a sector instead of a body.
    sector = models.CharField("行业/系统", max_length=40, blank=True, db_index=True)
    region = models.ForeignKey(
        Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="bodies"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=500, db_index=True, editable=False)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "机关单位"
        verbose_name_plural = "机关单位"
        ordering = ["code"]
        indexes = [models.Index(fields=["region", "kind", "sector"], name="body_region_kind_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "/") + f"{self.code}/"
        super().save(*args, **kwargs)

    @property
    def level(self) -> str:
        return self.region.level


class Role(models.TextChoices):
    REGISTRAR = "registrar", gettext_noop("登记员")
    CASE_OFFICER = "case_officer", gettext_noop("承办人")
    AGENCY_HEAD = "agency_head", gettext_noop("审核/负责人")
    LEADER = "leader", gettext_noop("领导")
    SUPERVISOR = "supervisor", gettext_noop("督查员")
    EVALUATOR = "evaluator", gettext_noop("评价委员")
    MEDIATOR = "mediator", gettext_noop("调解员/律师/心理咨询师")
    ADMINISTRATOR = "administrator", gettext_noop("管理员")


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def get_full_name(self) -> str:
        return self.display_name or super().get_full_name() or self.username


class Membership(models.Model):
    """A user's role at one body. A user may hold several; they pick the body they act for at login."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships")
    body = models.ForeignKey(
        Body, verbose_name="机关单位", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("角色", max_length=20, choices=shown_choices(Role.choices))

    class Meta:
        verbose_name = "岗位角色"
        verbose_name_plural = "岗位角色"
        constraints = [models.UniqueConstraint(fields=["user", "body", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.body} · {self.get_role_display()}"
