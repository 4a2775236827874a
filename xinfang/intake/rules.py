"""Petition type suggestion (条例 Art. 29–31) and the 涉法涉诉 flag (Art. 22, 28, 31).

Rules are *data*: keyword tables with a weight and the legal basis; the engine only counts hits.
Every suggestion carries its reasons, e.g. ``因为出现"举报"（检举控告类，条例第三十条）``.
An administrator can replace the tables (``suggest_type(text, table=...)``) without code changes.

Suggestions, not decisions: the registrar confirms or changes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .textprep import clean_text

__all__ = [
    "LEGAL_KEYWORDS",
    "PETITION_TYPES",
    "TYPE_KEYWORDS",
    "LegalFlag",
    "Rule",
    "TypeSuggestion",
    "flag_legal",
    "suggest_type",
]

JIANYI = "建议意见类"
JIANJU = "检举控告类"
SHENSU = "申诉求决类"
PETITION_TYPES = (JIANYI, JIANJU, SHENSU)
DEFAULT_TYPE = SHENSU  # most petitions ask for something to be solved (Art. 31)


@dataclass(frozen=True)
class Rule:
    keyword: str
    weight: float = 1.0
    basis: str = ""


# petition type → keyword rules. Weights: 3 = nearly decisive, 2 = strong, 1 = hint.
TYPE_KEYWORDS: Mapping[str, Sequence[Rule]] = {
    JIANYI: tuple(
        Rule(k, w, "条例第二十九条 建议意见类")
        for k, w in [
            ("建议", 2),
            ("意见", 1),
            ("提议", 2),
            ("倡议", 2),
            ("呼吁", 1.5),
            ("希望能", 1),
            ("能否", 1),
            ("可否", 1),
            ("是否可以", 1),
            ("应当增设", 2),
            ("增设", 1),
            ("增加", 0.5),
            ("完善", 1),
            ("改进", 1.5),
            ("优化", 1),
            ("献计", 3),
            ("金点子", 3),
            ("人民建议", 3),
            ("合理化", 2),
            ("规划", 0.5),
            ("开通", 0.5),
        ]
    ),
    JIANJU: tuple(
        Rule(k, w, "条例第三十条 检举控告类")
        for k, w in [
            ("举报", 3),
            ("检举", 3),
            ("控告", 3),
            ("揭发", 3),
            ("实名举报", 3),
            ("贪污", 3),
            ("受贿", 3),
            ("索贿", 3),
            ("行贿", 3),
            ("挪用", 2),
            ("侵占", 2),
            ("腐败", 3),
            ("违纪", 3),
            ("滥用职权", 3),
            ("玩忽职守", 3),
            ("以权谋私", 3),
            ("吃拿卡要", 3),
            ("徇私", 2),
            ("包庇", 2),
            ("保护伞", 3),
            ("黑恶", 2),
            ("违法", 1),
            ("违规", 1),
            ("非法", 1),
            ("偷排", 2),
            ("乱收费", 1.5),
            ("传销", 1.5),
            ("作风", 1),
            ("不作为", 1),
        ]
    ),
    SHENSU: tuple(
        Rule(k, w, "条例第三十一条 申诉求决类")
        for k, w in [
            ("申诉", 3),
            ("诉求", 1),
            ("求助", 2),
            ("请求", 1.5),
            ("恳请", 1.5),
            ("要求", 1),
            ("解决", 1.5),
            ("帮忙", 1),
            ("帮助", 1),
            ("讨薪", 3),
            ("欠薪", 3),
            ("拖欠", 2),
            ("工资", 1),
            ("补偿", 2),
            ("赔偿", 2),
            ("退还", 2),
            ("退款", 2),
            ("补贴", 1.5),
            ("落户", 1),
            ("办理", 1),
            ("维权", 2),
            ("噪音", 1),
            ("扰民", 1),
            ("漏水", 1),
            ("安置", 1.5),
            ("拆迁", 1),
            ("医保", 1),
            ("社保", 1),
            ("退休", 1),
            ("何时", 0.5),
        ]
    ),
}

# 涉法涉诉: matters in litigation, arbitration, administrative reconsideration, court judgments …
LEGAL_KEYWORDS: Sequence[Rule] = tuple(
    Rule(k, w, b)
    for k, w, b in [
        ("起诉", 3, "条例第三十一条第（一）项 诉讼程序"),
        ("诉讼", 3, "条例第三十一条第（一）项 诉讼程序"),
        ("立案", 1.5, "条例第三十一条第（一）项 诉讼/刑事立案程序"),
        ("判决", 3, "条例第三十一条第（一）项 审判机关"),
        ("裁定", 2, "条例第三十一条第（一）项 审判机关"),
        ("一审", 3, "条例第三十一条第（一）项 审判机关"),
        ("二审", 3, "条例第三十一条第（一）项 审判机关"),
        ("再审", 3, "条例第三十一条第（一）项 审判机关"),
        ("上诉", 3, "条例第三十一条第（一）项 审判机关"),
        ("法院", 2, "条例第三十一条第（一）项 审判机关"),
        ("法官", 2, "条例第三十一条第（一）项 审判机关"),
        ("执行款", 3, "条例第三十一条第（一）项 审判机关（执行）"),
        ("强制执行", 2, "条例第三十一条第（一）项 审判机关（执行）"),
        ("申请执行", 3, "条例第三十一条第（一）项 审判机关（执行）"),
        ("检察院", 2, "条例第三十一条第（一）项 检察机关"),
        ("抗诉", 3, "条例第三十一条第（一）项 检察机关法律监督"),
        ("公安机关不立案", 3, "条例第三十一条第（一）项 公安机关法律程序"),
        ("报警", 1, "条例第三十一条第（一）项 公安机关法律程序"),
        ("仲裁", 3, "条例第三十一条第（二）项 仲裁"),
        ("劳动仲裁", 3, "条例第三十一条第（二）项 仲裁"),
        ("仲裁裁决", 3, "条例第三十一条第（二）项 仲裁"),
        ("行政复议", 3, "条例第三十一条第（四）项 行政复议"),
        ("复议决定", 3, "条例第三十一条第（四）项 行政复议"),
        ("行政裁决", 3, "条例第三十一条第（四）项 行政裁决"),
        ("行政处罚决定", 2, "条例第三十一条第（四）项 行政处罚"),
        ("律师", 1, "条例第二十二条 涉法涉诉信件转政法部门"),
        ("政法委", 2, "条例第二十二条 涉法涉诉信件转政法部门"),
    ]
)
LEGAL_THRESHOLD = 3.0


@dataclass
class TypeSuggestion:
    petition_type: str
    score: float
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class LegalFlag:
    flagged: bool
    score: float
    reasons: list[str] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)


def _hits(text: str, rules: Sequence[Rule]) -> list[tuple[Rule, int]]:
    """Rules whose keyword occurs, longest first; a keyword inside a longer hit is not counted twice."""
    found: list[tuple[Rule, int]] = []
    covered: list[tuple[int, int]] = []
    for rule in sorted(rules, key=lambda r: -len(r.keyword)):
        n, start = 0, 0
        while (i := text.find(rule.keyword, start)) >= 0:
            span = (i, i + len(rule.keyword))
            if not any(a <= span[0] and span[1] <= b for a, b in covered):
                covered.append(span)
                n += 1
            start = i + 1
        if n:
            found.append((rule, n))
    return found


def suggest_type(text: str, table: Mapping[str, Sequence[Rule]] = TYPE_KEYWORDS) -> TypeSuggestion:
    """Suggest 建议意见类 / 检举控告类 / 申诉求决类 with reasons (default 申诉求决类 when nothing matches)."""
    text = clean_text(text)
    scores: dict[str, float] = {}
    reasons: dict[str, list[str]] = {}
    for ptype, rules in table.items():
        hits = _hits(text, rules)
        # a repeated keyword counts a little more, not linearly
        scores[ptype] = round(sum(r.weight * (1 + 0.25 * (n - 1)) for r, n in hits), 2)
        reasons[ptype] = [
            f'因为出现"{r.keyword}"' + (f"（{n}次）" if n > 1 else "") + f"（{r.basis}）"
            for r, n in sorted(hits, key=lambda h: -h[0].weight)
        ]
    best = max(scores, key=lambda k: (scores[k], k == DEFAULT_TYPE))
    if scores[best] <= 0:
        return TypeSuggestion(
            DEFAULT_TYPE, 0.0, ["未出现建议或检举控告的关键词，按求决类事项默认（条例第三十一条）"], scores
        )
    return TypeSuggestion(best, scores[best], reasons[best], scores)


def flag_legal(
    text: str, rules: Sequence[Rule] = LEGAL_KEYWORDS, threshold: float = LEGAL_THRESHOLD
) -> LegalFlag:
    """涉法涉诉 flag: keyword score ≥ threshold → flagged, with reasons and the legal routes named."""
    text = clean_text(text)
    hits = _hits(text, rules)
    score = round(sum(r.weight for r, _ in hits), 2)
    reasons = [f'因为出现"{r.keyword}"（{r.basis}）' for r, _ in sorted(hits, key=lambda h: -h[0].weight)]
    bases = sorted({r.basis for r, _ in hits})
    return LegalFlag(score >= threshold, score, reasons, bases)
