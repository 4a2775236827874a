"""Text on the lights is readable: WCAG AA contrast (4.5:1) for the yellow light's text (issue #16)."""

import re

import pytest
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "static" / "xinfang" / "app.css"


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_yellow_light_text_contrast_at_least_4_5():
    css = CSS.read_text(encoding="utf-8")
    var = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    rule = re.search(r"\.light-yellow\s*\{([^}]*)\}", css).group(1)
    background = var[re.search(r"background:\s*var\(--([\w-]+)\)", rule).group(1)]
    colour = re.search(r"color:\s*(?:var\(--([\w-]+)\)|(#[0-9a-fA-F]{6}))", rule)
    text = var[colour.group(1)] if colour.group(1) else colour.group(2)
    assert _contrast(text, background) >= 4.5, (text, background)


@pytest.mark.django_db
def test_transfer_target_is_a_searchable_chooser_grouped_by_level_and_kind(demo_city):
    from xinfang.cases.tests.factories import registrar
    from xinfang.cases.workflow import BY_ACTION
    from xinfang.workspace.forms import ActionForm

    form = ActionForm(transition=BY_ACTION["transfer"], actor=registrar("990100-xinfang"), prefix="transfer")
    html = str(form["target_body"])
    assert 'data-chooser="id_transfer-target_body"' in html and "chooser.js" in html
    groups = re.findall(r'<optgroup label="([^"]+)">', html)
    assert groups[0].startswith("示例市 · ") and "东城区 · 政法部门" in groups
    assert groups.index("示例市 · 职能部门/单位") < groups.index("东城区 · 职能部门/单位")  # by level
    assert len(groups) == len(set(groups))  # one group per level and kind
