"""Every legal period and legal limit in one table.

A newcomer changes a period here and nowhere else: the clocks (`cases/workflow.py` ClockStart rows),
the notices and documents (their templates receive `period`), the portal's sentences and the docs read
this table. Local practice that an administrator may change without code names the setting that
overrides the shipped default (`setting`); the law's own periods have none.

Counting follows 民法典 Art. 201/203 (`deadlines/calendar.py`): the start day is not counted, a last
day on a 法定休假日 moves to the next working day, working-day periods count working days only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

TIAOLI = "《信访工作条例》"
MEDIATION_LAW = "《中华人民共和国人民调解法》"
RECONSIDERATION_LAW = "《中华人民共和国行政复议法》"


@dataclass(frozen=True)
class LegalPeriod:
    key: str
    days: int
    working: bool  # counted in working days (工作日) rather than calendar days (日)
    starts_on: str  # the day after which counting begins, as the law words it
    article: str  # "第二十二条" — the article within `law`
    law: str = TIAOLI
    label: str = ""
    setting: str | None = None  # a setting that overrides `days` (local practice) — None for the law's own

    @property
    def citation(self) -> str:
        return f"{self.law}{self.article}"

    def current_days(self) -> int:
        """The number of days in force: the setting when local practice overrides the default."""
        value = getattr(settings, self.setting, None) if self.setting else None
        return self.days if value is None else int(value)


_ROWS = (
    LegalPeriod("registration", 15, False, "信访部门收到信访事项之日", "第二十二条", label="登记处理期限"),
    LegalPeriod("acceptance", 15, False, "收到信访事项之日", "第二十三条", label="受理告知期限"),
    LegalPeriod("objection", 5, True, "收到转送、交办事项之日", "第二十三条第三款", label="异议期限"),
    LegalPeriod("handling", 60, False, "受理之日", "第三十四条", label="办理期限"),
    LegalPeriod("extension_max", 30, False, "原办理期限届满之日", "第三十四条", label="延长期限上限"),
    LegalPeriod("review_request", 30, False, "收到书面答复之日", "第三十五条", label="复查申请期限"),
    LegalPeriod("review_decision", 30, False, "收到复查请求之日", "第三十五条", label="复查期限"),
    LegalPeriod("rereview_request", 30, False, "收到复查书面答复之日", "第三十六条", label="复核申请期限"),
    LegalPeriod("rereview_decision", 30, False, "收到复核请求之日", "第三十六条", label="复核期限"),
    # Local practice (docs/domain.md "Clocks"): the petitioner's window to evaluate an answer.
    LegalPeriod(
        "evaluation",
        30,
        False,
        "收到答复之日",
        "",
        law="本地规定",
        label="评价期限",
        setting="XINFANG_EVALUATION_WINDOW_DAYS",
    ),
    # 人民调解法 Art. 33: both parties may apply jointly for 司法确认 within 30 days of the agreement.
    LegalPeriod(
        "judicial_confirmation",
        30,
        False,
        "调解协议生效之日",
        "第三十三条",
        law=MEDIATION_LAW,
        label="司法确认申请期限",
    ),
    # Local practice (seed report): the body's written reply to a 督办 (Art. 40 names no period).
    LegalPeriod(
        "supervision_reply",
        5,
        True,
        "收到督办之日",
        "第四十条",
        label="督办回复期限",
        setting="XINFANG_SUPERVISION_REPLY_DAYS",
    ),
    # Local practice: the written feedback on an Art. 40 建议 (¶4 requires it, names no period).
    LegalPeriod(
        "recommendation_feedback",
        30,
        False,
        "收到建议之日",
        "第四十条第四款",
        label="建议采纳情况反馈期限",
        setting="XINFANG_RECOMMENDATION_FEEDBACK_DAYS",
    ),
    # Local practice: a body's 整改 after a failed quality review (质效评价, docs/quality.md). Art. 39 ¶3 has the
    # joint conference order 限期整改 but names no period; the seed report's committee sets one per review.
    LegalPeriod(
        "rectification",
        30,
        False,
        "收到整改通知之日",
        "第三十九条第三款",
        label="整改期限",
        setting="XINFANG_RECTIFICATION_DAYS",
    ),
    # Not a 信访 period: the portal tells a petitioner who should apply for 行政复议 instead (Art. 20 of that
    # law: within 60 days of knowing the decision).
    LegalPeriod(
        "administrative_reconsideration",
        60,
        False,
        "知道行政行为之日",
        "第二十条",
        law=RECONSIDERATION_LAW,
        label="行政复议申请期限",
    ),
)

PERIODS: dict[str, LegalPeriod] = {p.key: p for p in _ROWS}


def period(key: str) -> LegalPeriod:
    return PERIODS[key]


def period_days() -> dict[str, int]:
    """The days in force by key, for templates and messages: `{{ periods.handling }}`."""
    return {key: p.current_days() for key, p in PERIODS.items()}


def periods_context(request=None) -> dict[str, dict[str, int]]:
    """Context processor: every page can say a period (`{{ periods.review_request }}`) without a literal."""
    return {"periods": period_days()}


# Limits that are not periods, each with its article.
GROUP_VISIT_MAX_REPRESENTATIVES = 5  # 条例 Art. 20: 代表人数不得超过5人
