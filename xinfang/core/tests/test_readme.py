"""The README's code example runs, on the demo city, exactly as printed."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_example_runs(demo_city):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has no python example"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    case = namespace["case"]
    case.refresh_from_db()
    assert case.state == "accepted" and case.clocks.filter(kind="handling", is_open=True).exists()
