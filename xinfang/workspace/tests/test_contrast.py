"""Text on the lights is readable: WCAG AA contrast (4.5:1) for the yellow light's text (issue #16)."""

import re
from pathlib import Path

import pytest

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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_clocks_table_keeps_its_layout_with_the_beyond_calendar_badge(page, demo_city, shots):
    from xinfang.cases.models import Category
    from xinfang.cases.tests.factories import register, registrar
    from xinfang.deadlines.models import Clock
    from xinfang.orgs.demo import DEMO_PASSWORD

    Category.objects.get_or_create(code="urban_rural", defaults={"name": "城乡建设"})
    case = register(by=registrar()).case
    Clock.objects.filter(case=case).update(beyond_known_calendar=True)  # as every 2027 clock is
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill("dengji_dc")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    page.goto(page.base_url + f"/cases/{case.pk}/")
    page.get_by_test_id("beyond-calendar").wait_for()
    table = page.get_by_test_id("clocks")
    fits = table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    widths = table.evaluate("t => Array.from(t.rows[0].cells).map(c => c.getBoundingClientRect().width)")
    assert fits and widths[0] >= widths[1] * 1.2 and widths[2] >= 100, (
        widths
    )  # the label column is not squeezed by the badge
    table.screenshot(path=str(shots / "23-clocks-beyond-calendar.png"))
