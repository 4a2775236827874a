"""The procedural review (程序性评价) of one case, computed from its record: the event log, the clocks and
the documents with their service records (docs/quality.md "Procedural review").

Nothing here is entered by a person and nothing is stored: `procedural_review(case, today=…)` reads what
the case's services wrote and answers, for each step the 条例 prescribes, whether the body kept to it —
with the events, clocks and documents that show it. The committee's substantive review (实体性) sits beside
it; the scores per body count how often it passes (xinfang/evaluation/scores.py).

Each `Check.passed` is True (kept), False (not kept — the reason says how) or None: not applicable to this
case, or not decidable yet (a clock still running, a notice not yet due to be served). Every period comes
from xinfang/core/periods.py through the clocks, which were counted from it.

The caller has read `case` through the one read path (case_get_for_actor / cases_visible_to); this module
reads only the rows that hang off it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_noop

from xinfang.cases.confidentiality import accusation_hidden_from
from xinfang.cases.models import Case, Notice, NoticeKind, PetitionType
from xinfang.cases.workflow import BY_ACTION, OPEN_STATES, ClockKind
from xinfang.core.models import Event
from xinfang.core.periods import period
from xinfang.deadlines.calendar import Pause, WorkCalendar, compute_due, local_date
from xinfang.deadlines.kinds import CLOCK_LABELS
from xinfang.deadlines.models import Clock
from xinfang.documents.models import Document
from xinfang.orgs.models import Body, BodyKind, Membership, Role

TIAOLI = "《信访工作条例》"

# The checks, in the order a case meets them: (key, label, legal basis).
CHECKS: tuple[tuple[str, str, str], ...] = (
    ("registration_in_time", gettext_noop("登记后按期转送、交办或告知"), "第二十二条"),
    ("acceptance_in_time", gettext_noop("按期告知受理或不予受理"), "第二十三条"),
    ("answered_in_time", gettext_noop("按期办结答复"), "第三十四条"),
    ("extension_lawful", gettext_noop("延期经负责人批准并告知信访人"), "第三十四条"),
    ("notices_served", gettext_noop("应出具的文书均已出具并送达"), "第二十三条、第三十二条"),
    ("route_lawful", gettext_noop("转送交办途径合法"), "第二十二条第二款、第三十条第三款"),
    ("opinion_content", gettext_noop("意见书载明诉求、事实理由、处理意见及依据"), "第三十二条"),
    ("review_windows", gettext_noop("复查、复核期限得到遵守"), "第三十五条、第三十六条"),
)
CHECK_LABELS: dict[str, str] = {key: label for key, label, _ in CHECKS}
_BASIS: dict[str, str] = {key: f"{TIAOLI}{article}" for key, _, article in CHECKS}

# A 处理意见 names its legal basis when its text cites a law or regulation by title (《…》) or an article
# (第…条). "依据有关规定" alone is no basis in the sense of Art. 32 ("法律法规依据").
LEGAL_CITATION = re.compile(r"《[^》]{2,}》|第[一二三四五六七八九十百零〇两\d]+条")
OPINION_KINDS = (NoticeKind.OPINION, NoticeKind.REVIEW_OPINION, NoticeKind.REREVIEW_OPINION)
ROUTING_ACTIONS = ("transfer", "assign", "designate_lead", "decide_lead")
# Clocks stopped by someone else's decision say nothing about the body's own timeliness.
_NOT_THE_BODYS = frozenset({"objection_agree", "archive"})


@dataclass(frozen=True)
class Evidence:
    """A row of the case's record that a check rests on: an event, a clock, a notice or a document."""

    kind: str  # "event" | "clock" | "notice" | "document"
    id: int
    label: str  # plain Chinese, e.g. "受理告知期限：2026-03-02起算，2026-03-17到期，2026-03-05停止（按期）"


@dataclass
class Check:
    key: str
    label: str  # gettext_noop'd Chinese (translate where shown: gettext(check.label))
    passed: bool | None  # None: not applicable, or not decidable yet
    reason: str  # plain Chinese (stored as such when a review keeps it)
    evidence: list[Evidence] = field(default_factory=list)
    legal_basis: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "passed": self.passed,
            "reason": self.reason,
            "legal_basis": self.legal_basis,
            "evidence": [{"kind": e.kind, "id": e.id, "label": e.label} for e in self.evidence],
        }


def _check(key: str, passed: bool | None, reason: str, evidence: Iterable[Evidence] = ()) -> Check:
    return Check(
        key=key,
        label=CHECK_LABELS[key],
        passed=passed,
        reason=reason,
        evidence=list(evidence),
        legal_basis=_BASIS[key],
    )


