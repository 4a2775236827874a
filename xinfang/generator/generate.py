"""Realistic volume: cases at every stage of their life, spread over the demo city.

Two paths make the same cases from the same seed. `services` drives the real services step by step under
`time_machine.travel` (so every date is what the services themselves stamp); `bulk` simulates the same
steps from the transition table (state, clocks stopped/started, notice kinds, event actions) and writes
them in batches — executemany on SQLite, COPY on PostgreSQL — on tuples from row builders compiled per table
(bulk_create spent most of its time preparing values per field per row), cases as plain dicts, petitioners
drawn from pools that Faker fills once per run, events linked into the hash chain as each batch writes them,
and — from 100,000 cases, on both databases — the secondary indexes dropped for the load and built again
after (docs/performance.md, "Generating data"). Bulk cases share one 查询码 (printed at the end): a pbkdf2 hash
per case would cost more than everything else together. Bulk notice texts are short summaries, not the
rendered templates.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import gzip
import itertools
import json
import logging
import multiprocessing
import os
import random
import re
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, models, transaction
from django.utils import timezone

from xinfang.analytics.tally import tally_uninstall
from xinfang.cases.models import (
    QUEUE_STATES,
    Case,
    CaseNumberSequence,
    CasePetitioner,
    Category,
    Notice,
    NoticeKind,
    State,
)
from xinfang.cases.querycode import query_code_hash, query_code_new
from xinfang.cases.services import PetitionerInput, case_act, case_register
from xinfang.cases.services.actions import SNAPSHOT_FIELDS
from xinfang.cases.services.notices import notice_terms
from xinfang.cases.workflow import BY_ACTION, OPENING, PETITIONER_WINDOWS, REGISTRATION_OUTCOMES, ClockKind
from xinfang.core.audit import event_chain_links, event_chain_seal, event_payload_parts
from xinfang.core.maintenance import Disabled, analyze, objects_disabled
from xinfang.core.models import Event
from xinfang.core.periods import period
from xinfang.deadlines.calendar import WorkCalendar, compute_due, effective_working
from xinfang.deadlines.clocks import evaluation_window_days
from xinfang.deadlines.models import Clock
from xinfang.deadlines.selectors import LAPSING_WINDOWS
from xinfang.evaluation.models import Evaluation, EvaluationChannel, ReturnVisit, ReturnVisitKind, Stage
from xinfang.evaluation.services import (
    ANSWER_NOTICES,
    evaluation_record,
    return_visit_after_days,
    return_visit_body,
)
from xinfang.orgs import demo as demo_city
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, BodyKind, Membership, Region, Role, User
from xinfang.people.models import Person

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXTRACT = Path(__file__).parent / "data" / "messages_extract.csv.gz"
COUNTIES = ["990101", "990102", "990103", "990104", "990105", "990106", "990121", "990122", "990123"]
# 东城区 carries the demo logins: it gets a larger share so their queues are full.
COUNTY_WEIGHTS = [6, 1, 1, 1, 1, 1, 1, 1, 1]

# Who acts: the registering 信访局, the county agency, its head, the city agency (复查), the city government (复核).
REG, OFF, HEAD, CITY, GOV = "registrar", "officer", "head", "city", "government"

# One step: (who, action, inputs, days after the previous step). "evaluate" is the evaluation service.
Step = tuple[str, str, dict[str, Any], int]
TRANSFER: Step = (REG, "transfer", {}, 2)
RECEIVE: Step = (OFF, "receive", {}, 1)
ACCEPT: Step = (OFF, "accept", {"route": "6"}, 3)
ANSWER: Step = (OFF, "answer", {"outcome": "explain", "text": "经调查核实，现答复如下。"}, 20)
REVIEW: list[Step] = [
    (REG, "request_review", {"reason": "对处理意见不服"}, 5),
    (CITY, "decide_review", {"outcome": "not_support", "text": "经复查，维持原处理意见。"}, 15),
]
REREVIEW: list[Step] = [
    (REG, "request_rereview", {"reason": "对复查意见不服"}, 5),
    (GOV, "decide_rereview", {"outcome": "not_support", "text": "经复核，维持复查意见。"}, 20),
]
HANDLED = [TRANSFER, RECEIVE, ACCEPT]
STAGES: dict[str, list[Step]] = {
    "registered": [],
    "transferred": [TRANSFER],
    "received": [TRANSFER, RECEIVE],
    "accepted": HANDLED,
    "extended": [*HANDLED, (HEAD, "extend", {"days": 30, "reason": "案情复杂，需要调查核实"}, 30)],
    "answered": [*HANDLED, ANSWER],
    "evaluated": [*HANDLED, ANSWER, (REG, "evaluate", {"result": "satisfied"}, 3)],
    "reviewed": [*HANDLED, ANSWER, *REVIEW],
    "rereviewed": [*HANDLED, ANSWER, *REVIEW, *REREVIEW],
    "concluded": [*HANDLED, ANSWER, (OFF, "conclude", {}, 45)],
    "terminated": [*HANDLED, ANSWER, *REVIEW, *REREVIEW, (GOV, "terminate", {"reason": "复核终结"}, 2)],
    "archived": [*HANDLED, ANSWER, (OFF, "conclude", {}, 45), (OFF, "archive", {}, 3)],
    "refused": [(REG, "refuse", {"reason": "不属于信访事项受理范围，已告知通过法定途径解决"}, 2)],
    "diverted": [TRANSFER, RECEIVE, (OFF, "divert", {"route": "1", "reason": "属于诉讼程序解决的事项"}, 3)],
    "repeat": [],  # a second petition on the same matter, linked to the first (docs/domain.md §9)
}
# Open stages dominate, as in a real queue.
STAGE_WEIGHTS = {
    "registered": 8,
    "transferred": 8,
    "received": 8,
    "accepted": 14,
    "extended": 4,
    "answered": 8,
    "evaluated": 6,
    "reviewed": 4,
    "rereviewed": 2,
    "concluded": 12,
    "terminated": 2,
    "archived": 12,
    "refused": 4,
    "diverted": 3,
    "repeat": 5,
}
LABEL_TO_CATEGORY = {
    "城乡建设": "urban_rural",
    "环境保护": "environment",
    "交通运输": "transport",
    "教育文体": "education_culture",
    "劳动和社会保障": "labour_social",
    "商贸旅游": "commerce_tourism",
    "卫生计生": "health",
}
CHANNELS = ["online"] * 5 + ["letter"] * 2 + ["visit"] * 2 + ["phone", "leader_mailbox"]
# An open case's last step happened within this many days (drawn evenly): about as long as the clock then
# running, a tenth more — so most clocks are green, some yellow, about one in eight red, as in a real queue
# (a case still 已登记 is days old, not months). Closed stages keep the whole span.
OPEN_AGE_DAYS = {
    "registered": 16,
    "received": 16,
    "accepted": 66,
    "extended": 60,
    "answered": 33,
    "evaluated": 33,
    "reviewed": 33,
    "rereviewed": 33,
    "transferred": 6,
    "repeat": 13,  # the first petition stays 已登记 until it is sent on
}
# The city 信访局 registers a share itself (what reaches the city directly) and sends it down to the county
# agency (Art. 22(二)): its registrars — the first demo login — have a queue of their own.
CITY_REGISTRAR = "990100-xinfang"
CITY_SHARE = 0.2
# The extract's anonymised places (A市, M2县, A3区) read as the demo city's own.
_ANON_CITY = re.compile(r"[A-Z]\d*市")
_ANON_COUNTY = re.compile(r"[A-Z]\d+[县区]|[A-Z][县区](?![A-Za-z])")


@lru_cache(maxsize=65536)  # the extract's ~1,900 messages × the counties: two regex passes per plan otherwise
def _localise(text: str, county_name: str) -> str:
    return _ANON_COUNTY.sub(county_name, _ANON_CITY.sub(demo_city.CITY[1], text))


@lru_cache(maxsize=1)
def messages() -> list[tuple[str, str, str]]:
    with gzip.open(EXTRACT, "rt", encoding="utf-8") as f:
        return [(r["title"], r["detail"], r["label"]) for r in csv.DictReader(f)]


@dataclass
class Plan:
    """One case to make: everything random is drawn here, so both paths make the same case."""

    stage: str
    county: str
    township: str
    category: str
    channel: str
    title: str
    request: str
    petitioners: list[tuple[str, str, str]]  # name, id number, phone
    registered_at: datetime
    steps: list[tuple[datetime, Step]]
    repeat_at: datetime | None = None
    registrar: str = ""  # the registering 信访局's code ("" → the county's)


# GB 11643's check character of an id number's first 17 digits (people.validators.id_number_check_char),
# from the digits' weighted sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _weighted(digits: str, start: int) -> int:
    """The weighted sum of `digits` standing at positions start, start + 1, … of an id number."""
    return sum(int(c) * w for c, w in zip(digits, _ID_WEIGHTS[start:], strict=False))


class Petitioners:
    """Names, phones and id numbers drawn from pools that Faker fills once per run from the seed.

    Faker per person cost more than the rest of the bulk path's simulation together (`ssn` ~40 µs, `name`
    ~24 µs); a draw from a pool is a few random numbers. Id numbers are built, not pooled (一人一档 needs
    them unique per Person): a Faker-made area code, a birth date and a sequence number, with the check
    character computed as the validator checks it, and redrawn on a clash."""

    NAMES = 5000

    def __init__(self, *, rng: random.Random, fake: Any, taken: set[str]):
        self.rng = rng
        self.ids = taken
        self.names = [fake.name() for _ in range(self.NAMES)]
        self.mobile = sorted({fake.phone_number()[:3] for _ in range(300)})
        self.areas = sorted({fake.ssn()[:6] for _ in range(300)})
        first, last = date(1940, 1, 1), date(2005, 12, 31)
        self.births = [(first + timedelta(days=d)).strftime("%Y%m%d") for d in range((last - first).days)]
        # The check character's weighted sum, in three parts computed once per area, birth date and sequence
        # number (id_number_check_char per id was a sixth of drawing a plan); the same character (a test).
        self.area_sum = {a: _weighted(a, 0) for a in self.areas}
        self.birth_sum = {b: _weighted(b, 6) for b in self.births}
        self.serial_sum = [_weighted(f"{n:03d}", 14) for n in range(1000)]

    def id_number(self) -> str:
        rng, ids = self.rng, self.ids
        while True:
            area, born, serial = rng.choice(self.areas), rng.choice(self.births), rng.randrange(1000)
            check = _ID_CHECK[(self.area_sum[area] + self.birth_sum[born] + self.serial_sum[serial]) % 11]
            value = f"{area}{born}{serial:03d}{check}"
            if value not in ids:
                ids.add(value)
                return value

    def draw(self) -> tuple[str, str, str]:
        rng = self.rng
        phone = f"{rng.choice(self.mobile)}{rng.randrange(100_000_000):08d}"
        return rng.choice(self.names), self.id_number(), phone


class Planner:
    def __init__(self, *, seed: int, year: int | None, now: datetime):
        from faker import Faker  # heavy (~0.2 s) and needed only once a run starts, not to import the module

        self.rng = random.Random(seed)
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.year = year
        self.now = now
        self.ids: set[str] = set()
        self.people = Petitioners(rng=self.rng, fake=fake, taken=self.ids)
        self.stages = list(STAGE_WEIGHTS)
        # Cumulative weights once: `choices(weights=...)` sums them again on every call.
        self.stage_cum = list(itertools.accumulate(STAGE_WEIGHTS.values()))
        self.county_cum = list(itertools.accumulate(COUNTY_WEIGHTS))
        self.extra = random.Random(seed * 7919 + 1)  # the city share and open cases' ages
        self.county_names = {code: name for code, name, _ in demo_city.COUNTIES}

    def _when(self, span_days: int) -> datetime:
        end = self.now.date() - timedelta(days=span_days + 1)
        if self.year:
            start = date(self.year, 1, 5)
            end = min(end, date(self.year, 12, 20))
        else:
            start = end - timedelta(days=150)
        start = min(start, end)
        day = start + timedelta(days=self.rng.randint(0, (end - start).days))
        return datetime.combine(day, time(self.rng.randint(8, 16), self.rng.randint(0, 59)), SHANGHAI)

    def plan(self, *, repeat: bool = True) -> Plan:
        rng = self.rng
        stage = rng.choices(self.stages, cum_weights=self.stage_cum)[0]
        while stage == "repeat" and not repeat:
            stage = rng.choices(self.stages, cum_weights=self.stage_cum)[0]
        title, detail, label = rng.choice(messages())
        county = rng.choices(COUNTIES, cum_weights=self.county_cum)[0]
        steps = STAGES[stage]
        span = sum(s[3] for s in steps) + (3 if stage == "repeat" else 0)
        at = self._when(span)
        if stage in OPEN_AGE_DAYS and not self.year:
            # recent: the last step `age` days ago (the draw from `_when` stays, so later draws are unchanged)
            age = self.extra.randint(0, OPEN_AGE_DAYS[stage])
            at = min(
                datetime.combine(self.now.date() - timedelta(days=span + age), at.timetz()),
                self.now - timedelta(days=span, hours=1 + 2 * len(steps)),  # every step in the past
            )
        registrar = CITY_REGISTRAR if self.extra.random() < CITY_SHARE else ""
        timed = []
        t = at
        for step in steps:
            t = t + timedelta(days=step[3], minutes=rng.randint(0, 120))
            timed.append((t, step))
        people = rng.choice([1, 1, 1, 1, 2, 3])
        return Plan(
            stage=stage,
            county=county,
            township=f"{county}{rng.randint(1, 5):03d}",
            category=LABEL_TO_CATEGORY.get(label, "other"),
            channel=rng.choice(CHANNELS),
            title=_localise(title, self.county_names.get(county, ""))[:200],
            request=_localise(detail, self.county_names.get(county, "")),
            petitioners=[self.people.draw() for _ in range(people)],
            registered_at=at,
            steps=timed,
            repeat_at=at + timedelta(days=3) if stage == "repeat" else None,
            registrar=registrar,
        )

    def plans(self, cases: int) -> Iterator[Plan]:
        """Plans for exactly `cases` cases: a repeat makes two, so with one case to go it is not drawn."""
        made = 0
        while made < cases:
            plan = self.plan(repeat=cases - made >= 2)
            made += 2 if plan.repeat_at else 1
            yield plan


def _sector(category: Category) -> str:
    return category.default_sector or "housing"


class Cast:
    """The actors of the generated life, one generator user per body and role (created once)."""

    def __init__(self):
        self.bodies = {b.code: b for b in Body.objects.select_related("region", "parent")}
        self.by_pk = {b.pk: b for b in self.bodies.values()}
        self.regions = {r.code: r for r in Region.objects.all()}
        self.categories = {c.code: c for c in Category.objects.all()}
        self._actors: dict[tuple[str, str], Actor] = {}
        self.acting: dict[tuple[str, str, str, str, str], Actor] = {}  # _acting's, by plan place and step

    def actor(self, code: str, role: str) -> Actor:
        key = (code, role)
        if key not in self._actors:
            body = self.bodies[code]
            user, _ = User.objects.get_or_create(
                username=f"gen-{role}-{code}",
                defaults={"display_name": f"{body.short_name or body.name}{Role(role).label}"},
            )
            Membership.objects.get_or_create(user=user, body=body, role=role)
            self._actors[key] = Actor(user=user, body=body, roles=frozenset({role}))
        return self._actors[key]

    def warm(self) -> None:
        """Every actor a plan can need created now, and every body's superiors loaded: the worker
        processes of a parallel load (_load_parallel) simulate without the database."""
        for body in self.bodies.values():
            above = body
            while above.parent_id is not None:
                above = above.parent
        categories = [c for c in {*LABEL_TO_CATEGORY.values(), "other"} if c in self.categories]
        for county, category, registrar in itertools.product(
            COUNTIES, sorted(categories), ("", CITY_REGISTRAR)
        ):
            plan = Plan("", county, "", category, "", "", "", [], datetime.min, [], registrar=registrar)
            try:
                self.who(plan, REG)
                for steps in STAGES.values():
                    for step in steps:
                        _acting(self, plan, step)
            except KeyError:  # no such agency in this city: no plan can ask for it either
                continue

    def agency(self, plan: Plan) -> Body:
        return self.bodies[f"{plan.county}-{_sector(self.categories[plan.category])}"]

    def who(self, plan: Plan, role_key: str) -> Actor:
        agency = self.agency(plan)
        if role_key == REG:
            return self.actor(plan.registrar or f"{plan.county}-xinfang", Role.REGISTRAR)
        if role_key == OFF:
            return self.actor(agency.code, Role.CASE_OFFICER)
        if role_key == HEAD:
            return self.actor(agency.code, Role.AGENCY_HEAD)
        if role_key == CITY:
            return self.actor(agency.parent.code, Role.CASE_OFFICER)
        return self.actor(agency.parent.parent.code, Role.CASE_OFFICER)


def _acting(cast: Cast, plan: Plan, step: Step) -> Actor:
    """Who takes a step, on both paths: an action the table marks `sign_off` is issued as the body's 负责人
    signs it (the draft-and-approve path is the documents app's; the generated life records the issued
    decision). The same plan place (registrar, county, category) and step give the same actor: kept."""
    key = (plan.registrar, plan.county, plan.category, step[0], step[1])
    who = cast.acting.get(key)
    if who is None:
        who = cast.who(plan, step[0])
        t = BY_ACTION.get(step[1])
        if t is not None and t.sign_off and not who.has_role(Role.AGENCY_HEAD):
            who = cast.actor(who.body.code, Role.AGENCY_HEAD)
        cast.acting[key] = who
    return who


@dataclass
class Result:
    cases: int = 0
    case_ids: list[int] = field(default_factory=list)
    query_code: str = ""
    stages: dict[str, int] = field(default_factory=dict)


def _prepare() -> None:
    if not demo_city.demo_exists():
        demo_city.demo_city_load()


# ------------------------------------------------------------------------------------------- services


def _inputs(cast: Cast, plan: Plan, step: Step) -> dict[str, Any]:
    inputs = dict(step[2])
    if step[1] == "transfer":
        inputs["target_body"] = cast.agency(plan)
    return inputs


def _register_via_service(cast: Cast, plan: Plan, at: datetime, *, repeat: bool) -> Any:
    return case_register(
        actor=cast.who(plan, REG),
        channel=plan.channel,
        petition_type="appeal",
        problem_region=cast.regions[plan.township],
        request=plan.request,
        title=plan.title,
        category=cast.categories[plan.category],
        petitioners=[PetitionerInput(name=n, id_number=i, phone=p) for n, i, p in plan.petitioners],
        force_new=not repeat,
        registered_at=at,
    )


def generate_services(
    *, cases: int, seed: int = 1, year: int | None = None, progress: bool = False
) -> Result:
    """Each case through the real services, each step at its own (travelled-to) moment."""
    import time_machine  # optional at run time: without it `generate` takes the bulk path (see generate())

    _prepare()
    cast = Cast()
    result = Result()
    planner = Planner(seed=seed, year=year, now=timezone.now())
    bar = _bar(cases, progress)
    # Synthetic petitioners get no SMS receipts: keep the (logging) SMS backend quiet meanwhile.
    logging.disable(logging.INFO)
    try:
        _run_services(cast, planner, result, cases, bar, time_machine, case_act, evaluation_record)
    finally:
        logging.disable(logging.NOTSET)
    return result


def _run_services(cast, planner, result, cases, bar, time_machine, case_act, evaluation_record) -> None:
    for plan in planner.plans(cases):
        with time_machine.travel(plan.registered_at, tick=False):
            case = _register_via_service(cast, plan, plan.registered_at, repeat=False).case
        result.case_ids.append(case.pk)
        for at, step in plan.steps:
            with time_machine.travel(at, tick=False):
                who = _acting(cast, plan, step)
                if step[1] == "evaluate":
                    evaluation_record(case=case, actor=who, result=step[2]["result"], comment="电话回访")
                else:
                    case = case_act(case=case.pk, actor=who, action=step[1], **_inputs(cast, plan, step))
        if plan.repeat_at is not None:
            with time_machine.travel(plan.repeat_at, tick=False):
                again = _register_via_service(cast, plan, plan.repeat_at, repeat=True).case
            result.case_ids.append(again.pk)
        added = 2 if plan.repeat_at else 1
        result.cases += added
        result.stages[plan.stage] = result.stages.get(plan.stage, 0) + 1
        bar(added)


def _bar(total: int, on: bool) -> Callable[[int], None]:
    if not on:
        return lambda n: None
    from tqdm import tqdm  # only for a progress bar on a terminal; not loaded otherwise

    t = tqdm(total=total, unit="件", mininterval=1.0)
    return t.update


# ----------------------------------------------------------------------------------------------- bulk


@dataclass
class SimClock:
    kind: str
    body: Body
    started_on: date
    days: int
    working: bool
    legal_basis: str
    is_window: bool
    due_on: date = date.min
    extension_days: int = 0
    counted: list[str] = field(default_factory=list)
    beyond: bool = False
    is_open: bool = True
    stopped_on: date | None = None
    on_time: bool | None = None
    stopped_by: str = ""


class Simulator:
    """Applies the transition table's effects (state, clocks, notices, events) without the services."""

    def __init__(self, cast: Cast):
        self.cast = cast
        self.calendar = WorkCalendar.from_db()
        self.eval_days = evaluation_window_days()

    @lru_cache(maxsize=65536)  # noqa: B019 - one simulator per run; dates repeat a lot
    def due(
        self, start: date, days: int, working: bool, extension: int
    ) -> tuple[date, tuple[str, ...], bool]:
        d = compute_due(
            start=start, days=days, working=working, extension_days=extension, calendar=self.calendar
        )
        return d.due, d.counted, d.beyond_known_calendar

    def start(self, kind: str, body: Body, on: date, days: int, working: bool, basis: str) -> SimClock:
        working = effective_working(working)
        c = SimClock(kind, body, on, days, working, basis, kind in PETITIONER_WINDOWS)
        c.due_on, counted, c.beyond = self.due(on, days, working, 0)
        c.counted = list(counted)
        return c


