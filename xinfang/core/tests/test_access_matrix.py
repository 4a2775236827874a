"""The permission matrix (issue #9): built by walking the URL conf and the API schema, so a URL nobody thought
about is checked too. Every URL needs a rule (`xinfang/<app>/access.py`); each rule is then tried for every
role and every body relation against what the read path says the acting body may see.

Two acting bodies are tried, because visibility works differently for each: a 信访部门 oversees its region
(990101-xinfang, a county's), an agency its own line (990100-housing, the city's). For each, six cases:

  own            held by the acting body                              → visible
  parent         held by the body above it                            → not visible
  child          held by a body under it                              → visible (oversight)
  accused        a 检举控告 about the acting body, held under it       → never visible (Art. 30, 46)
  inside_accused a 检举控告 about a body above it, held under it       → never visible
  unrelated      held by a body elsewhere                             → not visible

Each URL is asked for with every object of every relation; an invisible one must answer 404 whatever else the
request carries (permission before validation), and no page, export or API answer of any URL may carry an
invisible case's marker, or anyone's whole ID number or phone.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from xinfang.cases.models import Case, PetitionType
from xinfang.cases.selectors import cases_visible_to
from xinfang.cases.tests.factories import register, registrar, valid_id
from xinfang.core.access import Rule, all_rules, rule_for
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, Membership, Role, User

pytestmark = pytest.mark.django_db

RELATIONS = ("own", "parent", "child", "accused", "inside_accused", "unrelated")
EXPECTED_VISIBLE = {"own", "child"}
ROLES = [r.value for r in Role]
WHO = {"public", "petitioner", "staff", "admin"}
SCOPES = {"case", "person", "body", "ledger_item", "none"}

# relation → (holding body, accused body or None), per acting body
FOCAL = {
    "990100-housing": {
        "own": ("990100-housing", None),
        "parent": ("990100-government", None),
        "child": ("990101-housing", None),
        "accused": ("990101-housing", "990100-housing"),
        "inside_accused": ("990101-housing", "990100-government"),
        "unrelated": ("990100-labour", None),
    },
    "990101-xinfang": {
        "own": ("990101-xinfang", None),
        "parent": ("990100-xinfang", None),
        "child": ("990101001-xinfang", None),
        "accused": ("990101-housing", "990101-xinfang"),
        "inside_accused": ("990101-housing", "990100-xinfang"),
        "unrelated": ("990102-housing", None),
    },
}
# Sample values for URL arguments that are not the rule's object (an action name, a field, a token …).
SAMPLE_STR = {"action": "accept", "field": "phone", "token": "x" * 20}
SAMPLE_INT = 999_999_999


# ------------------------------------------------------------------------------------------- the walk


@dataclass(frozen=True)
class Url:
    name: str
    route: str
    pattern: URLPattern
    converters: dict


def walk(patterns=None, prefix: str = "", namespace: str | None = None):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = (p.namespace and (f"{namespace}:{p.namespace}" if namespace else p.namespace)) or namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            unnamed = "<unnamed {}>".format(f"{prefix}{p.pattern}".replace(":", "="))
            name = f"{namespace}:{p.name or unnamed}" if namespace else p.name
            yield Url(
                name=name or unnamed,
                route=prefix + str(p.pattern),
                pattern=p,
                converters=getattr(p.pattern, "converters", {}),
            )


def own_urls() -> list[Url]:
    """Every URL but the admin site's own (one rule covers those; a sample of them is tried below)."""
    return [u for u in walk() if not u.name.startswith("admin:")]


def test_every_url_has_a_rule():
    rules = all_rules()
    missing = [f"{u.name} ({u.route})" for u in walk() if rule_for(u.name, rules) is None]
    assert not missing, (
        "URLs without an access rule — add them to RULES in xinfang/<app>/access.py "
        f"(see xinfang/core/access.py): {missing}"
    )


def test_every_rule_is_well_formed_and_names_a_url():
    names = {u.name for u in walk()}
    bad = []
    for key, r in all_rules().items():
        if not isinstance(r, Rule) or r.who not in WHO or r.scope not in SCOPES:
            bad.append(f"{key}: {r!r}")
        elif not r.roles <= set(ROLES):
            bad.append(f"{key}: unknown roles {set(r.roles) - set(ROLES)}")
        elif not key.endswith(":*") and key not in names:
            bad.append(f"{key}: no such URL")
        elif r.scope in ("case", "person", "ledger_item") and r.who == "staff" and not r.object_kwarg:
            bad.append(f"{key}: a {r.scope} rule names its object_kwarg")
    assert not bad, bad


