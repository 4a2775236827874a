"""Nothing outside the selectors and services queries cases or petitioners directly (issue #9): a view,
form, export or template tag that wrote `Case.objects…` would decide visibility on its own, which is how
every leak the issue lists came about. Read through `xinfang.cases.selectors` (`cases_visible_to`,
`case_get_for_actor`, `persons_visible_to`, `person_get_for_actor`, …) instead.

An AST walk rather than a grep, so comments and strings do not count and `from … import Case as C` does."""

from __future__ import annotations

import ast
from pathlib import Path

import xinfang

ROOT = Path(xinfang.__file__).resolve().parent
GUARDED = {"Case", "Person"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}
# Modules whose job is to read or write the rows: selectors and services (modules or packages), data
# migrations, and the generators that make demo and benchmark data.
ALLOWED_NAMES = {"selectors.py", "services.py", "generate.py", "demo.py"}
ALLOWED_DIRS = {"selectors", "services", "migrations", "tests"}
# Reasoned exceptions, each reading through the selectors' own rules.
ALLOWED_FILES = {
    # The figures scope: aggregate counts by body, and `cases_in_scope`, which applies the confidentiality
    # exclusion for the reading body; it is the analytics app's selector module in all but name.
    "analytics/figures.py",
}


def _allowed(path: Path) -> bool:
    rel = path.relative_to(ROOT)
    return (
        path.name in ALLOWED_NAMES
        or any(part in ALLOWED_DIRS for part in rel.parts[:-1])
        or rel.as_posix() in ALLOWED_FILES
    )


def direct_queries(source: str) -> list[tuple[int, str]]:
    """(line, "Model.manager") for every direct manager access on a guarded model, aliases included."""
    tree = ast.parse(source)
    names = set(GUARDED)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in GUARDED and alias.asname:
                    names.add(alias.asname)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGERS
            and isinstance(node.value, ast.Name)
            and node.value.id in names
        ):
            found.append((node.lineno, f"{node.value.id}.{node.attr}"))
    return found


def test_the_check_finds_what_it_should():
    source = "from x import Case as C\nC.objects.filter()\nPerson._default_manager.all()\n# Case.objects\n'Case.objects'"
    assert direct_queries(source) == [(2, "C.objects"), (3, "Person._default_manager")]


def test_nothing_outside_selectors_and_services_queries_cases_or_persons():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if _allowed(path):
            continue
        for line, what in direct_queries(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)}:{line} {what}")
    assert not offenders, (
        "Read cases and persons through xinfang.cases.selectors (cases_visible_to, case_get_for_actor, "
        "persons_visible_to, person_get_for_actor) or your app's selectors.py, never directly: "
        f"{offenders}"
    )