# ----------------------------------------------------------------------------------------- the record


@dataclass
class _Record:
    case: Case
    today: date
    events: list[Event]
    clocks: list[Clock]
    notices: list[Notice]
    documents: dict[int, Document]  # by notice id

    def clocks_of(self, *kinds: str) -> list[Clock]:
        return [c for c in self.clocks if c.kind in kinds]

    def events_of(self, *actions: str) -> list[Event]:
        return [e for e in self.events if e.action in actions]

    @property
    def closed(self) -> bool:
        return self.case.state not in OPEN_STATES


def _record(case: Case, today: date) -> _Record:
    events = list(
        Event.objects.filter(object_type=Case._meta.label_lower, object_id=str(case.pk))
        .exclude(action="read")
        .select_related("body")
        .order_by("occurred_at", "id")
    )
    clocks = list(Clock.objects.filter(case_id=case.pk).order_by("started_on", "id"))
    notices = list(Notice.objects.filter(case_id=case.pk).order_by("issued_at", "id"))
    documents = {
        d.notice_id: d
        for d in Document.objects.filter(case_id=case.pk, notice__isnull=False).select_related("service")
    }
    return _Record(case, today, events, clocks, notices, documents)


def _day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _clock_evidence(clock: Clock) -> Evidence:
    label = CLOCK_LABELS.get(clock.kind, clock.kind)
    if clock.is_open:
        state = "进行中"
    else:
        state = f"{_day(clock.stopped_on)}停止（{'按期' if clock.on_time else '逾期'}）"
    extended = f"，延长{clock.extension_days}日" if clock.extension_days else ""
    return Evidence(
        "clock",
        clock.pk,
        f"{label}：{_day(clock.started_on)}起算{extended}，{_day(clock.due_on)}到期，{state}",
    )


def _event_evidence(event: Event) -> Evidence:
    transition = BY_ACTION.get(event.action)
    name = transition.label if transition else event.action
    who = event.body.name if event.body else ""
    return Evidence("event", event.pk, f"{local_date(event.occurred_at).isoformat()} {who}{name}".strip())


def _notice_evidence(notice: Notice, document: Document | None) -> Evidence:
    if document is None:
        return Evidence("notice", notice.pk, f"{notice.title}（{local_date(notice.issued_at).isoformat()}）")
    service = _service(document)
    served = f"，{_day(service.served_on)}送达" if service and service.served_on else "，未送达"
    return Evidence("document", document.pk, f"{document.title} {document.number}{served}")


def _service(document: Document):
    try:
        return document.service
    except Document.service.RelatedObjectDoesNotExist:
        return None


def _clocks_verdict(key: str, clocks: list[Clock], today: date, what: str) -> Check:
    """Kept when every clock stopped within its limit; not kept when one stopped late or is open past its
    due day; undecided while one is still running; not applicable with none."""
    clocks = [c for c in clocks if c.stopped_by not in _NOT_THE_BODYS]
    if not clocks:
        return _check(key, None, f"该事项未经{what}环节。")
    late = [c for c in clocks if (not c.is_open and c.on_time is False)]
    overdue = [c for c in clocks if c.is_open and c.paused_since is None and today > c.due_on]
    running = [c for c in clocks if c.is_open and c not in overdue]
    evidence = [_clock_evidence(c) for c in clocks]
    if late:
        c = late[0]
        return _check(
            key, False, f"{what}逾期：期限{_day(c.due_on)}届满，{_day(c.stopped_on)}才办理。", evidence
        )
    if overdue:
        c = overdue[0]
        return _check(key, False, f"{what}逾期：期限{_day(c.due_on)}届满，至今未办理。", evidence)
    if running:
        return _check(key, None, f"{what}期限尚未届满（{_day(running[0].due_on)}）。", evidence)
    return _check(key, True, f"{what}均在期限内完成。", evidence)


# ------------------------------------------------------------------------------------------- the checks


def _registration(r: _Record) -> Check:
    return _clocks_verdict(
        "registration_in_time", r.clocks_of(ClockKind.REGISTRATION), r.today, "登记后转送、交办或告知"
    )


def _acceptance(r: _Record) -> Check:
    # An objection (异议) is timely only within its own working-day period; a clock stopped by 受理 says
    # nothing about objections (the body chose not to object), so only the ones the objection stopped count.
    clocks = r.clocks_of(ClockKind.ACCEPTANCE) + [
        c for c in r.clocks_of(ClockKind.OBJECTION) if c.stopped_by == "object"
    ]
    return _clocks_verdict("acceptance_in_time", clocks, r.today, "受理告知")