def _local(dt: datetime) -> date:
    return dt.astimezone(SHANGHAI).date()


def _utc(dt: datetime) -> str:
    """A moment as the services log it (timezone.now() is UTC; core.events writes its isoformat)."""
    return dt.astimezone(UTC).isoformat()


# The registration table's rows the generated cases take: a new case, and a second petition linked to it.
REGISTERED = next(r for r in REGISTRATION_OUTCOMES if r.key == "registered")
REPEAT_LINKED = next(r for r in REGISTRATION_OUTCOMES if r.key == "repeat_linked")
# Case columns before any step sets them, for the event's old values (case_act logs SNAPSHOT_FIELDS).
_SNAPSHOT = tuple(
    (f.removesuffix("_id"), f, Case._meta.get_field(f.removesuffix("_id")).get_default())
    for f in SNAPSHOT_FIELDS
)


def _registered(
    case: dict[str, Any],
    row: Any,
    channel: str,
    at: datetime,
    *,
    choice: str = "",
    earlier: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """case_register's event values (services/register.py) for a case registered at `at`, backdated by
    nothing. `repeat_of` stays the earlier case's dict until its id is known (BulkWriter.flush)."""
    return {
        "state": case["state"],
        "number": case["number"],
        "channel": channel,
        "petition_type": case["petition_type"],
        "repeat_of": earlier,
        "outcome": row.key,
        "repeat_choice": choice,
        "candidate": earlier["number"] if earlier else None,
        "force_new": choice == "new",
        "arrived_at": at.isoformat(),
        "backdated_days": 0,
        "suggestion": {},
    }


def _snapshot(case: dict[str, Any]) -> dict[str, Any]:
    """case_act's event snapshot (services/actions.py SNAPSHOT_FIELDS), of a bulk case dict."""
    get = case.get
    return {key: get(name, default) for key, name, default in _SNAPSHOT}


def _notice_of(action: str) -> str | None:
    t = BY_ACTION.get(action)
    return t.notice if t is not None else None


# The event chain's columns, in the order core.audit.event_chain_links gives them.
CHAIN_COLUMNS = ("chain_seq", "chain_prev", "chain_hash")


@dataclass
class Batch:
    """One flush's rows, built (BulkWriter.prepare), ready for BulkWriter.commit."""

    rows: dict[type[models.Model], list[tuple]] = field(default_factory=dict)
    event_parts: list[tuple[str, str]] = field(default_factory=list)
    sequences: dict[tuple[int, int], int] = field(default_factory=dict)
    case_ids: list[int] = field(default_factory=list)
    first_ids: dict[type[models.Model], int] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)


