"""xinfang report kpi | annual | ledger | import-ledger — the figures and the 台账 from the command line."""

from __future__ import annotations

import json
import shutil
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from tqdm import tqdm

from xinfang.analytics.annual import annual_report_write
from xinfang.analytics.figures import Period, Side, cases_in_scope, figures_for
from xinfang.analytics.ledger import figures_export, ledger_export, ledger_import
from xinfang.core.exports import export_record
from xinfang.orgs.acting import actor_for
from xinfang.orgs.models import Body, Membership, Role


def body_lookup(text: str) -> Body:
    found = list(Body.objects.filter(Q(code=text) | Q(name=text) | Q(short_name=text))[:2])
    if len(found) != 1:
        raise CommandError(f"找不到唯一的机关单位“{text}”（请用机构编码）。")
    return found[0]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期“{text}”应为 YYYY-MM-DD。") from exc


class Command(BaseCommand):
    help = "统计报表：kpi 指标、annual 年度报告、ledger 台账导出、import-ledger 历史台账导入"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        kpi = sub.add_parser("kpi", help="某机关在某期间的指标")
        kpi.add_argument("--body", required=True, help="机构编码或名称")
        kpi.add_argument("--from", dest="start", required=True)
        kpi.add_argument("--to", dest="end", required=True)
        kpi.add_argument("--alone", action="store_true", help="只统计本机关（默认含所辖机关）")
        kpi.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
        kpi.add_argument("--output", help="输出文件（xlsx 必填）")
        annual = sub.add_parser("annual", help="《信访工作条例》第四十一条年度报告（.docx）")
        annual.add_argument("--body", required=True)
        annual.add_argument("--year", type=int, required=True)
        annual.add_argument("--output", default="report.docx")
        ledger = sub.add_parser("ledger", help="导出信访事项台账（.xlsx）")
        ledger.add_argument("--body", required=True)
        ledger.add_argument("--from", dest="start", required=True)
        ledger.add_argument("--to", dest="end", required=True)
        ledger.add_argument("--backlog", action="store_true", help="只导出积案台账")
        ledger.add_argument("--output", required=True)
        imp = sub.add_parser("import-ledger", help="导入历史台账（.xlsx）")
        imp.add_argument("file")
        imp.add_argument("--body", required=True, help="登记机关（信访部门）编码")
        imp.add_argument("--user", help="以哪个登记人员的名义导入（默认该机关第一个登记人员）")
        imp.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **opts) -> None:
        getattr(self, "_" + opts["sub"].replace("-", "_"))(opts)

    def _kpi(self, opts) -> None:
        body = body_lookup(opts["body"])
        period = Period(_date(opts["start"]), _date(opts["end"]))
        figs = figures_for(body=body, period=period, with_under=not opts["alone"])
        if opts["format"] == "json":
            data = {
                "body": body.code,
                "name": body.name,
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "with_under": figs.with_under,
                "figures": [f.as_dict() for f in figs],
            }
            text = json.dumps(data, ensure_ascii=False, indent=2)
            self._emit(text, opts.get("output"))
        elif opts["format"] == "xlsx":
            if not opts.get("output"):
                raise CommandError("xlsx 格式须用 --output 指定文件。")
            figures_export([figs], path=opts["output"])
            self.stdout.write(f"已写入 {opts['output']}")
        else:
            scope = "（含所辖）" if figs.with_under else "（本机关）"
            lines = [
                f"{body.name}{scope} {period}",
                f"{'口径':<8}{'指标':<16}{'分子':>8}{'分母':>8}{'比率':>10}",
            ]
            for f in figs:
                lines.append(
                    f"{Side.LABELS[f.definition.side]:<8}{f.name:<16}{f.numerator:>8}{f.denominator:>8}{f.text:>10}"
                )
            self._emit("\n".join(lines), opts.get("output"))

    def _emit(self, text: str, output: str | None) -> None:
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stdout.write(f"已写入 {output}")
        else:
            self.stdout.write(text)

    def _annual(self, opts) -> None:
        body = body_lookup(opts["body"])
        stats = annual_report_write(body=body, year=opts["year"], output=opts["output"])
        self.stdout.write(f"已写入 {opts['output']}（{stats.total} 件）")

    def _ledger(self, opts) -> None:
        body = body_lookup(opts["body"])
        period = Period(_date(opts["start"]), _date(opts["end"]))
        # The figures scope of that body (never a 检举控告 about it); whole personal data, for the operator
        # who runs the server, and logged as an export like any download (issue #9).
        qs = cases_in_scope(body=body, period=period, with_under=True)
        if opts["backlog"]:
            qs = qs.filter(is_backlog=True)
        tmp = ledger_export(qs)
        shutil.move(tmp, opts["output"])
        export_record(
            actor=None,
            kind="ledger_command",
            scope={
                "body": body.code,
                "start": str(period.start),
                "end": str(period.end),
                "backlog": bool(opts["backlog"]),
            },
            rows=qs.count(),
            personal_data="unmasked",
            reason=f"命令行导出到 {opts['output']}",
        )
        self.stdout.write(f"已写入 {opts['output']}")

    def _import_ledger(self, opts) -> None:
        body = body_lookup(opts["body"])
        memberships = Membership.objects.filter(body=body, role=Role.REGISTRAR).select_related("user")
        if opts.get("user"):
            memberships = memberships.filter(user__username=opts["user"])
        membership = memberships.order_by("id").first()
        if membership is None:
            raise CommandError(f"{body.name}没有可用的登记人员，无法以其名义导入。")
        actor = actor_for(membership.user, body)
        with tqdm(desc="导入", unit="行", disable=None) as bar:
            result = ledger_import(
                opts["file"], actor=actor, batch_size=opts["batch_size"], progress=bar.update
            )
        for err in result.errors:
            self.stderr.write(f"第{err.row}行：{err.reason}")
        self.stdout.write(f"已导入 {len(result.imported)} 件，{len(result.errors)} 行有误未导入。")