def _answered(r: _Record) -> Check:
    return _clocks_verdict(
        "answered_in_time", r.clocks_of(ClockKind.HANDLING, ClockKind.ASSIGNMENT), r.today, "办结答复"
    )


def _served(r: _Record, notice: Notice) -> bool:
    document = r.documents.get(notice.pk)
    service = _service(document) if document is not None else None
    return bool(service and service.served_on)


def _extension(r: _Record) -> Check:
    key = "extension_lawful"
    extensions = r.events_of("extend")
    if not extensions:
        return _check(key, None, "该事项未延期。")
    heads = set(
        Membership.objects.filter(
            user_id__in=[e.actor_id for e in extensions if e.actor_id], role=Role.AGENCY_HEAD
        ).values_list("user_id", "body_id")
    )
    handling = r.clocks_of(ClockKind.HANDLING)
    clock = handling[-1] if handling else None
    cap = period("extension_max").current_days()
    problems: list[str] = []
    evidence = [_event_evidence(e) for e in extensions]
    if clock is not None:
        evidence.append(_clock_evidence(clock))
    pending = False
    for event in extensions:
        days = int(event.new_values.get("extension_days") or 0)
        if (event.actor_id, event.body_id) not in heads:
            problems.append(f"延期由{event.actor_label or '未知人员'}决定，未经本机关负责人批准")
        if days > cap:
            problems.append(f"延长{days}日，超过第三十四条规定的上限{cap}日")
        if not event.reason.strip():
            problems.append("未载明延期理由")
        if clock is not None:
            original = compute_due(
                start=clock.started_on,
                days=clock.days,
                working=clock.working,
                pauses=[Pause(date.fromisoformat(a), date.fromisoformat(b)) for a, b in clock.pauses],
                calendar=WorkCalendar.from_db(),
            ).due
            if local_date(event.occurred_at) > original:
                problems.append(f"原办理期限{_day(original)}届满后才延期")
        notice = next((n for n in r.notices if n.event_id == event.pk and n.kind == NoticeKind.EXTEND), None)
        if notice is not None:
            evidence.append(_notice_evidence(notice, r.documents.get(notice.pk)))
        if r.case.anonymous:
            continue  # Art. 23 ¶2: no one to tell when the petitioner's name and address are unknown
        if notice is None:
            problems.append("未出具延期告知书")
        elif not _served(r, notice):
            if clock is not None and clock.is_open and not r.closed:
                pending = True
            else:
                problems.append("延期告知书未送达信访人，延期理由未告知")
    if problems:
        return _check(key, False, "；".join(problems) + "。", evidence)
    if pending:
        return _check(key, None, "延期经负责人批准，延期告知书尚未送达。", evidence)
    return _check(key, True, "延期经本机关负责人批准，在期限内作出，并已书面告知信访人延期理由。", evidence)


def _notices(r: _Record) -> Check:
    key = "notices_served"
    issued_for = {n.event_id for n in r.notices if n.event_id}
    missing = [
        e
        for e in r.events
        if (t := BY_ACTION.get(e.action)) is not None and t.notice is not None and e.pk not in issued_for
    ]
    evidence = [_event_evidence(e) for e in missing]
    evidence += [_notice_evidence(n, r.documents.get(n.pk)) for n in r.notices]
    if not r.notices and not missing:
        return _check(key, None, "该事项尚无应出具的文书。")
    if missing:
        names = "、".join(str(BY_ACTION[e.action].notice.label) for e in missing)
        return _check(key, False, f"未出具：{names}。", evidence)
    if r.case.anonymous:
        return _check(key, None, "匿名信访，信访人姓名、住址不清，无法送达（第二十三条第二款）。", evidence)
    unserved = [n for n in r.notices if n.visible_to_petitioner and not _served(r, n)]
    if unserved:
        names = "、".join(n.title for n in unserved)
        if r.closed:
            return _check(key, False, f"未送达信访人：{names}。", evidence)
        return _check(key, None, f"尚未送达：{names}。", evidence)
    return _check(key, True, "应出具的文书均已出具，并已送达信访人。", evidence)


