"""Backup and restore of the whole system: the database (SQLite through its online backup API, PostgreSQL
through pg_dump/pg_restore) and the uploaded files, in one .tar with a manifest of what was in it.

The manifest keeps each table's row count and the event log's chain head, so a restore can prove it put
back exactly what was saved: same counts, an intact chain ending at the same head (docs/deploy.md).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from xinfang.core.audit import event_chain_verify

MANIFEST = "manifest.json"
SQLITE_MEMBER = "db.sqlite3"
PG_MEMBER = "db.pgdump"
MEDIA_PREFIX = "media/"


class BackupError(Exception):
    pass


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cur:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            cur.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cur.fetchone()[0]
    return counts


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} 失败：{done.stderr.strip()[-2000:]}")


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def backup_create(*, path: Path | None = None, media: bool = True) -> BackupResult:
    """Write one .tar: the database, the media files (unless `media=False`) and the manifest."""

    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库：{vendor}")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    path = Path(path or Path(settings.DATA_DIR) / "backups" / f"xinfang-{stamp}.tar")
    path.parent.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    report = event_chain_verify()
    manifest = {
        "format": 1,
        "created_at": timezone.now().isoformat(),
        "vendor": vendor,
        "counts": table_counts(),
        "audit_head": list(report.head),
        "audit_ok": report.ok,
        "media": media,
    }
    with tempfile.TemporaryDirectory() as tmp:
        if vendor == "sqlite":
            db_file = Path(tmp) / SQLITE_MEMBER
            target = sqlite3.connect(db_file)
            try:
                connection.connection.backup(target)  # a consistent copy while the system runs
            finally:
                target.close()
            member = SQLITE_MEMBER
        else:
            db_file = Path(tmp) / PG_MEMBER
            args, env = _pg_env()
            _run(["pg_dump", "--format=custom", "--file", str(db_file), *args], env)
            member = PG_MEMBER
        partial = path.with_suffix(path.suffix + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(db_file, arcname=member)
            media_root = Path(settings.MEDIA_ROOT)
            if media and media_root.is_dir():
                tar.add(media_root, arcname=MEDIA_PREFIX.rstrip("/"))
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        partial.replace(path)  # never a half-written backup under the final name
    path.chmod(0o600)  # personal data: readable by the owner only
    return BackupResult(path=path, manifest=manifest)


def backup_manifest(path: Path) -> dict:
    with tarfile.open(path, "r") as tar:
        return json.load(tar.extractfile(MANIFEST))


@dataclass
class RestoreResult:
    manifest: dict
    counts: dict[str, int]
    problems: list[str]


def backup_restore(*, path: Path, media: bool = True) -> RestoreResult:
    """Put the database (and media) back as they were in the backup, then compare counts and the chain."""

    manifest = backup_manifest(path)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"备份来自 {manifest['vendor']}，当前数据库是 {connection.vendor}：请用同一种数据库恢复。"
        )
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path, "r") as tar:
        tar.extractall(tmp, filter="data")
        if connection.vendor == "sqlite":
            source = sqlite3.connect(Path(tmp) / SQLITE_MEMBER)
            try:
                connection.ensure_connection()
                if connection.in_atomic_block:
                    raise BackupError("恢复不能在事务中进行。")
                source.backup(connection.connection)  # replaces every page of the live database
            finally:
                source.close()
            connection.close()
        else:
            connection.close()  # pg_restore drops and re-creates the tables: hold no locks on them
            args, env = _pg_env()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--single-transaction",
                    "--no-owner",
                    "--no-privileges",
                    *args,
                    str(Path(tmp) / PG_MEMBER),
                ],
                env,
            )
        if media and manifest.get("media"):
            extracted = Path(tmp) / MEDIA_PREFIX.rstrip("/")
            media_root = Path(settings.MEDIA_ROOT)
            if extracted.is_dir():
                if media_root.exists():
                    shutil.rmtree(media_root)
                shutil.copytree(extracted, media_root)
    counts = table_counts()
    problems = [
        f"{table}：备份中 {n} 行，恢复后 {counts.get(table)} 行"
        for table, n in manifest["counts"].items()
        if counts.get(table) != n
    ]
    report = event_chain_verify(
        expect_head=tuple(manifest["audit_head"]) if manifest["audit_head"][0] else None
    )
    problems += report.problems
    return RestoreResult(manifest=manifest, counts=counts, problems=problems)
