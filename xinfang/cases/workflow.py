"""THE transition table: the only place that says what may happen to a case.

Each row: the action, the states it may start from, the state it leads to, the roles that may take it,
whose body must act, the clocks it starts / stops / pauses / resumes, the notice it produces, the article
it rests on, and the fields its form needs. Services enforce it (xinfang/cases/services.py); the UI and the
API draw their buttons and forms from it (`allowed_actions`). Tests walk it row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_noop

from xinfang.cases.models import NoticeKind, PetitionType, State
from xinfang.core.periods import period
from xinfang.deadlines.kinds import CLOCK_LABELS, PETITIONER_WINDOWS, ClockKind  # noqa: F401
from xinfang.orgs.models import Role

# ClockKind, CLOCK_LABELS and PETITIONER_WINDOWS belong to the deadlines app (a lower layer, so that it
# names them without importing cases); re-exported here, where the table uses them.


@dataclass(frozen=True)
class ClockStart:
    kind: ClockKind
    days: int | None  # None: from the action's input (交办 due date) or a setting (evaluation window)
    working: bool = False
    legal_basis: str = ""
    # Only for these petition types (None: all). The 复查/复核 windows of Art. 35–36 follow a 信访处理意见
    # on a 申诉求决 matter; a reply to a suggestion (Art. 29) or an accusation (Art. 30) opens none.
    petition_types: frozenset[str] | None = None


def _legal(kind: ClockKind, legal_basis: str, **kwargs) -> ClockStart:
    """A clock whose days and kind of day come from the periods table (xinfang/core/periods.py)."""
    p = period(kind.value)
    return ClockStart(kind, p.days, working=p.working, legal_basis=legal_basis, **kwargs)


class ActingBody(StrEnum):
    CURRENT = "current"  # the body that holds the case now
    SENDER = "sender"  # the 信访部门 (or upper agency) that transferred/assigned it
    REGISTERING = (
        "registering"  # the 信访部门 that registered it (takes a request on the petitioner's behalf)
    )
    # the common superior named when the bodies disputed who accepts (Art. 24 ¶1): Case.dispute_body
    COMMON_SUPERIOR = "common_superior"


STAFF_HANDLERS = frozenset({Role.CASE_OFFICER, Role.AGENCY_HEAD})
APPEAL_ONLY = frozenset({PetitionType.APPEAL.value})  # 申诉求决类 (Art. 31–36)
REGISTRARS = frozenset({Role.REGISTRAR})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[State]
    target: State | None  # None: the state does not change
    roles: frozenset[str]
    legal_basis: str
    acting_body: ActingBody = ActingBody.CURRENT
    petitioner_may: bool = False  # the petitioner may take it through the portal
    starts: tuple[ClockStart, ...] = ()
    stops: frozenset[ClockKind] = frozenset()
    pauses: frozenset[ClockKind] = frozenset()
    resumes: frozenset[ClockKind] = frozenset()
    notice: NoticeKind | None = None
    fields: tuple[str, ...] = ()  # what its form asks for
    reason_required: bool = False
    # Conditions on the case beyond its state (named here, defined in services.actions.GUARDS): checked by
    # the service and by allowed_actions alike, so no button is offered that the service would refuse.
    guards: tuple[str, ...] = ()
    style: str = ""  # "primary" / "danger" for the UI
    # 签发: the decision is issued only when the body's 负责人 approves it (Art. 34 for 延期; the body's own
    # practice for 意见书 and 不予/不再受理). A handler's action becomes a draft (xinfang/documents); the state,
    # the clocks and the notice change on approval.
    sign_off: bool = False

    @property
    def source_values(self) -> set[str]:
        return {s.value for s in self.sources}


def _t(*args, **kwargs) -> Transition:
    kwargs["sources"] = frozenset(kwargs["sources"])
    kwargs["roles"] = frozenset(kwargs["roles"])
    for key in ("stops", "pauses", "resumes"):
        if key in kwargs:
            kwargs[key] = frozenset(kwargs[key])
    return Transition(*args, **kwargs)


S = State
K = ClockKind

TRANSITIONS: tuple[Transition, ...] = (
    # —— 信访部门: register, then within the registration period transfer / assign / tell (Art. 22) ——
    _t(
        action="transfer",
        label=gettext_noop("转送"),
        sources={S.REGISTERED},
        target=S.TRANSFERRED,
        roles=REGISTRARS,
        legal_basis="《信访工作条例》第二十二条",
        stops={K.REGISTRATION},
        notice=NoticeKind.TRANSFER,
        fields=("target_body", "co_bodies", "reason"),
        style="primary",
    ),
    _t(
        action="assign",
        label=gettext_noop("交办"),
        sources={S.REGISTERED},
        target=S.ASSIGNED,
        roles=REGISTRARS,
        legal_basis="《信访工作条例》第二十二条第一款第（三）项",
        stops={K.REGISTRATION},
        starts=(ClockStart(K.ASSIGNMENT, None, legal_basis="第二十二条第一款第（三）项"),),
        notice=NoticeKind.ASSIGN,
        fields=("target_body", "due_date", "reason"),
    ),
    _t(
        action="tell",
        label=gettext_noop("告知"),
        sources={S.REGISTERED},
        target=S.TOLD,
        roles=REGISTRARS,
        legal_basis="《信访工作条例》第二十二条、第二十条",
        stops={K.REGISTRATION},
        notice=NoticeKind.TELL,
        fields=("told_where", "reason"),
        reason_required=True,
    ),
    # —— several agencies (Art. 24): the sender names which of them leads when they cannot agree ——
    _t(
        action="designate_lead",
        label=gettext_noop("确定牵头受理机关"),
        sources={S.TRANSFERRED, S.ASSIGNED, S.RECEIVED},
        target=None,
        roles=REGISTRARS | {Role.AGENCY_HEAD},
        acting_body=ActingBody.SENDER,
        legal_basis="《信访工作条例》第二十四条",
        fields=("target_body", "reason"),
        reason_required=True,
        guards=("several_bodies",),
    ),
    # —— Art. 24 ¶1: when the bodies involved cannot agree who accepts, their common superior decides ——
    _t(
        action="dispute_acceptance",
        label=gettext_noop("受理有争议，报共同上级决定"),
        sources={S.TRANSFERRED, S.ASSIGNED, S.RECEIVED},
        target=None,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第二十四条第一款",
        fields=("reason",),
        reason_required=True,
        guards=("several_bodies", "not_in_dispute"),
    ),
    _t(
        action="decide_lead",
        label=gettext_noop("决定受理机关（共同上级）"),
        sources={S.TRANSFERRED, S.ASSIGNED, S.RECEIVED},
        target=None,
        roles=frozenset({Role.AGENCY_HEAD, Role.LEADER, Role.REGISTRAR}),
        acting_body=ActingBody.COMMON_SUPERIOR,
        legal_basis="《信访工作条例》第二十四条第一款",
        fields=("target_body", "reason"),
        reason_required=True,
        guards=("in_dispute",),
        style="primary",
    ),
    # —— the agency signs for it; within the objection period it may object, within the acceptance one tell ——
    _t(
        action="receive",
        label=gettext_noop("签收"),
        sources={S.TRANSFERRED, S.ASSIGNED},
        target=S.RECEIVED,
        roles=STAFF_HANDLERS | REGISTRARS,
        legal_basis="《信访工作条例》第二十三条",
        starts=(
            _legal(K.ACCEPTANCE, legal_basis="第二十三条第三款"),
            _legal(K.OBJECTION, legal_basis="第二十三条第三款"),
        ),
        style="primary",
    ),
    _t(
        action="object",
        label=gettext_noop("提出异议"),
        sources={S.RECEIVED},
        target=S.OBJECTED,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第二十三条第三款",
        stops={K.OBJECTION},
        pauses={K.ACCEPTANCE},
        fields=("reason",),
        reason_required=True,
        style="danger",
    ),
    _t(
        action="objection_agree",
        label=gettext_noop("同意异议（退回重新转送）"),
        sources={S.OBJECTED},
        target=S.REGISTERED,
        roles=REGISTRARS | {Role.AGENCY_HEAD},
        acting_body=ActingBody.SENDER,
        legal_basis="《信访工作条例》第二十三条第三款",
        stops={K.ACCEPTANCE},
        starts=(_legal(K.REGISTRATION, legal_basis="第二十二条"),),
        fields=("reason",),
        reason_required=True,
    ),
    _t(
        action="objection_refuse",
        label=gettext_noop("不同意异议（仍由其办理）"),
        sources={S.OBJECTED},
        target=S.RECEIVED,
        roles=REGISTRARS | {Role.AGENCY_HEAD},
        acting_body=ActingBody.SENDER,
        legal_basis="《信访工作条例》第二十三条第三款",
        resumes={K.ACCEPTANCE},
        fields=("reason",),
        reason_required=True,
    ),
    # —— acceptance (Art. 23), the routes of Art. 31 ——
    _t(
        action="accept",
        label=gettext_noop("受理"),
        sources={S.RECEIVED},
        target=S.ACCEPTED,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第二十三条、第三十一条",
        stops={K.ACCEPTANCE, K.OBJECTION},
        starts=(_legal(K.HANDLING, legal_basis="第三十四条"),),
        notice=NoticeKind.ACCEPT,
        fields=("route", "reason"),
        style="primary",
    ),
    _t(
        action="divert",
        label=gettext_noop("导入法定程序"),
        sources={S.RECEIVED},
        target=S.DIVERTED,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第三十一条第（一）至（四）项、第二十八条第二款",
        stops={K.ACCEPTANCE, K.OBJECTION},
        notice=NoticeKind.DIVERT,
        fields=("route", "reason"),
        reason_required=True,
        guards=("appeal",),
    ),
    _t(
        action="refuse",
        label=gettext_noop("不予受理"),
        sources={S.REGISTERED, S.RECEIVED},
        target=S.NOT_ACCEPTED,
        roles=STAFF_HANDLERS | REGISTRARS,
        legal_basis="《信访工作条例》第十九条第三款、第二十三条",
        stops={K.REGISTRATION, K.ACCEPTANCE, K.OBJECTION},
        notice=NoticeKind.NOT_ACCEPT,
        fields=("reason",),
        reason_required=True,
        style="danger",
        sign_off=True,
    ),
    _t(
        action="refuse_again",
        label=gettext_noop("不再受理"),
        sources={S.REGISTERED, S.RECEIVED},
        target=S.NOT_REACCEPTED,
        roles=STAFF_HANDLERS | REGISTRARS,
        legal_basis="《信访工作条例》第三十六条第三款",
        stops={K.REGISTRATION, K.ACCEPTANCE, K.OBJECTION},
        notice=NoticeKind.NOT_REACCEPT,
        fields=("reason",),
        reason_required=True,
        style="danger",
        sign_off=True,
    ),
    # —— handling ——
    _t(
        action="extend",
        label=gettext_noop("延期"),
        sources={S.ACCEPTED},
        target=None,
        roles={Role.AGENCY_HEAD},
        legal_basis="《信访工作条例》第三十四条",
        notice=NoticeKind.EXTEND,
        fields=("days", "reason"),
        reason_required=True,
        guards=("route_six", "not_extended"),
        sign_off=True,
    ),
    _t(
        action="hearing_start",
        label=gettext_noop("举行听证"),
        sources={S.ACCEPTED, S.REREVIEWING},
        target=None,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第三十一条第（六）项、第三十六条第二款",
        pauses={K.HANDLING, K.REREVIEW_DECISION},
        notice=NoticeKind.HEARING,
        fields=("hearing_date", "reason"),
        guards=("no_hearing_running", "hearing_applicable"),
    ),
    _t(
        action="hearing_end",
        label=gettext_noop("听证结束"),
        sources={S.ACCEPTED, S.REREVIEWING},
        target=None,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第三十六条第二款",
        resumes={K.HANDLING, K.REREVIEW_DECISION},
        fields=("reason",),
        guards=("hearing_running",),
    ),
    _t(
        action="mediate",
        label=gettext_noop("调解/和解达成协议"),
        sources={S.ACCEPTED},
        target=S.ANSWERED,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第三十三条",
        stops={K.HANDLING, K.ASSIGNMENT},
        starts=(
            _legal(K.REVIEW_REQUEST, "第三十五条", petition_types=APPEAL_ONLY),
            ClockStart(K.EVALUATION, None),
        ),
        notice=NoticeKind.MEDIATION,
        fields=("text",),
        reason_required=False,
        guards=("appeal", "no_hearing_running"),
    ),
    # A 信访部门 that refers a dispute at registration to the one-stop centre's mediation (Art. 33, 37):
    # the agreement is the written result and ends the matter; no 处理意见 was given, so no 复查 window.
    _t(
        action="mediate_at_intake",
        label=gettext_noop("调解/和解达成协议（登记环节）"),
        sources={S.REGISTERED},
        target=S.CONCLUDED,
        roles=REGISTRARS,
        legal_basis="《信访工作条例》第三十三条、第三十七条",
        stops={K.REGISTRATION},
        starts=(ClockStart(K.EVALUATION, None),),
        notice=NoticeKind.MEDIATION,
        fields=("text",),
        guards=("appeal",),
    ),
    _t(
        action="answer",
        label=gettext_noop("答复（出具处理意见书）"),
        sources={S.ACCEPTED},
        target=S.ANSWERED,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第三十二条、第二十九条、第三十四条",
        stops={K.HANDLING, K.ASSIGNMENT},
        starts=(
            _legal(K.REVIEW_REQUEST, "第三十五条", petition_types=APPEAL_ONLY),
            ClockStart(K.EVALUATION, None),
        ),
        notice=NoticeKind.OPINION,
        fields=("outcome", "text"),
        style="primary",
        guards=("no_hearing_running",),
        sign_off=True,
    ),
    # —— 复查 and 复核 (Art. 35, 36) ——
    _t(
        action="request_review",
        label=gettext_noop("请求复查"),
        sources={S.ANSWERED},
        target=S.REVIEWING,
        roles=REGISTRARS,
        petitioner_may=True,
        legal_basis="《信访工作条例》第三十五条",
        acting_body=ActingBody.REGISTERING,
        stops={K.REVIEW_REQUEST},
        starts=(_legal(K.REVIEW_DECISION, legal_basis="第三十五条"),),
        fields=("reason",),
        reason_required=True,
        guards=("reviewable",),
    ),
    _t(
        action="decide_review",
        label=gettext_noop("出具复查意见"),
        sources={S.REVIEWING},
        target=S.REVIEWED,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第三十五条",
        stops={K.REVIEW_DECISION},
        starts=(_legal(K.REREVIEW_REQUEST, legal_basis="第三十六条"), ClockStart(K.EVALUATION, None)),
        notice=NoticeKind.REVIEW_OPINION,
        fields=("outcome", "text"),
        style="primary",
        sign_off=True,
    ),
    _t(
        action="request_rereview",
        label=gettext_noop("请求复核"),
        sources={S.REVIEWED},
        target=S.REREVIEWING,
        roles=REGISTRARS,
        petitioner_may=True,
        legal_basis="《信访工作条例》第三十六条",
        acting_body=ActingBody.REGISTERING,
        stops={K.REREVIEW_REQUEST, K.EVALUATION},
        starts=(_legal(K.REREVIEW_DECISION, legal_basis="第三十六条"),),
        fields=("reason",),
        reason_required=True,
    ),
    _t(
        action="decide_rereview",
        label=gettext_noop("出具复核意见"),
        sources={S.REREVIEWING},
        target=S.REREVIEWED,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第三十六条",
        stops={K.REREVIEW_DECISION},
        starts=(ClockStart(K.EVALUATION, None),),
        notice=NoticeKind.REREVIEW_OPINION,
        fields=("outcome", "text"),
        style="primary",
        guards=("no_hearing_running",),
        sign_off=True,
    ),
    # —— closing ——
    _t(
        action="conclude",
        label=gettext_noop("办结"),
        sources={S.ANSWERED, S.REVIEWED},
        target=S.CONCLUDED,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第三十四条、第三十五条",
        stops={K.REVIEW_REQUEST, K.REREVIEW_REQUEST},
        fields=("reason",),
    ),
    _t(
        action="terminate",
        label=gettext_noop("终结"),
        sources={S.REREVIEWED},
        target=S.TERMINATED,
        roles=STAFF_HANDLERS,
        legal_basis="《信访工作条例》第三十六条第三款",
        notice=NoticeKind.TERMINATE,
        fields=("reason",),
    ),
    _t(
        action="archive",
        label=gettext_noop("归档"),
        sources={
            S.TOLD,
            S.DIVERTED,
            S.NOT_ACCEPTED,
            S.NOT_REACCEPTED,
            S.REPEAT_LINKED,
            S.CONCLUDED,
            S.TERMINATED,
        },
        target=S.ARCHIVED,
        roles=STAFF_HANDLERS | REGISTRARS,
        legal_basis="《信访工作条例》第四十三条",
        stops=set(K),
    ),
)

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}
OPEN_STATES = frozenset(
    set(S)
    - {
        S.TOLD,
        S.DIVERTED,
        S.NOT_ACCEPTED,
        S.NOT_REACCEPTED,
        S.REPEAT_LINKED,
        S.CONCLUDED,
        S.TERMINATED,
        S.ARCHIVED,
    }
)


def transition(action: str) -> Transition:
    return BY_ACTION[action]


def transitions_from(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if state in t.source_values]


@dataclass
class TableRow:
    """A flat, serialisable view of one row, for the API and the docs."""

    action: str
    label: str
    sources: list[str]
    target: str | None
    roles: list[str]
    acting_body: str
    petitioner_may: bool
    starts: list[dict] = field(default_factory=list)
    stops: list[str] = field(default_factory=list)
    pauses: list[str] = field(default_factory=list)
    resumes: list[str] = field(default_factory=list)
    notice: str | None = None
    legal_basis: str = ""
    fields: list[str] = field(default_factory=list)
    guards: list[str] = field(default_factory=list)
    sign_off: bool = False


def table_rows() -> list[TableRow]:
    return [
        TableRow(
            action=t.action,
            label=t.label,
            sources=sorted(t.source_values),
            target=t.target.value if t.target else None,
            roles=sorted(t.roles),
            acting_body=t.acting_body.value,
            petitioner_may=t.petitioner_may,
            starts=[{"clock": c.kind.value, "days": c.days, "working": c.working} for c in t.starts],
            stops=sorted(k.value for k in t.stops),
            pauses=sorted(k.value for k in t.pauses),
            resumes=sorted(k.value for k in t.resumes),
            notice=t.notice.value if t.notice else None,
            legal_basis=t.legal_basis,
            fields=list(t.fields),
            guards=list(t.guards),
            sign_off=t.sign_off,
        )
        for t in TRANSITIONS
    ]


# —— registration (登记): what a new petition becomes, given the earlier case of the same matter ——
# Rows are tried in order; the first whose `applies` condition holds is the outcome, unless the registrar
# chose: then the row whose `choice` it is, if its `allowed` condition holds (else the choice is refused).
# The conditions are named here and defined in services/register.py (REGISTRATION_CONDITIONS), like GUARDS.
# `state=None` opens the case: 已登记 at a 信访部门 (Art. 22), 已签收 at an agency it was brought to (Art. 23).


@dataclass(frozen=True)
class RegistrationOutcome:
    key: str
    outcome: str  # what RegistrationResult.outcome says (registered | repeat_linked | not_accepted | not_reaccepted)
    applies: str  # the condition under which this is the outcome when the registrar did not choose
    state: State | None  # None: the case opens (see OPENING)
    repeat: bool  # linked to the earlier case as a repeat (counted for 重复信访率)
    legal_basis: str = ""
    notice: NoticeKind | None = None
    choice: str | None = None  # the registrar's choice that selects this row
    allowed: str = ""  # the condition under which that choice may be made
    message: str = ""  # stored Chinese text; {number}, {body}, {state} from the earlier case


REGISTRATION_OUTCOMES: tuple[RegistrationOutcome, ...] = (
    RegistrationOutcome(
        key="not_reaccepted",
        outcome="not_reaccepted",
        # Final from the moment the 复核意见 is given (Art. 36 ¶3), no 终结 click needed.
        applies="earlier_final",
        state=S.NOT_REACCEPTED,
        repeat=True,
        legal_basis="《信访工作条例》第三十六条第三款",
        notice=NoticeKind.NOT_REACCEPT,
        choice="not_reaccept",
        allowed="earlier_final",
        message="该事项已经复核（原编号{number}），信访人仍以同一事实和理由提出投诉请求，不再受理。",
    ),
    RegistrationOutcome(
        key="not_accepted",
        outcome="not_accepted",
        applies="earlier_handled_below_in_period",
        state=S.NOT_ACCEPTED,
        repeat=True,
        legal_basis="《信访工作条例》第十九条第三款",
        notice=NoticeKind.NOT_ACCEPT,
        message="该事项已由{body}受理、正在办理期限内（原编号{number}），上级机关不予受理"
        "（《信访工作条例》第十九条第三款）。",
    ),
    RegistrationOutcome(
        key="repeat_linked",
        outcome="repeat_linked",
        applies="earlier_open_or_concluded",
        state=S.REPEAT_LINKED,
        repeat=True,
        legal_basis="《信访工作条例》第二十二条",
        choice="link",
        allowed="earlier_not_final",
        message="与{number}为同一信访人反映的同一事项，已作为重复信访并入原事项。",
    ),
    RegistrationOutcome(
        key="repeat_flagged",
        outcome="registered",
        # refused, told or diverted before: a new petition is a new case, flagged as a repeat
        applies="earlier_closed_otherwise",
        state=None,
        repeat=True,
        legal_basis="《信访工作条例》第二十二条、第二十三条",
        message="与{number}（{state}）为同一事项，已标记为重复信访。",
    ),
    RegistrationOutcome(
        key="registered",
        outcome="registered",
        applies="always",
        state=None,
        repeat=False,
        legal_basis="《信访工作条例》第二十二条、第二十三条",
        choice="new",
        allowed="always",
    ),
)
REGISTRATION_CHOICES: dict[str, str] = {
    "link": gettext_noop("作为重复信访并入原事项"),
    "new": gettext_noop("作为新的信访事项登记"),
    "not_reaccept": gettext_noop("不再受理（已复核，同一事实和理由）"),
}


@dataclass(frozen=True)
class Opening:
    state: State
    clock: ClockStart


# How a case opens at registration, by who registers it: a 信访部门 transfers/assigns/tells within the
# registration period (Art. 22); any other body a petition is brought to tells within the acceptance period
# whether it accepts (Art. 23 ¶2). The days: xinfang/core/periods.py.
OPENING = {
    "xinfang": Opening(S.REGISTERED, _legal(K.REGISTRATION, legal_basis="第二十二条")),
    "agency": Opening(S.RECEIVED, _legal(K.ACCEPTANCE, legal_basis="第二十三条第二款")),
}