def _route(r: _Record) -> Check:
    key = "route_lawful"
    routed = r.events_of(*ROUTING_ACTIONS)
    if not routed:
        return _check(key, None, "该事项未经转送、交办。")
    targets: dict[int, list[int]] = {}
    for e in routed:
        ids = [e.new_values.get("current_body"), *(e.new_values.get("co_bodies") or [])]
        targets[e.pk] = [int(i) for i in ids if i]
    bodies = Body.objects.in_bulk({i for ids in targets.values() for i in ids})
    case = r.case
    problems: list[str] = []
    for e in routed:
        sender_is_xinfang = e.body is not None and e.body.kind == BodyKind.XINFANG
        for i, body_id in enumerate(targets[e.pk]):
            body = bodies.get(body_id)
            if body is None:
                continue
            if accusation_hidden_from(case, body):
                problems.append(f"检举控告类事项转给了被反映单位或其所属单位{body.name}（第三十条第三款）")
            if i > 0 or not sender_is_xinfang or e.action not in ("transfer", "assign"):
                continue
            if case.law_related and body.kind != BodyKind.POLITICS_LAW:
                problems.append(f"涉法涉诉事项转给了{body.name}，未转送同级政法部门（第二十二条第二款）")
            elif case.petition_type == PetitionType.ACCUSATION and body.kind != BodyKind.DISCIPLINE:
                problems.append(f"检举控告类事项转给了{body.name}，未转送纪检监察机关（第二十二条第二款）")
    evidence = [_event_evidence(e) for e in routed]
    if problems:
        return _check(key, False, "；".join(problems) + "。", evidence)
    return _check(key, True, "转送、交办的对象符合法定途径。", evidence)


def _opinion(r: _Record) -> Check:
    key = "opinion_content"
    if r.case.petition_type == PetitionType.SUGGESTION:
        return _check(key, None, "建议意见类事项按第二十九条答复，不出具信访处理意见书。")
    opinions = [n for n in r.notices if n.kind in OPINION_KINDS]
    if not opinions:
        return _check(key, None, "该事项尚未出具意见书。")
    problems: list[str] = []
    evidence = []
    for notice in opinions:
        document = r.documents.get(notice.pk)
        evidence.append(_notice_evidence(notice, document))
        ctx = document.context if document is not None else {}
        request = ctx.get("request", r.case.request)
        facts = ctx.get("facts", r.case.facts)
        outcome = ctx.get("outcome") or ""
        text = ctx.get("text") or ""
        missing = []
        if not str(request).strip():
            missing.append("投诉请求")
        if not str(facts).strip():
            missing.append("事实和理由")
        if not outcome:
            missing.append("处理意见")
        if not LEGAL_CITATION.search(str(text)):
            missing.append("法律法规依据")
        if missing:
            problems.append(f"{notice.title}未载明{'、'.join(missing)}")
    if problems:
        return _check(key, False, "；".join(problems) + "（第三十二条）。", evidence)
    return _check(key, True, "意见书载明了投诉请求、事实和理由、处理意见及其法律法规依据。", evidence)


def _review_windows(r: _Record) -> Check:
    key = "review_windows"
    windows = r.clocks_of(ClockKind.REVIEW_REQUEST, ClockKind.REREVIEW_REQUEST)
    decisions = r.clocks_of(ClockKind.REVIEW_DECISION, ClockKind.REREVIEW_DECISION)
    if not windows and not decisions:
        return _check(key, None, "该事项未开启复查、复核程序。")
    problems: list[str] = []
    for w in windows:
        label = CLOCK_LABELS[w.kind]
        if w.stopped_by in ("request_review", "request_rereview") and w.on_time is False:
            problems.append(f"{label}{_day(w.due_on)}已届满，仍受理了请求")
    verdict = _clocks_verdict(key, decisions, r.today, "复查、复核意见")
    evidence = [_clock_evidence(c) for c in windows] + verdict.evidence
    if problems:
        return _check(key, False, "；".join(problems) + "。", evidence)
    if verdict.passed is False:
        return _check(key, False, verdict.reason, evidence)
    if decisions and verdict.passed is None:
        return _check(key, None, verdict.reason, evidence)
    running = [w for w in windows if w.is_open]
    if running and not decisions:
        return _check(key, None, f"信访人请求期限尚未届满（{_day(running[0].due_on)}）。", evidence)
    return _check(key, True, "复查、复核的请求期限与办理期限均得到遵守。", evidence)


_RUNNERS = (
    _registration,
    _acceptance,
    _answered,
    _extension,
    _notices,
    _route,
    _opinion,
    _review_windows,
)


def procedural_review(case: Case, *, today: date) -> list[Check]:
    """Every procedural check of `case` as of `today`, in the order of CHECKS (about seven queries)."""
    record = _record(case, today)
    return [run(record) for run in _RUNNERS]


def procedural_passed(checks: Iterable[Check]) -> bool | None:
    """The case's procedure as a whole: failed if any check failed, passed if any passed and none failed,
    None when nothing could be decided yet."""
    results = [c.passed for c in checks]
    if False in results:
        return False
    return True if True in results else None
