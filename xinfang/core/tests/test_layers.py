"""The layer contract (pyproject [tool.importlinter], docs/architecture.md) holds, and it is not blind: a
copy of the package with one wrong-way import (deadlines → cases) fails it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LINT = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(
        REPO / "xinfang",
        tmp_path / "xinfang",
        ignore=shutil.ignore_patterns(
            "*.pyc", "__pycache__", "static", "templates", "locale", "data", "*.mo"
        ),
    )
    return tmp_path


def test_the_layers_hold(tmp_path):
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("deadlines/clocks.py", "from xinfang.cases.workflow import CLOCK_LABELS", "xinfang.deadlines"),
        ("cases/selectors.py", "from xinfang.analytics.figures import DEFINITIONS", "xinfang.cases"),
        ("supervision/__init__.py", "import xinfang.workspace.forms", "xinfang.supervision"),
    ],
)
def test_a_wrong_way_import_fails_the_contract(tmp_path, module, line, broken):
    root = _copy(tmp_path)
    target = root / "xinfang" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # wrong way\n", encoding="utf-8")
    result = _lint(root)
    assert result.returncode != 0
    assert f"{broken} is not allowed to import" in result.stdout
