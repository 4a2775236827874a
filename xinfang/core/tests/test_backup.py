"""`xinfang backup` / `xinfang restore` round trip on the database in use (SQLite or PostgreSQL): what was
saved comes back, table by table, with the event log's chain intact and ending where it ended."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from xinfang.cases.models import Case
from xinfang.cases.tests.factories import register, registrar
from xinfang.core.audit import event_chain_verify
from xinfang.core.backup import backup_manifest, table_counts
from xinfang.core.models import Event


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_back_the_same_rows_and_chain(demo_city, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "attachments").mkdir(parents=True)
    (settings.MEDIA_ROOT / "attachments" / "letter.pdf").write_bytes(b"%PDF-1.4 saved")
    by = registrar()
    for seed in (1, 2, 3):
        register(by=by, seed=seed)
    before, head = table_counts(), event_chain_verify().head
    assert before["cases_case"] == 3 and head[0] == Event.objects.count() >= 3

    out = StringIO()
    call_command("backup", "--output", str(tmp_path / "b.tar"), stdout=out)
    assert "已备份到" in out.getvalue()
    manifest = backup_manifest(tmp_path / "b.tar")
    assert manifest["counts"] == before and tuple(manifest["audit_head"]) == head
    assert oct((tmp_path / "b.tar").stat().st_mode & 0o777) == "0o600"

    # life goes on after the backup: another case, an attachment changed
    register(by=by, seed=4)
    (settings.MEDIA_ROOT / "attachments" / "letter.pdf").write_bytes(b"changed")
    assert Case.objects.count() == 4

    call_command("restore", str(tmp_path / "b.tar"), "--yes", stdout=out)
    assert "已恢复" in out.getvalue()
    assert table_counts() == before
    report = event_chain_verify()
    assert report.ok and report.head == head
    assert Path(settings.MEDIA_ROOT / "attachments" / "letter.pdf").read_bytes() == b"%PDF-1.4 saved"
    # the restored system works on: the chain goes on from the restored head
    register(by=by, seed=5)
    assert event_chain_verify().ok


@pytest.mark.django_db
def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="没有文件"):
        call_command("restore", str(tmp_path / "none.tar"), "--yes")
