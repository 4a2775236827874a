"""``xinfang intake train|classify``: train the category model; classify a CSV/XLSX of messages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.intake.classifier import DEFAULT_MODEL_PATH, CategoryClassifier, load_default
from xinfang.intake.training import DEFAULT_DATA_DIR, build_model

TITLE_COL, BODY_COL = "留言主题", "留言详情"
OUT_LABEL, OUT_CONF = "预测标签", "置信度"


def _read_table(path: Path) -> tuple[list[str], list[list]]:
    ext = path.suffix.lower()
    if not path.exists():
        raise CommandError(f"找不到输入文件 / input file not found: {path}")
    try:
        if ext == ".csv":
            csv.field_size_limit(1 << 30)
            with open(path, encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.reader(fh))
        elif ext in (".xlsx", ".xlsm"):
            import openpyxl  # openpyxl takes ~0.4 s to import: loaded only when a workbook is read or written

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            wb.close()
        else:
            raise CommandError(
                f"不支持的文件类型 {ext or '(无扩展名)'}，请使用 .csv 或 .xlsx / "
                f"unsupported file type {ext or '(none)'}: use .csv or .xlsx ({path})"
            )
    except CommandError:
        raise
    except Exception as exc:
        raise CommandError(f"无法读取文件 / cannot read file {path}: {exc}") from exc
    if not rows:
        raise CommandError(f"文件为空 / the file is empty: {path}")
    header = ["" if h is None else str(h).strip() for h in rows[0]]
    return header, rows[1:]


def _write_table(path: Path, header: list[str], rows: list[list]) -> None:
    ext = path.suffix.lower()
    if ext == ".csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
    elif ext == ".xlsx":
        import openpyxl  # openpyxl takes ~0.4 s to import: loaded only when a workbook is read or written

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(header)
        for r in rows:
            ws.append(r)
        wb.save(path)
    else:
        raise CommandError(
            f"不支持的输出类型 {ext or '(无扩展名)'}，请使用 .csv 或 .xlsx / "
            f"unsupported output type {ext or '(none)'}: use .csv or .xlsx ({path})"
        )


class Command(BaseCommand):
    help = "登记研判：训练分类模型 / 批量分类留言 (intake: train the category model, classify messages)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        tr = sub.add_parser("train", help="train the category classifier and write the versioned model file")
        tr.add_argument("--data", default=None, help="folder with messages_rows/details/titles.csv")
        tr.add_argument("--seed", type=int, default=42)
        tr.add_argument("--output", default=None, help="model path (default: the shipped category-vN.npz)")
        tr.add_argument("--report", default=None, help="also write the report as JSON here")
        cl = sub.add_parser("classify", help="add 预测标签 and 置信度 columns to a CSV/XLSX of messages")
        cl.add_argument("input")
        cl.add_argument("--output", required=True)
        cl.add_argument("--model", default=None, help="model file (default: the shipped one)")

    def handle(self, *args, **opts):
        if opts["action"] == "train":
            return self._train(opts)
        return self._classify(opts)

    def _train(self, opts):

        data = Path(opts["data"] or DEFAULT_DATA_DIR)
        missing = [
            f
            for f in ("messages_rows.csv", "messages_details.csv", "messages_titles.csv")
            if not (data / f).exists()
        ]
        if missing:
            raise CommandError(f"训练数据缺少文件 / training data missing: {', '.join(missing)} in {data}")
        output = Path(opts["output"] or DEFAULT_MODEL_PATH)
        self.stdout.write(f"training on {data} (seed {opts['seed']}) …")
        clf, report = build_model(data, seed=opts["seed"])
        clf.save(output)
        report["model_path"] = str(output)
        report["model_bytes"] = output.stat().st_size
        for kind, fig in report["validation"].items():
            self.stdout.write(
                f"  validation {kind:5s} n={fig['n']:5d} macro-F1={fig['macro_f1']:.4f} "
                f"accuracy={fig['accuracy']:.4f} ECE={fig['ece']:.4f}"
            )
        self.stdout.write(
            f"  data hash {report['data_hash']}, final fit {report['final_train_seconds']}s, "
            f"model {report['model_bytes'] / 1e6:.2f} MB → {output}"
        )
        if opts["report"]:
            Path(opts["report"]).write_text(
                json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        self.stdout.write(self.style.SUCCESS("模型已写入 / model written"))

    def _classify(self, opts):

        src, dst = Path(opts["input"]), Path(opts["output"])
        if dst.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError(
                f"不支持的输出类型 {dst.suffix or '(无扩展名)'}，请使用 .csv 或 .xlsx / "
                f"unsupported output type {dst.suffix or '(none)'}: use .csv or .xlsx ({dst})"
            )
        header, rows = _read_table(src)
        missing = [c for c in (TITLE_COL, BODY_COL) if c not in header]
        if len(missing) == 2:
            raise CommandError(
                f"缺少列 {TITLE_COL} 和 {BODY_COL}（至少需要其中一列）/ missing columns "
                f"{TITLE_COL} and {BODY_COL} (at least one is needed) in {src}; found: {', '.join(header)}"
            )
        if missing:
            self.stderr.write(
                f"注意：缺少列 {missing[0]}，仅用另一列分类 / note: column {missing[0]} missing"
            )
        ti = header.index(TITLE_COL) if TITLE_COL in header else None
        bi = header.index(BODY_COL) if BODY_COL in header else None

        def cell(r, i):
            return "" if i is None or i >= len(r) or r[i] is None else str(r[i])

        try:
            clf = CategoryClassifier.load(opts["model"]) if opts["model"] else load_default()
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"无法加载模型 / cannot load model: {exc}") from exc
        preds = clf.predict([cell(r, ti) for r in rows], [cell(r, bi) for r in rows])
        width = len(header)
        out = [
            [*list(r) + [None] * (width - len(r)), p.label, p.confidence if p.label else None]
            for r, p in zip(rows, preds, strict=True)
        ]
        _write_table(dst, [*header, OUT_LABEL, OUT_CONF], out)
        self.stdout.write(self.style.SUCCESS(f"已分类 {len(rows)} 条 / classified {len(rows)} rows → {dst}"))
