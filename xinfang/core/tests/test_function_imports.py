"""A function-level import says why it is not at the top of the module (issue 21): a comment on its line or
on the line above — the cycle it avoids, the heavy or optional library it loads only when needed, the
settings it must wait for. Without a reason it belongs with the module's other imports, where the layer
contract (pyproject [tool.importlinter]) and a reader see it. AppConfig.ready needs no comment: Django runs
it once the models are loaded, which is the reason for every import in it."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]


def _commented_lines(source: str) -> set[int]:
    return {
        tok.start[0]
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    }


def unexplained(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    commented = _commented_lines(source)
    found: dict[int, str] = {}
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if fn.name == "ready" and path.name == "apps.py":
            continue
        for node in ast.walk(fn):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            span = range(node.lineno, node.end_lineno + 1)
            above = node.lineno - 1
            if any(n in commented for n in span) or (
                above in commented and lines[above - 1].lstrip().startswith("#")
            ):
                continue
            found[node.lineno] = (
                f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {lines[node.lineno - 1].strip()}"
            )
    return [found[n] for n in sorted(found)]


def _modules() -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if "tests" not in p.relative_to(PACKAGE).parts and "migrations" not in p.parts
    ]


def test_every_function_level_import_says_why():
    missing = []
    for path in _modules():
        missing += unexplained(path)
    assert missing == [], (
        "move these imports to the top of the module, or say on the line why they wait:\n"
        + "\n".join(missing)
    )


def test_the_rule_sees_an_unexplained_import(tmp_path):
    module = tmp_path / "example.py"
    module.write_text(
        "def f():\n"
        "    import json\n"
        "    # sklearn takes two seconds to import\n"
        "    import sklearn\n"
        "    import csv  # a reason\n",
        encoding="utf-8",
    )
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path
    try:
        assert [line.split(": ", 1)[1] for line in unexplained(module)] == ["import json"]
    finally:
        PACKAGE = saved