class BulkWriter:
    """Cases as plain dicts by attname (Case.__init__ cost more than the simulation itself); the keys that
    are no column (`current_body` as a Body, `repeat_of` as the first case's dict) are read by the simulator
    and ignored when writing."""

    def __init__(self, cast: Cast, code_hash: str, *, live: bool = False):
        self.cast = cast
        self.sim = Simulator(cast)
        self.code_hash = code_hash
        # Beside live traffic (`live`), numbers come from blocks reserved through the same locked sequence
        # row the services take (LiveNumbers), and ids from the database's own sequence on PostgreSQL.
        self.live = live
        self.blocks = LiveNumbers() if live else None
        self.sequences: dict[tuple[int, int], int] = {
            (s.body_id, s.year): s.last for s in CaseNumberSequence.objects.all()
        }
        self.people: dict[str, dict[str, Any]] = {}  # Person rows by id number, across batches
        # Persons, cases and events get their ids here (rows further on point at them); the rest from the database.
        self.tables: dict[type[models.Model], _Table] = {
            m: _Table(
                m,
                own_ids=m in (Person, Case, Event, ReturnVisit),
                live=live,
                linked=CHAIN_COLUMNS if m is Event else (),
            )
            for m in (Person, Case, CasePetitioner, Clock, Event, Notice, Evaluation, ReturnVisit)
        }
        self.version0 = Case._meta.get_field("version").get_default()
        self.labels = {k: NoticeKind(k).label for k in NoticeKind.values}
        self.visit_after = timedelta(days=return_visit_after_days())
        self.who: dict[int, tuple[int, str, int]] = {}
        self.reset()

    def reset(self) -> None:
        self.cases: list[dict[str, Any]] = []
        self.persons: list[dict[str, Any]] = []
        self.links: list[tuple[dict, list[dict[str, Any]]]] = []
        self.clocks: list[tuple[dict, list[SimClock]]] = []
        # Event and Evaluation rows as dicts by attname: no model instances for the most numerous rows.
        self.events: list[tuple[dict, dict, tuple | None]] = []  # the notice (kind, basis, right, deadline)
        self.evaluations: list[tuple[dict, dict]] = []
        self.visits: list[dict[str, Any]] = []  # 回访 rows, as the answer notice's hook plans them

    def number(self, body: Body, year: int) -> str:
        if self.blocks is not None:
            return f"{body.code}-{year}-{self.blocks.next(body.pk, year):06d}"
        key = (body.pk, year)
        self.sequences[key] = self.sequences.get(key, 0) + 1
        return f"{body.code}-{year}-{self.sequences[key]:06d}"

    def person_list(self, plan: Plan) -> list[dict[str, Any]]:
        out = []
        for name, id_number, phone in plan.petitioners:
            p = self.people.get(id_number)
            if p is None:
                p = {"name": name, "id_number": id_number, "phone": phone}
                self.people[id_number] = p
                self.persons.append(p)
            out.append(p)
        return out

    def event(
        self,
        case: dict,
        actor: Actor,
        action: str,
        at: datetime,
        new: dict,
        *,
        old: dict | None = None,
        reason: str = "",
        legal_basis: str,
        notice=None,
    ):
        who = self.who.get(id(actor))  # actors live in the Cast for the whole run
        if who is None:  # the label is built from the roles each time: once per actor is enough
            who = self.who[id(actor)] = (actor.user.pk, actor.label, actor.body.pk)
        self._event(case, who, "cases.case", action, at, new, old, reason, legal_basis, notice)

    def _event(
        self, owner, who, object_type, action, at, new, old=None, reason="", legal_basis="", notice=None
    ):
        """An event row of `owner` (a case's or a 回访's dict: its id is known in `prepare`), by `who`
        (user id, label, body id)."""
        e = {
            "occurred_at": at,
            "actor_id": who[0],
            "actor_label": who[1],
            "body_id": who[2],
            "object_type": object_type,
            "action": action,
            "old_values": old or {},
            "new_values": new,
            "reason": reason,
            "legal_basis": legal_basis,
        }
        self.events.append((owner, e, notice))

    def visit(self, case: dict, stage: str, at: datetime) -> None:
        """The 回访 the answer notice's hook plans (evaluation.services.return_visit_on_notice →
        return_visit_schedule): once per case and stage, by return_visit_body, return_visit_after_days after
        the notice's day, with its event by the system."""
        planned = case.setdefault("_visit_stages", set())  # no column: not written
        if stage in planned:
            return
        planned.add(stage)
        holder = SimpleNamespace(
            registering_body=self.cast.by_pk[case["registering_body_id"]], current_body=case["current_body"]
        )
        body = return_visit_body(holder)  # type: ignore[arg-type]  # the two bodies it reads
        on = _local(at) + self.visit_after
        kind = ReturnVisitKind.PHONE
        row = {
            "case": case,
            "stage": stage,
            "body_id": body.pk,
            "kind": kind,
            "scheduled_on": on,
            "created_at": at,
        }
        self.visits.append(row)
        new = {"case": case, "stage": stage, "kind": kind, "scheduled_on": on.isoformat()}
        self._event(row, (None, "系统", body.pk), "evaluation.returnvisit", "return_visit_schedule", at, new)

    def add(self, plan: Plan) -> list[dict[str, Any]]:
        cast = self.cast
        reg = cast.who(plan, REG)
        agency = cast.agency(plan)
        people = self.person_list(plan)
        at = plan.registered_at
        category_id = cast.categories[plan.category].pk
        region_id = cast.regions[plan.township].pk
        # How case_register opens a case at a 信访部门 (the generator's registrars all are): the table's rows.
        opening = OPENING["xinfang" if reg.body.kind == BodyKind.XINFANG else "agency"]
        case = {
            "number": self.number(reg.body, _local(at).year),
            "query_code_hash": self.code_hash,
            "channel": plan.channel,
            "petition_type": "appeal",
            "category_id": category_id,
            "problem_region_id": region_id,
            "title": plan.title,
            "request": plan.request.strip(),
            "people_count": len(people),
            "is_group": len(people) >= 5,
            "registering_body_id": reg.body.pk,
            "current_body_id": reg.body.pk,
            "current_body": reg.body,
            "registered_at": at,
            "arrived_at": at,
            "created_at": at,
            "state": REGISTERED.state or opening.state,
            "version": self.version0,
        }
        spec = opening.clock
        clocks = [self.sim.start(spec.kind, reg.body, _local(at), spec.days, spec.working, spec.legal_basis)]
        self.event(
            case,
            reg,
            "register",
            at,
            _registered(case, REGISTERED, plan.channel, at, choice="new"),
            legal_basis=REGISTERED.legal_basis,
        )
        for when, step in plan.steps:
            self.apply(case, clocks, plan, step, when, agency)
        # the last step that saved the case (an evaluation is a row of its own)
        case["updated_at"] = max((w for w, st in plan.steps if st[1] != "evaluate"), default=at)
        self.cases.append(case)
        self.links.append((case, people))
        self.clocks.append((case, clocks))
        made = [case]
        if plan.repeat_at is not None:
            again = {
                "number": self.number(reg.body, _local(plan.repeat_at).year),
                "query_code_hash": self.code_hash,
                "channel": plan.channel,
                "petition_type": "appeal",
                "category_id": category_id,
                "problem_region_id": region_id,
                "title": plan.title,
                "request": case["request"],
                "people_count": case["people_count"],
                "is_group": case["is_group"],
                "registering_body_id": reg.body.pk,
                "current_body_id": reg.body.pk,
                "registered_at": plan.repeat_at,
                "arrived_at": plan.repeat_at,
                "created_at": plan.repeat_at,
                "updated_at": plan.repeat_at,
                "closed_at": plan.repeat_at,
                "is_repeat": REPEAT_LINKED.repeat,
                "repeat_of": case,
                "state": REPEAT_LINKED.state,
                "version": self.version0,
            }
            body = case.get("handling_body_id")
            self.event(
                again,
                reg,
                "register",
                plan.repeat_at,
                _registered(again, REPEAT_LINKED, plan.channel, plan.repeat_at, earlier=case),
                reason=REPEAT_LINKED.message.format(
                    number=case["number"],
                    body=self.cast.by_pk[body].name if body else "",
                    state=State(case["state"]).label,
                ),
                legal_basis=REPEAT_LINKED.legal_basis,
            )
            self.cases.append(again)
            self.links.append((again, people))
            self.clocks.append((again, []))
            made.append(again)
        return made

    def apply(self, case: dict, clocks: list[SimClock], plan: Plan, step: Step, at: datetime, agency: Body):
        who = _acting(self.cast, plan, step)
        action, inputs = step[1], step[2]
        today = _local(at)
        if action == "evaluate":
            for c in clocks:
                if c.kind == ClockKind.EVALUATION and c.is_open:
                    self._stop(c, today, "evaluate")
            ev = {
                "stage": Stage.ANSWER,
                "result": inputs["result"],
                "channel": EvaluationChannel.PHONE_ON_BEHALF,
                "comment": "电话回访",
                "recorded_by_id": who.user.pk,
                "created_at": at,
            }
            self.evaluations.append((case, ev))
            new = {"stage": Stage.ANSWER, "result": inputs["result"], "channel": ev["channel"]}
            self.event(case, who, "evaluate", at, new, reason="电话回访", legal_basis="")
            return
        t = BY_ACTION[action]
        # the snapshot after the previous step is this step's "before" (`_snap` is no column: not written)
        old = case.get("_snap") or _snapshot(case)
        notice_right, right_clock, changes = self._effects(case, action, inputs, at, agency, who)
        if t.target is not None:
            case["state"] = t.target
        case["version"] += 1
        for c in clocks:
            if c.is_open and c.kind in t.stops:
                self._stop(c, today, action)
        if action == "extend":
            for c in clocks:
                if c.is_open and c.kind == ClockKind.HANDLING:
                    c.extension_days += inputs["days"]
                    c.due_on, counted, c.beyond = self.sim.due(
                        c.started_on, c.days, c.working, c.extension_days
                    )
                    c.counted = list(counted)
        current = case["current_body"]
        for spec in t.starts:
            days = self.sim.eval_days if spec.kind == ClockKind.EVALUATION else spec.days
            clocks.append(self.sim.start(spec.kind, current, today, days, spec.working, spec.legal_basis))
        if t.target is not None:
            for c in clocks:
                if c.is_open and c.kind == ClockKind.EVALUATION:
                    c.body = current
        if action == "extend":
            changes["handling_due"] = next(
                (c.due_on.isoformat() for c in clocks if c.is_open and c.kind == ClockKind.HANDLING), None
            )
        notice = None
        if t.notice is not None:
            deadline = None
            if right_clock is not None:
                deadline = next((c.due_on for c in clocks if c.is_open and c.kind == right_clock), None)
            basis, deadline = notice_terms(
                kind=t.notice,
                petition_type=case["petition_type"],
                legal_basis=t.legal_basis,
                next_right_deadline=deadline,
            )
            notice = (t.notice, basis, notice_right, deadline, who.body)
        case["_snap"] = after = _snapshot(case)
        self.event(
            case,
            who,
            action,
            at,
            {**after, **changes},
            old=old,
            reason=inputs.get("reason", ""),
            legal_basis=t.legal_basis,
            notice=notice,
        )
        if t.notice in ANSWER_NOTICES:
            self.visit(case, ANSWER_NOTICES[t.notice], at)

    @staticmethod
    def _stop(c: SimClock, on: date, action: str) -> None:
        c.is_open, c.stopped_on, c.on_time, c.stopped_by = False, on, on <= c.due_on, action

    @staticmethod
    def _move(case: dict, body: Body) -> None:
        case["current_body"], case["current_body_id"] = body, body.pk

    def _effects(self, case: dict, action: str, inputs: dict, at: datetime, agency: Body, who: Actor):
        """The case fields each handler in services/actions.py sets, for the actions the generator uses, and
        what it returns: the notice's next right, the clock whose due date the notice prints, the changes
        logged. (tests/test_paths_agree.py compares every column, row and event with the services'.)"""
        right, clock, changes = "", None, {}
        if action == "transfer":
            case["sender_body_id"], case["handling_body_id"], case["sent_at"] = who.body.pk, agency.pk, at
            self._move(case, agency)
            right = "如对转送有异议，可向本机关询问"
            changes = {"current_body": agency.pk, "handling_body": agency.pk, "co_bodies": []}
        elif action == "receive":
            case["received_at"], case["officer_id"] = at, who.user.pk
            changes = {"received_at": _utc(at)}
        elif action in ("accept", "divert"):
            case["route"], case["accepted_at"] = inputs["route"], at
            changes = {"route": inputs["route"]}
            if action == "divert":
                case["closed_at"] = at
            else:
                right, clock = "本机关将在办理期限内书面答复", ClockKind.HANDLING
        elif action == "extend":
            case["extension_days"] = inputs["days"]
            right, clock = "本机关将在延长后的期限内书面答复", ClockKind.HANDLING
            changes = {"extension_days": inputs["days"]}  # and handling_due, once the clock is extended
        elif action == "answer":
            case["outcome"], case["answered_at"] = inputs["outcome"], at
            changes = {"outcome": inputs["outcome"]}
            days = period("review_request").current_days()
            right = f"如对处理意见不服，可以自收到本意见书之日起{days}日内向{agency.parent.name}请求复查（第三十五条）"
            clock = ClockKind.REVIEW_REQUEST
        elif action == "request_review":
            case["review_body_id"] = agency.parent.pk
            self._move(case, agency.parent)
            case["review_requested_at"] = at
            changes = {"review_body": agency.parent.pk, "current_body": agency.parent.pk}
        elif action == "decide_review":
            case["review_outcome"], case["reviewed_at"] = inputs["outcome"], at
            changes = {"review_outcome": inputs["outcome"]}
            days = period("rereview_request").current_days()
            superior = agency.parent.parent.name
            right = f"如对复查意见不服，可以自收到本意见书之日起{days}日内向{superior}请求复核（第三十六条）"
            clock = ClockKind.REREVIEW_REQUEST
        elif action == "request_rereview":
            case["rereview_body_id"] = agency.parent.parent.pk
            self._move(case, agency.parent.parent)
            case["rereview_requested_at"] = at
            changes = {"rereview_body": agency.parent.parent.pk, "current_body": agency.parent.parent.pk}
        elif action == "decide_rereview":
            case["rereview_outcome"], case["rereviewed_at"] = inputs["outcome"], at
            changes = {"rereview_outcome": inputs["outcome"]}
            right = "对复核意见不服，仍然以同一事实和理由提出投诉请求的，不再受理（第三十六条第三款）"
        elif action in ("conclude", "terminate", "refuse"):
            case["closed_at"] = at
        elif action == "archive":
            case["archived_at"] = at
        return right, clock, changes

    def flush(self) -> list[int]:
        """Write what `add` simulated since the last flush, in one transaction."""
        if not self.cases:
            return []
        with transaction.atomic():
            for table in self.tables.values():
                table.begin()
            if self.live:  # a registrar may have filed one of these people since the load began
                self._persons_known()
            batch = self.prepare()
            self.commit(batch)
        return batch.case_ids

    def prepare(self) -> Batch:
        """The batch's rows as the tables write them, ids given, and each event's hashed text (all but the
        link): everything but the database, so a worker process can do it (ParallelLoad). Resets the writer."""
        t = self.tables
        for table in t.values():
            table.begin_defaults()
        batch = Batch(sequences=dict(self.sequences) if not self.live else {})
        for p in self.persons:
            p["id"] = t[Person].next_id()
        # First cases before their repeats, so a repeat's repeat_of points at a row already written.
        for case in self.cases:
            case["id"] = t[Case].next_id()
        for case in self.cases:
            first = case.get("repeat_of")
            if first is not None:
                case["repeat_of_id"] = first["id"]
            # Case.save() sets it on the services' path: the holding body while the case is open.
            case["queue_body_id"] = case["current_body_id"] if case["state"] in QUEUE_STATES else None
        # The denormalised nearest due date and kind (issue 14), by the rule of case_nearest_clocks: the
        # open clocks the holding body owes, no lapsing window (the simulator pauses none).
        for case, cs in self.clocks:
            owed = [
                c
                for c in cs
                if c.is_open and c.kind not in LAPSING_WINDOWS and c.body.pk == case["current_body_id"]
            ]
            if owed:
                nearest = min(owed, key=lambda c: c.due_on)
                case["due_on"], case["due_kind"] = nearest.due_on, nearest.kind
        rows = batch.rows
        rows[Person] = t[Person].build_rows(self.persons)
        rows[Case] = t[Case].build_rows(self.cases)
        rows[CasePetitioner] = t[CasePetitioner].build_rows(
            {"case_id": case["id"], "person_id": p["id"], "order": i}
            for case, people in self.links
            for i, p in enumerate(people)
        )
        rows[Clock] = t[Clock].build_rows(
            {
                "case_id": case["id"],
                "kind": c.kind,
                "body_id": c.body.pk,
                "is_window": c.is_window,
                "started_on": c.started_on,
                "days": c.days,
                "working": c.working,
                "extension_days": c.extension_days,
                "due_on": c.due_on,
                "beyond_known_calendar": c.beyond,
                "counted": c.counted,
                "legal_basis": c.legal_basis,
                "is_open": c.is_open,
                "stopped_on": c.stopped_on,
                "on_time": c.on_time,
                "stopped_by": c.stopped_by,
            }
            for case, cs in self.clocks
            for c in cs
        )
        for v in self.visits:
            v["id"] = t[ReturnVisit].next_id()
            v["case_id"] = v["case"]["id"]
        events = t[Event]
        for owner, e, _ in self.events:
            e["object_id"] = str(owner["id"])
            e["id"] = events.next_id()
            new = e["new_values"]
            for key in ("repeat_of", "case"):  # a repeat's first case, a 回访's case: by id now
                if type(new.get(key)) is dict:
                    new[key] = new[key]["id"]
        # Each event's hashed text but for the link (core.audit.event_payload_parts): the chain itself is
        # linked in `commit`, under the chain's lock, in id order as the services chain theirs.
        batch.event_parts = [event_payload_parts(e) for _, e, _ in self.events]
        rows[Event] = events.build_rows(e for _, e, _ in self.events)
        labels = self.labels
        rows[Notice] = t[Notice].build_rows(
            {
                "case_id": case["id"],
                "kind": kind,
                "title": labels[kind],
                "text": f"{case['number']}：{labels[kind]}。{right}".strip(),
                "legal_basis": basis,
                "next_right": right,
                "next_right_deadline": deadline,
                "issued_at": e["occurred_at"],
                "issued_by_id": body.pk,
                "event_id": e["id"],
            }
            for case, e, n in self.events
            if n is not None
            for kind, basis, right, deadline, body in [n]
        )
        rows[Evaluation] = t[Evaluation].build_rows(
            dict(ev, case_id=case["id"]) for case, ev in self.evaluations
        )
        rows[ReturnVisit] = t[ReturnVisit].build_rows(self.visits)
        batch.case_ids = [c["id"] for c in self.cases]
        batch.first_ids = {
            m: rows[m][0][t[m].pk_index] for m in (Person, Case, Event, ReturnVisit) if rows[m]
        }
        self.reset()
        return batch

    def commit(self, batch: Batch) -> None:
        """Write a prepared batch, inside the caller's transaction: the rows, the events linked into the
        chain as they go in, the 编号 counters and (PostgreSQL) the id sequences."""
        t = self.tables
        for model in (Person, Case, CasePetitioner, Clock):
            t[model].insert(batch.rows[model])
        # Chained as they are written, in id order, as the services chain theirs: sealing afterwards read
        # every event back and updated it, in batches that each sorted what was still unsealed.
        links = event_chain_links(batch.event_parts)
        t[Event].insert([row + link for row, link in zip(batch.rows[Event], links, strict=True)])
        t[Notice].insert(batch.rows[Notice])
        t[Evaluation].insert(batch.rows[Evaluation])
        t[ReturnVisit].insert(batch.rows[ReturnVisit])
        for (body_id, year), last in batch.sequences.items():
            CaseNumberSequence.objects.update_or_create(body_id=body_id, year=year, defaults={"last": last})
        # Ids were assigned here, not by the database: move PostgreSQL's sequences past them (beside live
        # traffic they came from the sequences themselves, which must never be moved back).
        reset = not self.live and connection.ops.sequence_reset_sql(
            no_style(), [m for m, table in t.items() if table.own_ids]
        )
        if reset:
            with connection.cursor() as cursor:
                for sql in reset:
                    cursor.execute(sql)

    def check_ids(self, batch: Batch) -> None:
        """A parallel load counted its ids from the highest at its start: nobody may have written since."""
        for model, first in batch.first_ids.items():
            if self.tables[model].highest_id() >= first:
                raise RuntimeError(f"批量生成期间有其他写入（{model._meta.label}），已停止")

    def skip(self, plan: Plan) -> int:
        """Count a plan another worker writes (ParallelLoad): its 编号 and ids are taken here as `add` and
        `prepare` would take them, so this worker's own batches get the numbers and ids of a single-process
        run. Returns how many cases the plan makes."""
        body = self.cast.who(plan, REG).body
        self.number(body, _local(plan.registered_at).year)
        made = 1
        if plan.repeat_at is not None:
            self.number(body, _local(plan.repeat_at).year)
            made = 2
        visits = len(
            {ANSWER_NOTICES[n] for _, st in plan.steps if (n := _notice_of(st[1])) in ANSWER_NOTICES}
        )
        t = self.tables
        t[Person]._next += len({i for _, i, _ in plan.petitioners if i not in self.people})
        t[Case]._next += made
        t[ReturnVisit]._next += visits
        t[Event]._next += 1 + len(plan.steps) + (made - 1) + visits
        return made

    def _persons_known(self) -> None:
        """Persons of this batch already on file (registered by a live user since the load began) keep
        their row: the batch points at it instead of writing a second one (id_number is unique)."""
        numbers = [p["id_number"] for p in self.persons if p.get("id_number")]
        known = dict(Person.objects.filter(id_number__in=numbers).values_list("id_number", "id"))
        if known:
            for p in self.persons:
                if p.get("id_number") in known:
                    p["id"] = known[p["id_number"]]
            self.persons = [p for p in self.persons if p.get("id_number") not in known]


