"""The English UI: the language switcher and Accept-Language turn the pages English, and the committed
catalog (xinfang/locale/en) is complete, not fuzzy, and its .mo matches the .po it was compiled from."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from xinfang.core.tests.helpers import assert_shows, page_text
from xinfang.orgs.models import User

pytestmark = pytest.mark.django_db

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
# The feature apps keep their own catalogs (xinfang/<app>/locale/en/LC_MESSAGES/django.po, found by Django
# as app locale folders), so each app's strings live beside its code.
APP_POS = sorted((Path(settings.BASE_DIR) / "xinfang").glob("*/locale/en/LC_MESSAGES/django.po"))
ALL_POS = [PO, *APP_POS]

LOGIN_EN = (
    "Staff login",
    "Username",
    "Password",
    "Log in",
    "Handled under the Regulation on Letters and Visits",
)
LOGIN_ZH = ("工作人员登录", "用户名", "密码", "依据《信访工作条例》办理")
GUIDE_EN = (
    "Find the right door first, then write your petition",
    "Courts (litigation)",
    "Arbitration",
    "Discipline inspection bodies",
    "Art. 22 of the Regulation on Letters and Visits",
    "Check progress",
    "Submit a petition",
)
GUIDE_ZH = ("先找对门，再写信访", "法院（诉讼）", "纪检监察机关", "第二十二条", "查询进展", "我要信访")


def test_the_switcher_turns_login_and_portal_guide_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    assert_shows(page_text(client, "/accounts/login/"), LOGIN_EN, LOGIN_ZH)
    assert_shows(page_text(client, "/portal/"), GUIDE_EN, GUIDE_ZH)

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert_shows(page_text(client, "/accounts/login/"), LOGIN_ZH, LOGIN_EN)
    assert_shows(page_text(client, "/portal/"), GUIDE_ZH, GUIDE_EN)


def test_accept_language_en_gets_english(client):
    assert_shows(page_text(client, "/accounts/login/", HTTP_ACCEPT_LANGUAGE="en"), LOGIN_EN, LOGIN_ZH)
    assert_shows(page_text(client, "/portal/", HTTP_ACCEPT_LANGUAGE="en"), GUIDE_EN, GUIDE_ZH)
    track = page_text(client, "/portal/track/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Enter the number and query code you received on registration." in track


def test_chinese_is_the_default(client):
    assert_shows(page_text(client, "/accounts/login/"), LOGIN_ZH, LOGIN_EN)
    assert_shows(page_text(client, "/portal/", HTTP_ACCEPT_LANGUAGE="zh-CN"), GUIDE_ZH, GUIDE_EN)


def test_a_signed_in_officer_sees_the_workspace_in_english(client, demo_city):
    client.force_login(User.objects.get(username="dengji_dc"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = page_text(client, "/cases/")
    assert_shows(html, ("My tasks", "Log out", "Switch body", "Red light"), ("我的待办", "切换机关", "红灯"))


def test_plurals_and_dates_follow_the_language():
    with translation.override("en"):
        assert translation.ngettext("%(n)s 件", "%(n)s 件", 1) % {"n": 1} == "1 petition"
        assert translation.ngettext("%(n)s 件", "%(n)s 件", 3) % {"n": 3} == "3 petitions"
    template = Template('{% load i18n %}{{ d|date:_("Y年n月j日") }}')
    import datetime as dt

    context = Context({"d": dt.date(2026, 3, 5)})
    with translation.override("zh-hans"):
        assert template.render(context) == "2026年3月5日"
    with translation.override("en"):
        assert template.render(context) == "March 5, 2026"


# --- the catalog itself -------------------------------------------------------------------------------


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    return ast.literal_eval(s)


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: msgctxt/msgid/msgid_plural/msgstr/msgstr[N] with continuation lines, and flags."""
    entries: list[dict] = []
    entry: dict | None = None
    field: tuple | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}, "flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            field, entry["msgctxt"] = ("msgctxt",), _unquote(line[8:])
        elif line.startswith("msgid_plural "):
            field, entry["msgid_plural"] = ("msgid_plural",), _unquote(line[13:])
        elif line.startswith("msgid "):
            field, entry["msgid"] = ("msgid",), _unquote(line[6:])
        elif m := re.match(r"msgstr\[(\d+)\]\s+(.*)", line):
            field = ("msgstr", int(m[1]))
            entry["msgstr"][int(m[1])] = _unquote(m[2])
        elif line.startswith("msgstr "):
            field = ("msgstr", 0)
            entry["msgstr"][0] = _unquote(line[7:])
        elif line.startswith('"'):
            assert field is not None, raw
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field[0]] += _unquote(line)
        else:
            raise AssertionError(f"unexpected line in {path.name}: {raw!r}")
    if entry is not None:
        entries.append(entry)
    return entries


