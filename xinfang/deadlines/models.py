"""The administrator-entered work calendar: the State Council schedule for years the package lacks.

The State Council publishes each year's holiday schedule (with its 调休 make-up working days) late in
the previous year; ``chinesecalendar`` only knows the years up to its release. An administrator enters
the new year's days here and then marks the year complete; until then any deadline that reaches into
that year is flagged (see ``xinfang.deadlines.calendar``). Entered days also override the package, to
correct it or to add a local holiday.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from xinfang.deadlines.calendar import DayKind


class CalendarDay(models.Model):
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField(
        "节日名称", max_length=50, blank=True, help_text="如“春节”“国庆节”；调休上班日填所属节日"
    )
    note = models.CharField("备注", max_length=200, blank=True, help_text="如发文字号：国办发明电〔2026〕×号")

    class Meta:
        ordering = ["date"]
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".rstrip()


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(
        "年份", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    # Declared by a person, not inferred from the rows: a year with only Spring Festival entered looks
    # plausible and would silently mis-date every deadline that meets its National Day.
    complete = models.BooleanField(
        "已完整录入",
        default=False,
        help_text="该年度全部放假与调休上班日均已录入后再勾选；未勾选的年度期限将被标记",
    )

    class Meta:
        ordering = ["year"]
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"

    def __str__(self) -> str:
        return f"{self.year}年（{'已完整录入' if self.complete else '未完整录入'}）"