class LiveNumbers:
    """编号 beside live traffic: blocks of numbers reserved per (body, year) in short transactions of their
    own, through the sequence row `case_number_next` locks, so a registrar's next number comes after the
    block; `release` gives back what the load did not use when nobody took a number since."""

    BLOCK = 100

    def __init__(self) -> None:
        self.open: dict[tuple[int, int], list[int]] = {}  # (body, year) → [next, last reserved]

    def next(self, body_id: int, year: int) -> int:
        block = self.open.get((body_id, year))
        if block is None or block[0] > block[1]:
            block = self.open[(body_id, year)] = self._reserve(body_id, year)
        block[0] += 1
        return block[0] - 1

    def _reserve(self, body_id: int, year: int) -> list[int]:
        for _ in range(3):
            try:
                with transaction.atomic():
                    seq, _ = CaseNumberSequence.objects.select_for_update().get_or_create(
                        body_id=body_id, year=year
                    )
                    first = seq.last + 1
                    seq.last += self.BLOCK
                    seq.save(update_fields=["last"])
                    return [first, seq.last]
            except IntegrityError:  # a registrar created the year's row at the same moment
                continue
        raise RuntimeError("could not reserve case numbers")

    def release(self) -> None:
        for (body_id, year), (nxt, last) in self.open.items():
            if nxt <= last:  # unused numbers at the end of the block, if still the sequence's end
                CaseNumberSequence.objects.filter(body_id=body_id, year=year, last=last).update(last=nxt - 1)
        self.open.clear()