def test_every_api_schema_path_has_a_rule():
    from django.urls import Resolver404, resolve
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    rules = all_rules()
    missing = []
    for path in schema["paths"]:
        match = None
        for sample in ("1", "x", "pdf"):
            try:
                match = resolve(re.sub(r"\{[^}]+\}", sample, path))
                break
            except Resolver404:
                continue
        if match is None:
            missing.append(f"{path} (does not resolve)")
            continue
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        if rule_for(name, rules) is None:
            missing.append(path)
    assert schema["paths"] and not missing, missing


# ------------------------------------------------------------------------------------------- the world


@dataclass
class World:
    cases: dict[tuple[str, str], Case] = field(default_factory=dict)  # (focal, relation) → case
    items: dict[tuple[str, str], int] = field(default_factory=dict)  # (focal, relation) → ledger item pk
    users: dict[tuple[str, str], User] = field(default_factory=dict)  # (focal, role or "all") → user
    secrets: list[str] = field(default_factory=list)  # every whole ID number and phone

    def marker(self, focal: str, relation: str) -> str:
        return f"MX{list(FOCAL).index(focal)}{relation.upper()}"

    def invisible_markers(self, focal: str) -> list[str]:
        """Markers of the cases this acting body may not see: none may show anywhere to its users."""
        return [self.marker(focal, r) for r in RELATIONS if r not in EXPECTED_VISIBLE]


def _hold(case: Case, body: Body, accused: Body | None, marker: str) -> Case:
    Case.objects.filter(pk=case.pk).update(
        title=marker,
        registering_body=body,
        current_body=body,
        handling_body=body,
        sender_body=None,
        problem_region=body.region,
        petition_type=PetitionType.ACCUSATION if accused else PetitionType.APPEAL,
        subject_body=accused,
        subject_text=accused.name if accused else "",
        is_backlog=True,
    )
    return Case.objects.get(pk=case.pk)


def _ledger_item(case: Case, body: Body) -> int:
    from xinfang.deadlines.models import Clock, LedgerDay, LedgerItem

    today = timezone.localdate()
    clock = Clock.objects.create(
        case=case, kind="handling", body=body, started_on=today - timedelta(days=59), days=60, due_on=today
    )
    day, _ = LedgerDay.objects.get_or_create(body=body, date=today)
    return LedgerItem.objects.create(ledger_day=day, clock=clock, light="red", due_on=today).pk


def _user(username: str, body: Body, roles) -> User:
    user = User.objects.create(username=username, display_name=username)
    Membership.objects.bulk_create([Membership(user=user, body=body, role=r) for r in roles])
    return user


@pytest.fixture
def world(demo_city) -> World:
    w = World()
    far_registrar = registrar("990106-xinfang")
    bodies = {b.code: b for b in Body.objects.select_related("region")}
    seed = 500
    for focal, relations in FOCAL.items():
        for relation, (holder, accused) in relations.items():
            seed += 1
            case = register(by=far_registrar, seed=seed, region="990106001").case
            case = _hold(
                case, bodies[holder], bodies[accused] if accused else None, w.marker(focal, relation)
            )
            w.cases[(focal, relation)] = case
            w.items[(focal, relation)] = _ledger_item(case, bodies[holder])
            w.secrets += [valid_id(seed), f"1380000{seed:04d}"]
        for role in ROLES:
            w.users[(focal, role)] = _user(f"mx-{focal}-{role}", bodies[focal], [role])
        w.users[(focal, "all")] = _user(f"mx-{focal}-all", bodies[focal], ROLES)
    return w


def test_the_read_path_matches_the_relation_table(world):
    """The selector itself, per body relation: what the rest of the matrix takes as the expectation."""
    for focal in FOCAL:
        actor = Actor(user=None, body=Body.objects.get(code=focal), roles=frozenset(ROLES))
        visible = set(cases_visible_to(actor).values_list("pk", flat=True))
        seen = {r for r in RELATIONS if world.cases[(focal, r)].pk in visible}
        assert seen == EXPECTED_VISIBLE, (focal, seen)


# ---------------------------------------------------------------------------------------- the requests


