from pathlib import Path

from xinfang.analytics.figures import DEFINITIONS, Side

DOC = Path(__file__).resolve().parents[3] / "docs" / "figures.md"


def test_docs_state_the_definitions_in_the_code_words():
    text = DOC.read_text(encoding="utf-8")
    for d in DEFINITIONS.values():
        assert f"| `{d.key}` | {d.name} | {Side.LABELS[d.side]} | {d.numerator} | {d.denominator} |" in text