# Column types the DB-API adapters take as they are; every other field goes through get_db_prep_save,
# exactly as bulk_create would prepare it (aware datetimes, dates, JSON).
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
}
_TEXT = {"CharField", "TextField", "EmailField", "SlugField"}


_MISSING = object()


def _sqlite_datetime(ops: Any) -> Callable[[Any], Any]:
    """SQLite's adapt_datetimefield_value without its per-value settings and is_aware look-ups (a third of
    the datetime cost): aware values to the connection's zone, naive, as text. Anything else goes to it."""
    tz, adapt = ops.connection.timezone, ops.adapt_datetimefield_value
    if not settings.USE_TZ:
        return adapt

    if tz is UTC:  # Django's connection zone with USE_TZ: isoformat's "+00:00" cut off is the naive text
        # A case's times recur in its columns, its events' and its notices' (often the same object, whose
        # hash is kept): each instant's text is made once. Equal instants have the same UTC text.
        texts: dict[datetime, str] = {}

        def fast(v: Any) -> Any:
            if type(v) is datetime and v.tzinfo is not None:
                text = texts.get(v)
                if text is None:
                    if len(texts) >= 100_000:
                        texts.clear()
                    text = texts[v] = v.astimezone(UTC).isoformat(" ")[:-6]
                return text
            return adapt(v)

        return fast

    def fast(v: Any) -> Any:
        if type(v) is datetime and v.tzinfo is not None:
            return str(v.astimezone(tz).replace(tzinfo=None))
        return adapt(v)

    return fast