def _object_kwargs(url: Url, r: Rule, world: World, focal: str, relation: str) -> dict | None:
    """URL arguments for the rule's object of this relation (None: the rule has no per-relation object)."""
    case = world.cases[(focal, relation)]
    if r.scope == "case":
        obj = {"int": case.pk, "str": case.number}
    elif r.scope == "person":
        pk = case.petitioners.values_list("person_id", flat=True).first()
        obj = {"int": pk, "str": str(pk)}
    elif r.scope == "ledger_item":
        obj = {"int": world.items[(focal, relation)], "str": str(world.items[(focal, relation)])}
    elif r.scope == "body" and r.object_kwarg:
        obj = {"int": case.current_body_id, "str": case.current_body.code}
    else:
        return None
    kwargs = _sample_kwargs(url)
    if not r.object_kwarg:
        return None  # a session-scoped object (the portal's unlocked case): nothing in the URL to swap
    if r.object_kwarg not in url.converters:
        # Not in the route: the object comes as a query (GET) or form (POST) parameter, by pk.
        kwargs[f"?{r.object_kwarg}"] = obj["int"]
        return kwargs
    kind = "int" if type(url.converters[r.object_kwarg]).__name__ == "IntConverter" else "str"
    kwargs[r.object_kwarg] = obj[kind]
    if "person_pk" in kwargs and r.scope == "case":
        kwargs["person_pk"] = case.petitioners.values_list("person_id", flat=True).first()
    return kwargs


STR_CANDIDATES = ("x", "pdf", "docx", "xlsx", "csv", "1", "2026", "abcdefgh", "x" * 20)


def _sample_kwargs(url: Url) -> dict:
    """A value for every URL argument that its converter accepts: a huge int for ints (no such object), else
    the first candidate the converter's pattern matches (SAMPLE_STR's, if any, first)."""
    out = {}
    for name, conv in url.converters.items():
        if type(conv).__name__ == "IntConverter":
            out[name] = SAMPLE_INT
            continue
        candidates = [SAMPLE_STR[name]] if name in SAMPLE_STR else []
        regex = re.compile(f"(?:{getattr(conv, 'regex', '.+')})")
        out[name] = next((c for c in [*candidates, *STR_CANDIDATES] if regex.fullmatch(c)), "x")
    return out


def _path(name: str, kwargs: dict | None) -> tuple[str, dict]:
    """The URL for these arguments; those named "?x" go as parameters instead of into the route."""
    kwargs = dict(kwargs or {})
    params = {k[1:]: v for k, v in kwargs.items() if k.startswith("?")}
    route = {k: v for k, v in kwargs.items() if not k.startswith("?")}
    return reverse(name, kwargs=route or None), params


def _fetch(client: Client, name: str, kwargs: dict | None, *, api: bool):
    path, params = _path(name, kwargs)
    headers = {"HTTP_ACCEPT": "application/json"} if api else {}
    resp = client.get(path, params, **headers)
    if resp.status_code == 405:
        resp = client.post(path, params, **headers)
    return resp


def _text(resp) -> str:
    raw = b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content
    ctype = resp.get("Content-Type", "")
    if "spreadsheetml" in ctype:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            str(v)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    text = raw.decode("utf-8", errors="replace")
    if "json" in ctype:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def _staff_rules(world) -> list[tuple[Url, Rule]]:
    rules = all_rules()
    pairs = [(u, rule_for(u.name, rules)) for u in own_urls()]
    return [(u, r) for u, r in pairs if r is not None and r.who == "staff"]


def _leaks(text: str, world: World, focal: str, r: Rule) -> list[str]:
    found = [m for m in world.invisible_markers(focal) if m in text]
    if not r.personal_data:
        found += [f"whole personal data {s[:3]}…" for s in world.secrets if s in text]
    return found


def test_invisible_objects_are_not_found_on_every_url(world):
    """Every case/person/ledger item/body-scoped URL, for every relation, with a user holding every role:
    an object the acting body may not see is a 404 (GET, or an empty POST: permission before validation)."""
    failures = []
    for url, r in _staff_rules(world):
        if r.scope not in ("case", "person", "ledger_item", "body") or not r.object_kwarg:
            continue
        api = url.name.startswith("api:")
        for focal in FOCAL:
            client = Client()
            client.force_login(world.users[(focal, "all")])
            for relation in RELATIONS:
                kwargs = _object_kwargs(url, r, world, focal, relation)
                if kwargs is None:
                    continue
                resp = _fetch(client, url.name, kwargs, api=api)
                visible = relation in EXPECTED_VISIBLE
                if r.scope == "ledger_item":
                    visible = relation == "own"  # only the acting body's own ledger is cleared by it
                if r.scope == "body":
                    visible = relation in ("own", "child", "accused", "inside_accused")  # bodies under it
                if resp.status_code >= 500:
                    failures.append(f"{url.name} {focal}/{relation}: {resp.status_code}")
                elif not visible and resp.status_code != 404:
                    failures.append(f"{url.name} {focal}/{relation}: {resp.status_code}, expected 404")
                elif visible and resp.status_code == 404 and r.scope != "case":
                    failures.append(f"{url.name} {focal}/{relation}: 404 for a visible object")
                if leaks := _leaks(_text(resp), world, focal, r):
                    failures.append(f"{url.name} {focal}/{relation} shows {leaks}")
    assert not failures, "\n".join(failures)