def _messages(po: Path | None = None) -> list[dict]:
    pos = [po] if po else ALL_POS
    return [e for p in pos for e in parse_po(p) if e["msgid"]]


@pytest.mark.parametrize("po", ALL_POS, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_the_catalog_is_complete_and_not_fuzzy(po):
    entries = parse_po(po)
    header = entries[0]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "Language: en" in header["msgstr"][0]
    messages = _messages(po)
    assert len(messages) > (200 if po == PO else 0)
    for e in messages:
        assert "fuzzy" not in e["flags"], e["msgid"]
        wanted = 2 if e["msgid_plural"] is not None else 1
        assert sorted(e["msgstr"]) == list(range(wanted)), e["msgid"]
        for text in e["msgstr"].values():
            assert text.strip(" "), f"untranslated: {e['msgid']!r}"
            assert sorted(re.findall(r"%\(\w+\)s", text)) == sorted(re.findall(r"%\(\w+\)s", e["msgid"])), e
            assert sorted(re.findall(r"</?\w+>", text)) == sorted(re.findall(r"</?\w+>", e["msgid"])), e
            assert not re.search(r"[\u4e00-\u9fff]", text) or e["msgid"] == "请填写数字，如 8 或 八。", e


@pytest.mark.parametrize("po", ALL_POS, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_the_committed_mo_matches_the_po(po):
    """A stale .mo (the .po changed, compilemessages not run or not committed) fails here."""
    with po.with_suffix(".mo").open("rb") as f:
        catalog = dict(gettext.GNUTranslations(f)._catalog)
    expected: dict = {}
    for e in parse_po(po):
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if not key:  # the header: msgfmt leaves out POT-Creation-Date
            expected[key] = "".join(
                line for line in e["msgstr"][0].splitlines(True) if not line.startswith("POT-Creation-Date:")
            )
        elif e["msgid_plural"] is None:
            expected[key] = e["msgstr"][0]
        else:
            for n, text in e["msgstr"].items():
                expected[(key, n)] = text
    assert set(catalog) == set(expected)
    for key, text in expected.items():
        assert catalog[key] == text, key


def test_every_translate_tag_in_the_templates_is_in_the_catalog():
    """A {% translate "…" %} or _("…") added to a template without updating the catalog fails here:
    run makemessages, translate, compilemessages."""
    known = {e["msgid"] for e in _messages()}
    root = Path(settings.BASE_DIR) / "xinfang"
    pattern = re.compile(
        r"""\{%\s*translate\s+(?P<q>["'])(?P<s>.*?)(?P=q)[^%]*%\}|_\((?P<q2>["'])(?P<s2>.*?)(?P=q2)\)"""
    )
    missing = []
    for template in root.glob("**/templates/**/*.html"):
        for m in pattern.finditer(template.read_text(encoding="utf-8")):
            msgid = m["s"] if m["s"] is not None else m["s2"]
            if msgid not in known:
                missing.append(f"{template.relative_to(root)}: {msgid}")
    assert not missing, missing


def test_every_marked_python_string_is_in_the_catalog():
    """A _("…"), gettext("…"), gettext_lazy("…") or gettext_noop("…") added in Python (form labels, choice
    labels, portal sentences) without updating the catalog fails here."""
    known = {e["msgid"] for e in _messages()}
    root = Path(settings.BASE_DIR) / "xinfang"
    pattern = re.compile(
        r"""\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*(?P<q>["'])(?P<s>(?:(?!(?P=q)).)+)(?P=q)\s*[,)%]"""
    )
    missing = []
    for source in root.glob("**/*.py"):
        if "tests" in source.parts or "migrations" in source.parts:
            continue
        for m in pattern.finditer(source.read_text(encoding="utf-8")):
            if m["s"] not in known:
                missing.append(f"{source.relative_to(root)}: {m['s']}")
    assert not missing, missing