class _Table:
    """One model's INSERT with its columns in order, and a row builder compiled once from the fields: one
    tuple expression per row with each column's default and adapter inlined (a generic loop over the
    columns was a quarter of the bulk path's time)."""

    def __init__(
        self, model: type[models.Model], *, own_ids: bool, live: bool = False, linked: tuple[str, ...] = ()
    ):
        qn = connection.ops.quote_name
        self.model = model
        self.own_ids = own_ids
        # PostgreSQL beside live traffic: ids drawn from the table's own sequence, in blocks (a live insert
        # takes its id from the same sequence, so they never meet). SQLite's IMMEDIATE transaction holds the
        # write lock from BEGIN, so the highest id read in it stays the highest until the batch commits.
        self.from_sequence = live and connection.vendor == "postgresql" and own_ids
        self._reserved: list[int] = []
        fields = [f for f in model._meta.concrete_fields if own_ids or not f.primary_key]
        # `linked` columns (the event chain's) come last and are not built: the writer appends them to each
        # built row once the batch's place in the chain is known (BulkWriter.commit).
        built = [f for f in fields if f.attname not in linked]
        self.built = built
        self.fields = built + [f for f in fields if f.attname in linked]
        self.attnames = [f.attname for f in built]
        self.pk_index = self.attnames.index(model._meta.pk.attname) if own_ids else -1
        self.sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) "
            f"VALUES ({', '.join(['%s'] * len(self.fields))})"
        )
        # PostgreSQL: COPY … FROM STDIN (psycopg 3's cursor.copy), one stream per batch, instead of INSERTs.
        self.copy_sql = (
            f"COPY {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) FROM STDIN"
        )
        self.preps = [self._prep(f) for f in built]
        # As bulk_create's pre_save would: auto_now columns left empty get the batch's `now`.
        self.stamped = {
            f.attname for f in built if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        }
        self.build = self._compile()
        self._next = 0

    @staticmethod
    def _prep(f: models.Field) -> Callable[[Any], Any] | str | None:
        """The backend's own adapter for the column type (None: the value as it is; "str": plain text).

        Field.get_db_prep_save per value was most of the write time; it ends in these same adapters."""
        kind = f.get_internal_type()
        ops = connections[DEFAULT_DB_ALIAS].ops
        if kind in _AS_IS:
            return None
        if kind in _TEXT:
            return "str"
        if kind == "DateTimeField":
            return _sqlite_datetime(ops) if connection.vendor == "sqlite" else ops.adapt_datetimefield_value
        if kind == "DateField":
            return ops.adapt_datefield_value
        if kind == "JSONField":
            # The JSON text both backends write (SQLite's adapt_json_value is json.dumps(value, cls=encoder);
            # PostgreSQL's Jsonb dumps the same text into COPY), from one encoder made once: json.dumps with a
            # `cls` builds one per value. Text also travels from a worker process as it is (_load_parallel).
            dumps = (f.encoder or json.JSONEncoder)().encode
            # Most JSON cells are the empty default ([] or {}): adapt each empty kind once.
            empty = {list: dumps([]), dict: dumps({})}
            return lambda v: empty[type(v)] if not v and type(v) in empty else dumps(v)
        return lambda v: f.get_db_prep_save(v, connections[DEFAULT_DB_ALIAS])

    def _compile(self) -> Callable[..., list[tuple]]:
        """`build(rows, P, D, M)`: rows are dicts by attname; P the adapters, D the prepared defaults, M the
        missing marker. A missing key takes the default; None stays NULL, except in auto_now columns."""
        cells = []
        for i, (name, prep) in enumerate(zip(self.attnames, self.preps, strict=True)):
            v, n = f"v{i}", repr(name)
            if name in self.stamped:
                cells.append(f"D[{i}] if ({v} := get({n})) is None else P[{i}]({v})")
            elif prep is None:
                cells.append(f"get({n}, D[{i}])")
            elif prep == "str":
                # TextChoices members are str subclasses: sqlite3 wants a plain str.
                cells.append(
                    f"D[{i}] if ({v} := get({n}, M)) is M else {v} if {v} is None or type({v}) is str "
                    f"else str({v})"
                )
            else:
                cells.append(f"D[{i}] if ({v} := get({n}, M)) is M else None if {v} is None else P[{i}]({v})")
        source = (
            "def build(rows, P, D, M):\n"
            "    out = []\n"
            "    append = out.append\n"
            "    for row in rows:\n"
            "        get = row.get\n"
            f"        append(({', '.join(f'({c})' for c in cells)},))\n"
            "    return out\n"
        )
        scope: dict[str, Any] = {}
        exec(compile(source, f"<row builder {self.model._meta.label}>", "exec"), scope)
        return scope["build"]

    def begin(self) -> None:
        """Read the highest id now (once per batch)."""
        if self.own_ids and not self.from_sequence:
            self._next = self.highest_id() + 1

    def highest_id(self) -> int:
        pk = self.model._meta.pk.attname
        return self.model.objects.aggregate(m=models.Max(pk))["m"] or 0

    def begin_defaults(self) -> None:
        """The defaults, with `now` for this batch (no database: a worker process calls it)."""
        now = timezone.now()
        self.defaults = []
        for f, prep in zip(self.built, self.preps, strict=True):
            value = now if f.attname in self.stamped else f.get_default()
            if value is not None and prep is not None:
                value = (value if type(value) is str else str(value)) if prep == "str" else prep(value)
            self.defaults.append(value)

    def next_id(self) -> int:
        if self.from_sequence:
            if not self._reserved:
                table = self.model._meta.db_table
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, 1000)",
                        [table, self.model._meta.pk.column],
                    )
                    self._reserved = sorted((r[0] for r in cursor.fetchall()), reverse=True)
            return self._reserved.pop()
        self._next += 1
        return self._next - 1

    def build_rows(self, rows: Iterable[dict[str, Any]]) -> list[tuple]:
        """`rows` are dicts by attname (an instance's __dict__ will do); missing columns take defaults."""
        return self.build(rows, self.preps, self.defaults, _MISSING)

    def insert(self, out: list[tuple]) -> None:
        if not out:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # the DB-API cursor under Django's wrapper: COPY is psycopg's, not the DB-API's
                with cursor.cursor.copy(self.copy_sql) as copy:
                    write_row = copy.write_row
                    for row in out:
                        write_row(row)
            else:
                for i in range(0, len(out), 5000):
                    cursor.executemany(self.sql, out[i : i + 5000])


