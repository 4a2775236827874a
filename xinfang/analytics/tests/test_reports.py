import json

import pytest
import time_machine
from django.core.management import call_command
from docx import Document
from openpyxl import Workbook, load_workbook

from xinfang.analytics.ledger import HEADERS, PETITIONERS_HEADER, ledger_export, ledger_import
from xinfang.cases.models import Case, PetitionType
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.factories import register, registrar
from xinfang.orgs.models import Body

pytestmark = pytest.mark.django_db

FIELDS = (
    "channel",
    "petition_type",
    "category_id",
    "problem_region_id",
    "title",
    "request",
    "facts",
    "subject_text",
    "subject_body_id",
    "anonymous",
    "people_count",
    "law_related",
    "skipped_levels",
    "is_group",
    "is_backlog",
    "leader_in_charge",
    "reached_higher",
    "registered_at",
)


def _snapshot(case: Case) -> tuple:
    people = tuple(
        (p.person.name, p.person.id_number, p.person.phone, p.person.address)
        for p in case.petitioners.select_related("person").order_by("order")
    )
    return (*(getattr(case, f) for f in FIELDS), people)


@time_machine.travel("2026-05-06 09:30 +0800", tick=False)
def test_ledger_round_trip_loses_nothing(demo_city, tmp_path):
    housing = Body.objects.get(code="990101-housing")
    made = [
        register(seed=1, title="屋顶漏水", flags={"is_backlog": True, "skipped_levels": True}).case,
        register(
            seed=2,
            petition_type=PetitionType.ACCUSATION,
            subject_text="某物业公司",
            subject_body=housing,
            petitioners=[
                PetitionerInput(
                    name="甲", id_number="110101199003074477", phone="13800000001", address="东城路1号"
                ),
                PetitionerInput(name="乙", phone="13800000002"),
            ],
        ).case,
        register(seed=3, request="学校周边道路拥堵，请求增设红绿灯", facts="", region="990101002").case,
    ]
    path = ledger_export(Case.objects.filter(pk__in=[c.pk for c in made]))
    target = registrar("990102-xinfang")
    result = ledger_import(path, actor=target)
    path.unlink()
    assert result.errors == []
    assert [_snapshot(c) for c in made] == [_snapshot(c) for c in result.imported]
    assert all(c.registering_body.code == "990102-xinfang" for c in result.imported)


def test_import_reports_bad_rows_and_imports_the_good(demo_city, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    good = dict.fromkeys(HEADERS, "")
    good.update(
        {"来源渠道": "来信", "信访类型": "申诉求决类", "问题属地": "990101001", "诉求": "请求维修道路"}
    )
    good[PETITIONERS_HEADER] = "张三｜｜13800000009｜"
    ws.append([good[h] for h in HEADERS])
    ws.append([{**good, "来源渠道": "飞鸽"}[h] for h in HEADERS])
    ws.append([{**good, "诉求": "", "问题属地": "000000"}[h] for h in HEADERS])
    ws.append([{**good, "诉求": "请求补发工资"}[h] for h in HEADERS])
    path = tmp_path / "legacy.xlsx"
    wb.save(path)
    before = Case.objects.count()
    result = ledger_import(path, actor=registrar())
    assert [(e.row, e.reason) for e in result.errors] == [
        (3, "来源渠道“飞鸽”无法识别"),
        (4, "问题属地“000000”不是已知区划代码；诉求为空"),
    ]
    assert Case.objects.count() == before + 2


def test_import_command_prints_rows_and_totals(demo_city, tmp_path, capsys):
    wb = Workbook()
    ws = wb.active
    ws.append(["来源渠道", "信访类型", "问题属地", "诉求", PETITIONERS_HEADER])
    ws.append(["来访", "建议意见类", "990101001", "建议增设公交线路", "李四｜｜13800000008｜"])
    ws.append(["来访", "不知道", "990101001", "x", "王五"])
    wb.save(tmp_path / "l.xlsx")
    registrar()
    call_command("report", "import-ledger", str(tmp_path / "l.xlsx"), "--body", "990101-xinfang")
    out = capsys.readouterr()
    assert "第3行：信访类型“不知道”无法识别" in out.err
    assert "已导入 1 件，1 行有误未导入。" in out.out


def test_kpi_command_formats(demo_city, tmp_path, capsys):
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        register(seed=1)
    call_command(
        "report",
        "kpi",
        "--body",
        "990101-xinfang",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "json",
    )
    data = json.loads(capsys.readouterr().out)
    repeat = next(f for f in data["figures"] if f["key"] == "repeat")
    assert (repeat["numerator"], repeat["denominator"], repeat["text"]) == (0, 1, "0.00%")
    answered = next(f for f in data["figures"] if f["key"] == "answered_on_time")
    assert answered["rate"] is None and answered["text"] == "—"
    call_command("report", "kpi", "--body", "东城区信访局", "--from", "2026-01-01", "--to", "2026-12-31")
    assert "重复信访率" in capsys.readouterr().out
    out = tmp_path / "kpi.xlsx"
    call_command(
        "report",
        "kpi",
        "--body",
        "990101-xinfang",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "xlsx",
        "--output",
        str(out),
    )
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0][3] == "指标" and any(r[3] == "重复信访率" and r[6] == "0.00%" for r in rows)


def test_annual_report_docx(demo_city, tmp_path):
    housing = Body.objects.get(code="990101-housing")
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        register(seed=1, subject_body=housing, subject_text="住建局")
        register(seed=2, subject_body=housing, subject_text="住建局", petition_type=PetitionType.ACCUSATION)
    out = tmp_path / "report.docx"
    call_command("report", "annual", "--body", "990101-xinfang", "--year", "2026", "--output", str(out))
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "全年登记（含所辖机关办理）信访事项2件" in text
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["东城区住房和城乡建设局", "2"] in cells or any(
        r[0].endswith("住房和城乡建设局") and r[1] == "2" for r in cells
    )
    assert ["转送", "0"] in cells and any(r[0] == "及时受理率（信访部门）" for r in cells)