def test_visible_cases_open_on_their_read_urls(world):
    """The other side: a GET page or API detail of a visible case opens (200) for the acting body."""
    failures = []
    for url, r in _staff_rules(world):
        if r.scope != "case" or not r.object_kwarg or url.name in ("api:case-action",):
            continue
        for focal in FOCAL:
            client = Client()
            client.force_login(world.users[(focal, "all")])
            kwargs = _object_kwargs(url, r, world, focal, "own")
            if kwargs is None:
                continue  # test_every_rule_is_well_formed_and_names_a_url names it
            path, params = _path(url.name, kwargs)
            resp = client.get(path, params)
            if resp.status_code == 405 or any(v == SAMPLE_INT for v in kwargs.values()):
                continue  # a POST-only action, or a sub-object we have no sample of
            if resp.status_code != 200:
                failures.append(f"{url.name} {focal}/own: {resp.status_code}")
    assert not failures, failures


def test_lists_exports_and_pages_never_show_what_is_not_visible(world):
    """Every GET-able staff URL without an object (lists, exports, dashboards, the API list), for every role
    that may open it: no invisible case's marker, and nobody's whole ID number or phone."""
    failures = []
    year = timezone.localdate().year
    for url, r in _staff_rules(world):
        if r.object_kwarg or url.converters:
            continue
        api = url.name.startswith("api:")
        path = reverse(url.name) + f"?year={year}"
        for focal in FOCAL:
            for role in [*(r.roles or ROLES)]:
                client = Client()
                client.force_login(world.users[(focal, role)])
                resp = client.get(path, **({"HTTP_ACCEPT": "application/json"} if api else {}))
                if resp.status_code >= 500:
                    failures.append(f"{url.name} as {role}@{focal}: {resp.status_code}")
                elif leaks := _leaks(_text(resp), world, focal, r):
                    failures.append(f"{url.name} as {role}@{focal} shows {leaks}")
    assert not failures, "\n".join(failures)


def test_roles_outside_a_rule_are_refused(world):
    """A URL whose rule names roles refuses every other role (403/404, or the admin's login), whatever the
    body relation: here on the acting body's own object, where only the role can be the reason."""
    failures = []
    for url, r in _staff_rules(world):
        if not r.roles:
            continue
        api = url.name.startswith("api:")
        for focal in FOCAL:
            kwargs = _object_kwargs(url, r, world, focal, "own") if r.object_kwarg else _sample_kwargs(url)
            if kwargs is None:
                continue
            for role in set(ROLES) - set(r.roles):
                client = Client()
                client.force_login(world.users[(focal, role)])
                resp = _fetch(client, url.name, kwargs, api=api)
                if resp.status_code not in (403, 404):
                    failures.append(f"{url.name} as {role}@{focal}: {resp.status_code}")
    assert not failures, "\n".join(failures)


def test_anonymous_callers_reach_only_public_urls(world):
    failures = []
    rules = all_rules()
    sample_admin = ["admin:index", "admin:cases_case_changelist", "admin:people_person_changelist"]
    urls = own_urls() + [u for u in walk() if u.name in sample_admin]
    case = world.cases[("990100-housing", "own")]
    for url in urls:
        r = rule_for(url.name, rules)
        if r is None:
            continue  # test_every_url_has_a_rule names it
        kwargs = _sample_kwargs(url)
        if r.object_kwarg and r.object_kwarg in kwargs:
            kwargs[r.object_kwarg] = case.pk if isinstance(kwargs[r.object_kwarg], int) else case.number
        resp = _fetch(Client(), url.name, kwargs, api=url.name.startswith("api:"))
        body = _text(resp)
        if resp.status_code >= 500:
            failures.append(f"{url.name}: {resp.status_code}")
        elif r.who == "public":
            continue
        elif resp.status_code == 200 or case.title in body or any(s in body for s in world.secrets):
            failures.append(f"{url.name} ({r.who}) answers an anonymous caller {resp.status_code}")
    assert not failures, "\n".join(failures)


def test_the_admin_site_is_for_administrators_only(world):
    """Staff of any other role have no admin (is_staff is the administrator's alone)."""
    for role in set(ROLES) - {Role.ADMINISTRATOR}:
        client = Client()
        client.force_login(world.users[("990100-housing", role)])
        resp = client.get(reverse("admin:cases_case_changelist"))
        assert resp.status_code == 302 and "/admin/login/" in resp["Location"], role