def generate_bulk(
    *,
    cases: int,
    seed: int = 1,
    year: int | None = None,
    progress: bool = False,
    batch: int = 20_000,
    live: bool | None = None,
    workers: int | None = None,
) -> Result:
    """The same cases as `generate_services`, written with executemany, one transaction per batch.

    `workers` (None: `_workers(cases)`): processes that simulate and build the rows while this one writes
    (`_load_parallel`, not beside live traffic); 0 for one process.

    `live` (None: `live_traffic_likely()`): the database serves users meanwhile. Then nothing is taken away
    (indexes and tally triggers stay, so every live write is indexed and counted), each transaction holds at
    most LIVE_BATCH cases (a registrar waits for the write lock a moment, never the 20 s busy timeout), the
    pragmas stay as the app sets them, 编号 and ids are reserved the way the services take them, and the
    statistics are refreshed with a bounded ANALYZE."""
    _prepare()
    if live is None:
        live = live_traffic_likely()
    if live:
        return _generate_live(
            cases=cases, seed=seed, year=year, progress=progress, batch=min(batch, LIVE_BATCH)
        )
    with _fast_sqlite():
        return _generate_bulk(
            cases=cases, seed=seed, year=year, progress=progress, batch=batch, workers=workers
        )


# Cases per transaction beside live traffic: a flush of this many takes well under a second on a loaded
# laptop, so a live write waits at most that long for SQLite's write lock.
LIVE_BATCH = 500


def live_traffic_likely() -> bool:
    """The database is in use: it already holds cases, or (PostgreSQL) other sessions are connected to it.
    A first load into an empty database is the one that may take indexes and triggers away."""
    if Case.objects.exists():
        return True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            return bool(cursor.fetchone()[0])
    return False


def _generate_live(*, cases: int, seed: int, year: int | None, progress: bool, batch: int) -> Result:
    writer_numbers: list[LiveNumbers] = []
    try:
        result = _load(
            cases=cases,
            seed=seed,
            year=year,
            progress=progress,
            batch=batch,
            live=True,
            numbers=writer_numbers,
        )
    finally:
        for numbers in writer_numbers:
            numbers.release()
    if not connection.in_atomic_block:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:  # sample each index instead of reading it whole
                cursor.execute("PRAGMA analysis_limit = 1000")
            # In an IMMEDIATE transaction: it waits its turn for the write lock like any writer (in autocommit
            # ANALYZE reads first, and a writer in between makes it fail at once with "database is locked").
            with transaction.atomic():
                analyze()
        else:
            analyze()  # PostgreSQL: VACUUM ANALYZE takes no lock that stops writers
    return result


# Pragmas for the load only: no fsync per batch (a crash mid-load loses a generated batch, nothing more), and
# a 256 MB page cache, since with SQLite's default 2 MB the ~15 indexes thrash once the file passes a few
# hundred MB and writing slows down batch after batch.
_LOAD_PRAGMAS = {"synchronous": "OFF", "cache_size": "-262144"}


