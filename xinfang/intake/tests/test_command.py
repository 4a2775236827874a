import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def test_classify_csv_and_xlsx(tmp_path):
    src = tmp_path / "in.csv"
    _write_csv(
        src,
        ["留言编号", "留言主题", "留言详情"],
        [["1", "学校乱收补课费", ""], ["2", "", "工厂夜间偷排废水，河水发臭"], ["3", "", ""]],
    )
    out = tmp_path / "out.csv"
    call_command("intake", "classify", str(src), "--output", str(out))
    with open(out, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["预测标签"] for r in rows] == ["教育文体", "环境保护", ""]
    assert 0 < float(rows[0]["置信度"]) <= 1
    xl = tmp_path / "out.xlsx"
    call_command("intake", "classify", str(src), "--output", str(xl))
    call_command("intake", "classify", str(xl), "--output", str(tmp_path / "again.csv"))  # xlsx in


def test_classify_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    _write_csv(bad, ["编号", "内容"], [["1", "x"]])
    with pytest.raises(CommandError, match="留言主题"):
        call_command("intake", "classify", str(bad), "--output", str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="not found"):
        call_command("intake", "classify", str(tmp_path / "nope.csv"), "--output", str(tmp_path / "o.csv"))
    txt = tmp_path / "in.txt"
    txt.write_text("x")
    with pytest.raises(CommandError, match="unsupported"):
        call_command("intake", "classify", str(txt), "--output", str(tmp_path / "o.csv"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("intake", "classify", str(broken), "--output", str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="unsupported output"):
        call_command("intake", "classify", str(bad), "--output", str(tmp_path / "o.json"))


def test_train_missing_data(tmp_path):
    with pytest.raises(CommandError, match="missing"):
        call_command("intake", "train", "--data", str(tmp_path), "--output", str(tmp_path / "m.npz"))
