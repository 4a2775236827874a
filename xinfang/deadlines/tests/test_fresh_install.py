"""`xinfang deadline` on a fresh install (no migrate yet) counts by the State Council schedules and says
what it lacks, instead of failing with "no such table: deadlines_calendarday" (issue #16)."""

import os
import subprocess
import sys
from pathlib import Path


def test_deadline_command_works_before_migrate(tmp_path):
    root = Path(__file__).resolve().parents[3]
    env = {
        **os.environ,
        "XINFANG_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "x",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "deadline", "--start", "2026-09-25", "--days", "15"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "2026-10-10"
    assert "未执行 migrate" in done.stderr