@contextmanager
def _fast_sqlite() -> Iterator[None]:
    """Set _LOAD_PRAGMAS on this connection, restore them after. Left alone inside an open transaction
    (tests), which is not a bulk load."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    before = {}
    with connection.cursor() as cursor:
        for name, value in _LOAD_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA {name}={value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name}={value}")


# From this many cases on, the bulk load drops the big tables' secondary indexes and builds them again after:
# SQLite keeps ~15 B-trees in step row by row otherwise, and that grows with the file; one sorted build
# each at the end is cheaper. Below it the rebuild would cost more than it saves.
DROP_INDEXES_FROM = 100_000  # settings.XINFANG_BULK_DROP_FROM overrides it (a test kills a small load)


def _drop_from() -> int:
    return int(getattr(settings, "XINFANG_BULK_DROP_FROM", DROP_INDEXES_FROM))


_BIG = (Person, Case, CasePetitioner, Clock, Event, Notice, Evaluation, ReturnVisit)


# PostgreSQL builds the indexes again with this much sort memory (the session's, for the rebuild only).
PG_INDEX_BUILD_MEMORY = "256MB"


def _secondary_indexes() -> list[tuple[str, str]]:
    """The big tables' non-unique indexes as (name, CREATE INDEX text), as the database itself prints them:
    SQLite's sqlite_master, PostgreSQL's pg_get_indexdef (schema-qualified, with opclasses, INCLUDE and WHERE).
    What comes back is exactly what the migrations made: the `_meta.indexes`, and the foreign-key, `db_index`
    and `_like` ones that `_meta.indexes` does not list."""
    tables = [m._meta.db_table for m in _BIG]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
                tables,
            )
        else:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
                "AND NOT x.indisunique AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) ORDER BY 1",
                [tables],
            )
        return cursor.fetchall()


@contextmanager
def _secondary_indexes_dropped(cases: int) -> Iterator[None]:
    """Not inside a transaction (tests), and only for large loads: the big tables' secondary indexes go for
    the load and are built again from their own CREATE INDEX text after it (_secondary_indexes), on SQLite
    and PostgreSQL. UNIQUE indexes stay (they are the integrity checks, e.g. one Person per id number). Each
    index is written down before it goes (core.DisabledObject), so a load killed mid-way is repaired by
    `xinfang doctor`."""
    if connection.in_atomic_block or cases < _drop_from():
        yield
        return
    found = _secondary_indexes()
    items = [Disabled("index", name, sql) for name, sql in found]
    postgres = connection.vendor == "postgresql"

    def drop() -> None:
        with connection.cursor() as cursor:
            for name, _ in found:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            if postgres:  # session-wide until RESET below: the rebuild in objects_disabled's finally sorts
                cursor.execute(f"SET maintenance_work_mem = '{PG_INDEX_BUILD_MEMORY}'")

    try:
        with objects_disabled(items, take_away=drop, reason="批量生成信访事项"):
            yield
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("RESET maintenance_work_mem")


@contextmanager
def _tallies_recounted_after(cases: int) -> Iterator[None]:
    """The figure tallies (analytics.tally) are kept by triggers, per row on SQLite. For a large load, turn
    them off and recount once from the rows at the end: the same counts, one GROUP BY instead of millions of
    trigger runs. Small loads and loads inside a transaction (tests) keep the triggers. Written down first
    (core.DisabledObject), so a killed load leaves a trail that `xinfang doctor` repairs."""
    if connection.in_atomic_block or cases < _drop_from():
        yield
        return
    item = Disabled("action", "figure tally triggers", TALLY_RESTORE)
    with objects_disabled([item], take_away=tally_uninstall, reason="批量生成信访事项"):
        yield


# Restores the tally triggers and recounts: a dotted path, since it is stored (core.DisabledObject) for
# `xinfang doctor` to run after a killed load.
TALLY_RESTORE = "xinfang.analytics.tally.tally_install_and_rebuild"


def _generate_bulk(
    *, cases: int, seed: int, year: int | None, progress: bool, batch: int, workers: int | None = None
) -> Result:
    if workers is None:
        workers = _workers(cases)
    with _tallies_recounted_after(cases), _secondary_indexes_dropped(cases):
        if workers:
            result = _load_parallel(
                cases=cases,
                seed=seed,
                year=year,
                progress=progress,
                workers=workers,
                batch=min(batch, PARALLEL_BATCH),
            )
        else:
            result = _load(cases=cases, seed=seed, year=year, progress=progress, batch=batch)
    if not connection.in_atomic_block:
        analyze()  # a load leaves the planner statistics it needs (a queue at 100k took 233 s without)
    return result


# From this many cases on, a first load simulates and builds its rows in worker processes while this
# process writes them (settings.XINFANG_GENERATE_PARALLEL_FROM overrides it; a test runs a small one).
PARALLEL_FROM = 50_000
# Cases per batch (and per transaction) of a parallel load: small enough that the writer starts soon and
# the workers stay about one batch ahead of it (a smaller `batch` given to generate_bulk wins).
PARALLEL_BATCH = 5_000


def _workers(cases: int) -> int:
    """How many worker processes simulate for this load: none inside a transaction (tests, and a worker
    could not see its rows), for small loads, or where processes cannot be forked; else
    settings.XINFANG_GENERATE_WORKERS, or as many as the cores beside the writer, at least two: each worker
    also draws the plans it skips, so on two cores two workers beside the writer keep both busy."""
    if connection.in_atomic_block or cases < int(
        getattr(settings, "XINFANG_GENERATE_PARALLEL_FROM", PARALLEL_FROM)
    ):
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    configured = getattr(settings, "XINFANG_GENERATE_WORKERS", None)
    if configured is not None:
        return int(configured)
    return min(4, max(2, (os.cpu_count() or 1) - 1))


def _load_parallel(
    *, cases: int, seed: int, year: int | None, progress: bool, workers: int, batch: int
) -> Result:
    """`_load` in three kinds of process: a forked planner draws every plan once, in order, from the seed,
    cuts them into batches and counts the ids and 编号 each batch starts from (BulkWriter.skip, `_plan`);
    `workers` forked processes each take every `workers`-th batch from it, simulate it and build its rows
    (BulkWriter.prepare: ids, tuples, each event's hashed text, `_work`); this one writes the batches in
    order (BulkWriter.commit: the chain linked under its lock, the rows, the counters). So the rows are the
    ones a single process writes. Only for a first load (no live traffic): the ids are counted from the
    highest at the start, and each batch checks that nobody wrote meanwhile. No child touches the database:
    the actors are created first (Cast.warm)."""
    cast = Cast()
    cast.warm()
    code = query_code_new()
    writer = BulkWriter(cast, query_code_hash(code))
    existing = set(Person.objects.exclude(id_number=None).values_list("id_number", flat=True))
    planner = Planner(seed=seed, year=year, now=timezone.now())
    planner.ids |= existing  # never collide with a petitioner already on file
    messages()  # read once here; the children share it
    for table in writer.tables.values():
        if table.own_ids:
            table.begin()
    result = Result(query_code=code)
    bar = _bar(cases, progress)
    ctx = multiprocessing.get_context("fork")
    plan_pipes = [ctx.Pipe(duplex=False) for _ in range(workers)]  # planner → worker k
    pipes = [ctx.Pipe(duplex=False) for _ in range(workers)]  # worker k → this process
    procs = [
        ctx.Process(
            target=_plan,
            args=(writer, planner, cases, batch, plan_pipes, pipes),
            name="xinfang-generate-plan",
            daemon=True,
        )
    ] + [
        ctx.Process(
            target=_work,
            args=(writer, k, plan_pipes, pipes),
            name=f"xinfang-generate-{k}",
            daemon=True,
        )
        for k in range(workers)
    ]
    for p in procs:
        p.start()
    for recv, send in plan_pipes:
        recv.close()
        send.close()
    for _, send in pipes:
        send.close()  # the workers hold the sending ends: a dead worker reads as EOF here
    failed = True
    try:
        index = 0
        while True:
            try:
                got = pipes[index % workers][0].recv()
            except EOFError:
                raise RuntimeError("生成进程意外退出") from None
            if got is None:  # that worker has no batch `index`: there is none
                break
            if isinstance(got, str):
                raise RuntimeError(f"生成进程出错：\n{got}")
            with transaction.atomic():
                writer.check_ids(got)
                writer.commit(got)
            result.case_ids += got.case_ids
            result.cases += len(got.case_ids)
            for stage, n in got.stages.items():
                result.stages[stage] = result.stages.get(stage, 0) + n
            bar(len(got.case_ids))
            index += 1
        failed = False
    finally:
        for p in procs:
            if not failed and p.is_alive() and p.exitcode is None:
                p.join(timeout=5)
            if p.is_alive():  # a failed load: the others may wait on a pipe nobody reads any more
                p.kill()
            p.join()
        for recv, _ in pipes:
            recv.close()
    return result


def _no_database(*args: Any) -> None:
    raise RuntimeError("生成进程不得访问数据库（它的连接属于父进程）")


def _child(k: int | None, plan_pipes: list, pipes: list) -> None:
    """In a forked child of `_load_parallel`: close the pipe ends that are not its own (so that a dead
    process reads as EOF at the other end) and bar the parent's database connections."""
    for j, ((plan_recv, plan_send), (recv, send)) in enumerate(zip(plan_pipes, pipes, strict=True)):
        recv.close()
        if k is None:  # the planner keeps the sending ends to the workers
            plan_recv.close()
            send.close()
        else:
            plan_send.close()
            if j != k:
                plan_recv.close()
                send.close()
    # The forked connections are the parent's (its socket, its SQLite handle): never to be used here.
    for conn in connections.all(initialized_only=True):
        conn.execute_wrappers.append(_no_database)


# Where a batch of a parallel load starts: the 编号 counters and the next ids of the tables that give their own.
_Start = tuple[dict[tuple[int, int], int], dict[type[models.Model], int]]


def _plan(
    writer: BulkWriter, planner: Planner, cases: int, batch: int, plan_pipes: list, pipes: list
) -> None:
    """The planner of `_load_parallel`: each plan drawn once, in order; batch i, with where it starts, goes
    to worker i mod n; then None to every worker. An error goes to every worker as text, which passes it on."""
    _child(None, plan_pipes, pipes)
    sends = [send for _, send in plan_pipes]
    n = len(sends)
    tables = [(m, t) for m, t in writer.tables.items() if t.own_ids]
    try:
        index = pending = 0
        todo: list[Plan] = []
        start: _Start = (dict(writer.sequences), {m: t._next for m, t in tables})
        for plan in planner.plans(cases):
            todo.append(plan)
            pending += writer.skip(plan)  # counts its 编号 and ids, as `add` and `prepare` will take them
            if pending >= batch:
                sends[index % n].send((start, todo))
                start = (dict(writer.sequences), {m: t._next for m, t in tables})
                index, pending, todo = index + 1, 0, []
        if todo:
            sends[index % n].send((start, todo))
        for send in sends:
            send.send(None)
    except BaseException:
        for send in sends:
            with contextlib.suppress(OSError):  # a worker may be gone already
                send.send(traceback.format_exc())
        raise


def _work(writer: BulkWriter, k: int, plan_pipes: list, pipes: list) -> None:
    """A worker of `_load_parallel`: the batches k, k + n, k + 2n, … from the planner, simulated and built
    from where each starts, sent in order; then None (or the planner's error, passed on)."""
    _child(k, plan_pipes, pipes)
    recv, send = plan_pipes[k][0], pipes[k][1]
    try:
        while True:
            try:
                got = recv.recv()
            except EOFError:
                got = "生成计划进程意外退出"
            if got is None or isinstance(got, str):
                send.send(got)
                return
            (sequences, next_ids), todo = got
            writer.sequences = sequences
            for model, first in next_ids.items():
                writer.tables[model]._next = first
            stages: dict[str, int] = {}
            for plan in todo:
                writer.add(plan)
                stages[plan.stage] = stages.get(plan.stage, 0) + 1
            send.send(dataclasses.replace(writer.prepare(), stages=stages))
    except BaseException:
        with contextlib.suppress(OSError):  # the writer may be gone already
            send.send(traceback.format_exc())
        raise


def _load(
    *,
    cases: int,
    seed: int,
    year: int | None,
    progress: bool,
    batch: int,
    live: bool = False,
    numbers: list[LiveNumbers] | None = None,
) -> Result:
    cast = Cast()
    code = query_code_new()
    writer = BulkWriter(cast, query_code_hash(code), live=live)
    if writer.blocks is not None and numbers is not None:
        numbers.append(writer.blocks)
    existing = set(Person.objects.exclude(id_number=None).values_list("id_number", flat=True))
    planner = Planner(seed=seed, year=year, now=timezone.now())
    planner.ids |= existing  # never collide with a petitioner already on file
    result = Result(query_code=code)
    bar = _bar(cases, progress)
    pending = 0
    for plan in planner.plans(cases):
        made = writer.add(plan)
        result.cases += len(made)
        pending += len(made)
        result.stages[plan.stage] = result.stages.get(plan.stage, 0) + 1
        bar(len(made))
        if pending >= batch:
            result.case_ids += writer.flush()
            pending = 0
    result.case_ids += writer.flush()
    return result


def generate(
    *,
    cases: int,
    seed: int = 1,
    year: int | None = None,
    bulk: bool | None = None,
    progress=False,
    live: bool | None = None,
    batch: int | None = None,
    workers: int | None = None,
) -> Result:
    """Small runs go through the services; large ones (or when time-machine is missing) take the bulk path."""
    if bulk is None:
        bulk = cases > 2000
    if not bulk:
        try:
            import time_machine  # noqa: F401 — a probe: is the optional services path available?
        except ImportError:  # a runtime install without the test dependencies
            bulk = True
    if bulk:
        result = generate_bulk(
            cases=cases,
            seed=seed,
            year=year,
            progress=progress,
            live=live,
            workers=workers,
            **({"batch": batch} if batch else {}),
        )
        # The bulk path chains its events as it writes them (BulkWriter.flush); what a load killed before
        # this change left unchained is sealed here (xinfang/core/audit.py; one indexed look-up when none).
        event_chain_seal()
        return result
    return generate_services(cases=cases, seed=seed, year=year, progress=progress)


def summary(result: Result) -> str:
    parts = "，".join(f"{k} {v}" for k, v in sorted(result.stages.items()))
    return f"已生成{result.cases}件信访事项（{parts}）"


__all__ = ["generate", "generate_bulk", "generate_services", "messages", "summary"]
