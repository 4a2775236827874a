"""Excel 台账: the case ledger (export and import of a legacy ledger), the figures tables, the backlog ledger.

Exports use openpyxl's write-only workbook and iterate the queryset in chunks, so memory stays bounded
however many rows there are; the workbook goes to a temporary file that the caller streams.

Import validates every row first, then imports the good rows through ``case_register`` in one
transaction per batch: a bad row is reported (row number and reason) and never imported, and a good
batch is either wholly in or, if the database refuses something unforeseen, wholly out.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from xinfang.analytics.assessment import INDICATORS, SIDE_LABELS, assessment_rows, assessment_weights
from xinfang.analytics.figures import DEFINITIONS, Figures, Side, rate_text
from xinfang.cases.models import Case, CasePetitioner, Category, Channel, PetitionType
from xinfang.cases.services import PetitionerInput, case_register
from xinfang.core.errors import ApplicationError
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, Region
from xinfang.people.masking import mask_address, mask_id_number, mask_phone

FLAGS = (
    ("law_related", "涉法涉诉"),
    ("skipped_levels", "越级"),
    ("is_group", "集体访"),
    ("is_backlog", "积案"),
    ("leader_in_charge", "领导包案"),
    ("reached_higher", "进京/赴省"),
)
PERSON_SEP = "\n"
PART_SEP = "｜"
YES = "是"
PETITIONERS_HEADER = "信访人（姓名｜身份证号｜电话｜住址，每人一行）"


def _flag_reader(name: str) -> Callable[[Case], str]:
    return lambda c: YES if getattr(c, name) else ""


# The ledger's columns: header, and how to read it from a Case (with petitioners prefetched).
LEDGER_COLUMNS: list[tuple[str, Callable[[Case], object]]] = [
    ("编号", lambda c: c.number),
    ("登记时间", lambda c: timezone.localtime(c.registered_at).strftime("%Y-%m-%d %H:%M:%S")),
    ("登记机关", lambda c: c.registering_body.code),
    ("来源渠道", lambda c: c.get_channel_display()),
    ("信访类型", lambda c: c.get_petition_type_display()),
    ("内容分类", lambda c: c.category.code if c.category_id else ""),
    ("问题属地", lambda c: c.problem_region.code),
    ("标题", lambda c: c.title),
    ("诉求", lambda c: c.request),
    ("事实和理由", lambda c: c.facts),
    ("被反映对象", lambda c: c.subject_text),
    ("被反映单位", lambda c: c.subject_body.code if c.subject_body_id else ""),
    ("匿名", lambda c: YES if c.anonymous else ""),
    ("涉及人数", lambda c: c.people_count),
    *[(label, _flag_reader(name)) for name, label in FLAGS],
    (
        PETITIONERS_HEADER,
        lambda c: PERSON_SEP.join(
            PART_SEP.join(
                x or "" for x in (p.person.name, p.person.id_number, p.person.phone, p.person.address)
            )
            for p in c.petitioners.all()
        ),
    ),
    ("状态", lambda c: c.get_state_display()),
    ("有权处理机关", lambda c: c.handling_body.name if c.handling_body_id else ""),
    ("答复时间", lambda c: timezone.localtime(c.answered_at).strftime("%Y-%m-%d") if c.answered_at else ""),
]
HEADERS = [h for h, _ in LEDGER_COLUMNS]
CHUNK = 2000


def _ledger_queryset(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related(
        "registering_body", "category", "problem_region", "subject_body", "handling_body"
    ).prefetch_related(
        Prefetch(
            "petitioners", queryset=CasePetitioner.objects.select_related("person").order_by("order", "id")
        )
    )


def _petitioners_masked(c: Case) -> str:
    return PERSON_SEP.join(
        PART_SEP.join(
            (
                p.person.name,
                mask_id_number(p.person.id_number or ""),
                mask_phone(p.person.phone),
                mask_address(p.person.address),
            )
        )
        for p in c.petitioners.all()
    )


def ledger_rows(qs: QuerySet[Case], *, masked: bool = False) -> Iterator[list]:
    """The rows; `masked`: ID numbers, phones and addresses masked (what every staff download gets unless
    a role that needs them asks with a reason — analytics.views; the round trip to import needs them whole)."""
    columns = [
        (h, _petitioners_masked if masked and h == PETITIONERS_HEADER else fn) for h, fn in LEDGER_COLUMNS
    ]
    for case in _ledger_queryset(qs).order_by("registered_at", "id").iterator(chunk_size=CHUNK):
        yield [fn(case) for _, fn in columns]


def _save_temp(wb: Workbook) -> Path:
    fd, name = tempfile.mkstemp(prefix="xinfang-", suffix=".xlsx")
    os.close(fd)
    wb.save(name)
    return Path(name)


def ledger_export(
    qs: QuerySet[Case],
    *,
    title: str = "信访事项台账",
    masked: bool = False,
    path: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """The case ledger as an .xlsx: in a temporary file (the caller streams and removes it), or at `path`
    (a background job's file). `progress(rows written)` is called every CHUNK rows and at the end."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(HEADERS)
    done = 0
    for row in ledger_rows(qs, masked=masked):
        ws.append(row)
        done += 1
        if progress is not None and done % CHUNK == 0:
            progress(done)
    if progress is not None:
        progress(done)
    if path is None:
        return _save_temp(wb)
    wb.save(path)
    return path


def backlog_export(
    qs: QuerySet[Case],
    *,
    masked: bool = False,
    path: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    return ledger_export(
        qs.filter(is_backlog=True), title="积案台账", masked=masked, path=path, progress=progress
    )


def figures_rows(figures_list: Iterable[Figures]) -> Iterator[list]:
    for figs in figures_list:
        for f in figs:
            yield [
                figs.body.code if figs.body else "",
                figs.body.name if figs.body else "",
                Side.LABELS[f.definition.side],
                f.name,
                f.numerator,
                f.denominator,
                f.text,
            ]


FIGURE_HEADERS = ["机构编码", "机构", "口径", "指标", "分子", "分母", "比率"]


def figures_export(figures_list: Iterable[Figures], *, path: Path | None = None) -> Path:
    figures_list = list(figures_list)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("指标")
    ws.append(FIGURE_HEADERS)
    for row in figures_rows(figures_list):
        ws.append(row)
    defs = wb.create_sheet("口径说明")
    defs.append(["指标", "分子", "分母"])
    for d in DEFINITIONS.values():
        defs.append([d.name, d.numerator, d.denominator])
    assessment_sheet(wb, figures_list)
    if path is None:
        return _save_temp(wb)
    wb.save(path)
    return path


def assessment_sheet(wb: Workbook, figures_list: list[Figures]) -> None:
    """年度考核 (Art. 39): each body's indicators beside its quality review scores and its weighted score
    (xinfang/analytics/assessment.py), one more query for the reviews."""
    if not figures_list:
        return
    ws = wb.create_sheet("年度考核")
    ws.append(
        [
            "机构编码",
            "机构",
            "类别",
            *INDICATORS.values(),
            "评价件数",
            "合格",
            "基本合格",
            "不合格",
            "综合得分",
        ]
    )
    for r in assessment_rows(figures=figures_list, period=figures_list[0].period):
        ws.append(
            [
                r.body.code,
                r.body.name,
                SIDE_LABELS[r.side],
                *[rate_text(r.values[k]) if k in r.values else "" for k in INDICATORS],
                r.quality.reviewed,
                r.quality.passed,
                r.quality.basic,
                r.quality.failed,
                "—" if r.score is None else float(r.score),
            ]
        )
    weights = wb.create_sheet("考核权重")
    weights.append(["类别", "指标", "权重"])
    for side, items in assessment_weights().items():
        for key, weight in items.items():
            weights.append([SIDE_LABELS[side], INDICATORS[key], weight])


# —— import ——


@dataclass
class RowError:
    row: int
    reason: str


@dataclass
class ImportResult:
    imported: list[Case] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class _Parsed:
    row: int
    kwargs: dict


_CHANNELS = {label: value for value, label in Channel.choices}
_TYPES = {label: value for value, label in PetitionType.choices}


def _text(v) -> str:
    return "" if v is None else str(v).strip()


def _parse_row(n: int, values: dict[str, object], regions: dict, categories: dict, bodies: dict) -> _Parsed:
    problems = []
    channel = _CHANNELS.get(_text(values.get("来源渠道")))
    if channel is None:
        problems.append(f"来源渠道“{_text(values.get('来源渠道'))}”无法识别")
    ptype = _TYPES.get(_text(values.get("信访类型")))
    if ptype is None:
        problems.append(f"信访类型“{_text(values.get('信访类型'))}”无法识别")
    region = regions.get(_text(values.get("问题属地")))
    if region is None:
        problems.append(f"问题属地“{_text(values.get('问题属地'))}”不是已知区划代码")
    cat_code = _text(values.get("内容分类"))
    category = categories.get(cat_code) if cat_code else None
    if cat_code and category is None:
        problems.append(f"内容分类“{cat_code}”不存在")
    subj_code = _text(values.get("被反映单位"))
    subject_body = bodies.get(subj_code) if subj_code else None
    if subj_code and subject_body is None:
        problems.append(f"被反映单位“{subj_code}”不存在")
    request = _text(values.get("诉求"))
    if not request:
        problems.append("诉求为空")
    when = values.get("登记时间")
    registered_at = None
    if when:
        try:
            naive = when if isinstance(when, datetime) else datetime.fromisoformat(_text(when))
            registered_at = timezone.make_aware(naive) if timezone.is_naive(naive) else naive
        except ValueError:
            problems.append(f"登记时间“{_text(when)}”格式应为 YYYY-MM-DD HH:MM:SS")
    people = []
    for line in _text(values.get(PETITIONERS_HEADER)).split(PERSON_SEP):
        if not line.strip():
            continue
        parts = [*line.split(PART_SEP), "", "", ""][:4]
        people.append(
            PetitionerInput(
                name=parts[0].strip(),
                id_number=parts[1].strip(),
                phone=parts[2].strip(),
                address=parts[3].strip(),
            )
        )
    count = values.get("涉及人数")
    try:
        people_count = int(count) if count not in (None, "") else None
    except (TypeError, ValueError):
        problems.append(f"涉及人数“{_text(count)}”不是整数")
        people_count = None
    if problems:
        raise ValueError("；".join(problems))
    return _Parsed(
        row=n,
        kwargs={
            "channel": channel,
            "petition_type": ptype,
            "problem_region": region,
            "category": category,
            "title": _text(values.get("标题")),
            "request": request,
            "facts": _text(values.get("事实和理由")),
            "subject_text": _text(values.get("被反映对象")),
            "subject_body": subject_body,
            "anonymous": _text(values.get("匿名")) == YES,
            "people_count": people_count,
            "flags": {name: _text(values.get(label)) == YES for name, label in FLAGS},
            "petitioners": people,
            "registered_at": registered_at,
        },
    )


def ledger_import(
    path: str | Path,
    *,
    actor: Actor,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate every row, then import the good ones (each as a new case: a legacy ledger's rows are
    distinct records, so repeat detection must not fold them together)."""
    wb = load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [(_text(h)) for h in next(rows, [])]
    result = ImportResult()
    missing = [h for h in ("来源渠道", "信访类型", "问题属地", "诉求") if h not in header]
    if missing:
        result.errors.append(RowError(1, f"缺少列：{'、'.join(missing)}"))
        return result
    regions = {r.code: r for r in Region.objects.all()}
    categories = {c.code: c for c in Category.objects.all()}
    bodies = {b.code: b for b in Body.objects.all()}
    good: list[_Parsed] = []
    for n, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        try:
            good.append(_parse_row(n, dict(zip(header, values, strict=False)), regions, categories, bodies))
        except ValueError as exc:
            result.errors.append(RowError(n, str(exc)))
    wb.close()
    for start in range(0, len(good), batch_size):
        batch = good[start : start + batch_size]
        try:
            with transaction.atomic():
                made = [
                    case_register(actor=actor, force_new=True, force_reason="历史台账导入", **p.kwargs).case
                    for p in batch
                ]
        except ApplicationError as exc:
            # The batch is rolled back whole; find which rows the service refuses, import the rest.
            made = []
            for p in batch:
                try:
                    with transaction.atomic():
                        made.append(
                            case_register(
                                actor=actor, force_new=True, force_reason="历史台账导入", **p.kwargs
                            ).case
                        )
                except ApplicationError as row_exc:
                    result.errors.append(RowError(p.row, row_exc.message))
            del exc
        result.imported.extend(made)
        if progress:
            progress(len(batch))
    result.errors.sort(key=lambda e: e.row)
    return result
