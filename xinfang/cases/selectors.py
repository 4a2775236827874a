"""Reads of cases, always through the actor: what their body may see, minus 检举控告 material about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.confidentiality import confidential_exclusion_q
from xinfang.cases.models import Attachment, Case, CasePetitioner
from xinfang.cases.querycode import normalize, query_code_check
from xinfang.cases.services.actions import check_allowed, transition_for
from xinfang.cases.workflow import TRANSITIONS, Transition
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.core.events import event_record, events_for
from xinfang.core.keyset import COUNT_CAP, Key, capped_count, keyset_page
from xinfang.core.outbox import event_record_later
from xinfang.deadlines.calendar import local_date
from xinfang.deadlines.lights import light_counts_of
from xinfang.deadlines.selectors import light_q
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, BodyKind, Region
from xinfang.people.models import Person
from xinfang.people.selectors import person_find_by_identity

INVOLVED = (
    "registering_body",
    "current_body",
    "handling_body",
    "sender_body",
    "review_body",
    "rereview_body",
)


def _bodies_overseen(body: Body) -> QuerySet[Body, Any]:
    """The bodies under this body, itself included (a 信访局 oversees its region, an agency its system): a
    subquery of ids over the small body table."""
    if body.kind in (BodyKind.XINFANG, BodyKind.GOVERNMENT):
        return Body.objects.filter(region__path__startswith=body.region.path).values("pk")
    return Body.objects.filter(path__startswith=body.path).values("pk")


def _oversight_q(body: Body) -> Q:
    """Cases where any involved body lies under this body. Each term is `<column> IN (subquery of body ids)`:
    no join, so no duplicate rows and no DISTINCT, and each term can use its column's index."""
    under = _bodies_overseen(body)
    q = Q()
    for f in INVOLVED:
        q |= Q(**{f"{f}_id__in": under})
    return q


EXACT_FILTERS = ("state", "channel", "petition_type")


def case_filter_exact(qs: QuerySet[Case], filters: dict) -> QuerySet[Case]:
    """The filters every case list shares, matched exactly (the queue, the API list)."""
    for name in EXACT_FILTERS:
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    return qs


def case_visible_q(actor: Actor) -> Q:
    """The cases the actor's body is involved in: one of the INVOLVED columns, or a 协办 (co_bodies) — the
    latter as a subquery on the link table, not a join (no duplicates, no DISTINCT)."""
    body = actor.body
    direct = Q()
    for f in INVOLVED:
        direct |= Q(**{f: body})
    through = Case.co_bodies.through
    direct |= Q(pk__in=through.objects.filter(body_id=body.pk).values("case_id"))
    return direct


def cases_visible_to(actor: Actor) -> QuerySet[Case]:
    """The one read path (issue #9): every case the actor's body may see — those it is involved in and, for
    supervising bodies, those under it — minus 检举控告 about it or a body above it. Every page, export,
    lookup, suggestion, API endpoint and job that shows a case to someone starts here (docs/security.md)."""
    body = actor.body
    if body is None:
        return Case.objects.none()
    # Every term is a column compared with a value or an uncorrelated subquery of ids (issue 14): no join and
    # no DISTINCT, so a list ordered by an indexed column reads that index in order and stops at its LIMIT.
    return Case.objects.filter(case_visible_q(actor) | _oversight_q(body)).exclude(
        confidential_exclusion_q(body)
    )


def case_visible_exists(actor: Actor, outer: str = "case_id") -> Exists:
    """`cases_visible_to` as a filter on another model's rows that name a case in `outer`: EXISTS (the row's case,
    by primary key, among the visible ones). For lists of rows about cases (回访, 督办, sample items, campaign
    items), ordered by an index of their own: each row is checked as the list reads it and the read stops at
    the page's LIMIT, where `case_id IN (SELECT id FROM visible cases)` first lists every visible case
    (issue 14). The same rule as `cases_visible_to` — it is that queryset."""
    return Exists(cases_visible_to(actor).filter(pk=OuterRef(outer)))


def case_list_visible(*, actor: Actor) -> QuerySet[Case]:
    """The same as `cases_visible_to` (the older name, kept for its callers)."""
    return cases_visible_to(actor)


def case_is_visible(*, actor: Actor, case_id: int) -> bool:
    return cases_visible_to(actor).filter(pk=case_id).exists()


def case_repeats_visible(*, actor: Actor, case: Case) -> list[Case]:
    """The later cases linked to this one as repeats, those the actor may see only. Ids first: nearly every
    repeat_of is NULL, so SQLite (with ANALYZE statistics) judges that index useless for the full row and
    scans the table; the id-only query stays on the covering index."""
    ids = list(Case.objects.filter(repeat_of_id=case.pk).values_list("pk", flat=True))
    if not ids:
        return []
    return list(cases_visible_to(actor).filter(pk__in=ids).only("pk", "number", "state").order_by("pk"))


# What a case page reads with the case (it shows each of these bodies' and regions' names): the visibility read
# below and the page cache's first view (workspace/page_cache.py) read the same.
CASE_RELATED = ("category", "problem_region", *INVOLVED, "subject_body", "repeat_of")


def case_get_for_actor(
    *, actor: Actor, pk: int | None = None, number: str | None = None, log_read: bool = True
) -> Case:
    """One case the actor may see, or NotFound (the same answer whether it exists or not). Logs the read."""
    if actor.body is None:
        raise NotFound()
    qs = case_list_visible(actor=actor).select_related(*CASE_RELATED)
    case = qs.filter(pk=pk).first() if pk is not None else qs.filter(number=number).first()
    if case is None:
        raise NotFound()
    if log_read:
        # through the outbox: one INSERT, chained into the log by the worker within a minute (ADR 0015)
        event_record_later(
            actor=actor.user, actor_label=actor.label, body=actor.body, obj=case, action="read"
        )
    return case


def allowed_actions(*, case: Case, actor: Actor) -> list[Transition]:
    """Exactly the actions the table allows this actor on this case now (the UI's buttons)."""
    out = []
    for t in TRANSITIONS:
        if case.state not in t.source_values:
            continue
        try:
            check_allowed(case, actor, transition_for(t, actor))  # a sign-off action: as a draft
        except ApplicationError:
            continue
        out.append(t)
    return out


# ------------------------------------------------------------------------------------------- the queue

QUEUE_FLAGS = (
    "law_related",
    "skipped_levels",
    "is_group",
    "is_backlog",
    "leader_in_charge",
    "reached_higher",
)


QUEUE_LIGHTS = ("red", "yellow", "green")
# The queue's order, soonest due first, cases without a running clock last: the index case_queue_body_idx
# (queue_body, due_on, registered_at) gives it with no sort.
QUEUE_KEYS = (
    Key("due_on", "date", nulls_last=True),
    Key("registered_at", "datetime"),
    Key("id"),
)
QUEUE_PAGE_SIZE = 50


def case_queue(*, actor: Actor, filters: dict | None = None, today: date | None = None) -> QuerySet[Case]:
    """The open cases the actor's body holds now, soonest due first (`due_on`: the nearest open clock this body
    owes, denormalised on the case, with its kind `due_kind`); cases without such a clock come last. Served by
    the index case_queue_body_idx: a page is an index range (case_queue_page).

    filters: state, channel, petition_type, category (pk), region (pk: the region or under it), flag (one
    of QUEUE_FLAGS), light (red, yellow, green: a range on due_on, deadlines.selectors.light_q, for `today`),
    q (编号, 查询码, petitioner name or phone)."""
    filters = filters or {}
    body = actor.body
    # queue_body: the holding body while the case is open (Case.save), the first column of case_queue_body_idx.
    qs = Case.objects.filter(queue_body=body).exclude(confidential_exclusion_q(body))
    qs = case_filter_exact(qs, filters)
    if filters.get("category"):
        qs = qs.filter(category_id=filters["category"])
    if filters.get("region"):
        region = Region.objects.filter(pk=filters["region"]).only("path").first()
        qs = qs.filter(problem_region__path__startswith=region.path) if region else qs.none()
    if filters.get("flag") in QUEUE_FLAGS:
        qs = qs.filter(**{filters["flag"]: True})
    if filters.get("light") in QUEUE_LIGHTS:
        qs = qs.filter(light_q(filters["light"], today=today or local_date(timezone.now())))
    term = (filters.get("q") or "").strip()
    if term:
        by_number = Case.objects.filter(number=term).values_list("pk", "query_code_hash")
        hits = [pk for pk, _ in by_number]
        if not hits:
            # 查询码: only a hash is stored, so it can be checked but not searched; check it against the
            # open cases of this body only (a handful of hashes at worst per page of matches).
            code = normalize(term)
            if len(code) == 11 and code.isalnum():
                hits = [
                    pk
                    for pk, stored in qs.values_list("pk", "query_code_hash")[:2000]
                    if query_code_check(code, stored)
                ]
        if hits:
            qs = qs.filter(pk__in=hits)
        else:
            person_q = Q(petitioners__person__name=term) | Q(petitioners__person__phone=term)
            qs = qs.filter(pk__in=Case.objects.filter(person_q).values("pk"))
    return qs.select_related("category", "problem_region").order_by(
        F("due_on").asc(nulls_last=True), "registered_at", "pk"
    )


@dataclass
class QueuePage:
    rows: list[Case]
    next_cursor: str | None
    first: bool
    counts: dict[str, str]  # red, yellow, green, none, total: each "12", "1,000+" or "" (not counted)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def queue_light_counts(qs: QuerySet[Case], *, today: date, cap: int = COUNT_CAP) -> dict[str, str]:
    """How many of the queue's cases show each light, counted up to `cap` without a COUNT over the scope: the
    first cap + 1 due dates in index order, bucketed by the one light rule (deadlines.lights.light_counts_of),
    then the cases without a clock, capped too. A light past the cap is "" (not counted)."""
    dues = list(
        qs.filter(due_on__isnull=False).order_by("due_on").values_list("due_on", flat=True)[: cap + 1]
    )
    out, capped = light_counts_of(dues, today=today, cap=cap)
    if capped:
        return {**out, "none": "", "total": f"{cap:,}+"}
    none = capped_count(qs.filter(due_on__isnull=True), cap - len(dues))
    out["none"] = "" if not none.n and not none.capped else str(none)
    total = len(dues) + none.n
    out["total"] = f"{total:,}+" if none.capped else f"{total:,}"
    return out


def case_queue_page(
    *,
    actor: Actor,
    filters: dict | None = None,
    after: str | None = None,
    size: int = QUEUE_PAGE_SIZE,
    today: date | None = None,
) -> QueuePage:
    """One page of the queue after the cursor `after` (keyset: the same cost at any depth), with the light
    counts of the whole queue (capped, not narrowed by the light filter). BadCursor for a cursor it did not give."""
    filters = filters or {}
    today = today or local_date(timezone.now())
    scope = case_queue(actor=actor, filters={**filters, "light": ""}, today=today)
    qs = case_queue(actor=actor, filters=filters, today=today) if filters.get("light") else scope
    # A light filter is a range on due_on: no undated case can match, so no second run for them.
    page = keyset_page(qs, QUEUE_KEYS, after=after, size=size, nulls=not filters.get("light"))
    # After both runs of the keyset (dated, then undated cases): one prefetch for the page, not one per run,
    # the petitioners with their persons joined (one query).
    prefetch_related_objects(
        page.rows, Prefetch("petitioners", queryset=CasePetitioner.objects.select_related("person"))
    )
    return QueuePage(
        rows=page.rows,
        next_cursor=page.next_cursor,
        first=page.first,
        counts=queue_light_counts(scope, today=today),
    )


def queue_clock_kinds(*, actor: Actor, case_ids: list[int]) -> dict[int, str]:
    """For each of these cases, the kind of the nearest open clock the actor's body owes: the case's own
    denormalised `due_kind` (no query; kept for its callers)."""
    rows = Case.objects.filter(pk__in=case_ids, current_body=actor.body).values_list("pk", "due_kind")
    return {pk: kind for pk, kind in rows if kind}


def person_cases_visible(*, actor: Actor, person_id: int) -> QuerySet[Case]:
    """Every case of one person that the actor's body may see (一人一档), oldest first."""
    return (
        case_list_visible(actor=actor)
        .filter(petitioners__person_id=person_id)
        .select_related("current_body", "repeat_of", "category")
        .order_by("registered_at", "pk")
    )


# ------------------------------------------------------------------------------ persons (一人一档)


def persons_visible_to(actor: Actor) -> QuerySet:
    """The petitioners of the cases the actor may see: a person is known to a body only through them."""
    return Person.objects.filter(case_links__case__in=cases_visible_to(actor).values("pk")).distinct()


def person_get_for_actor(*, actor: Actor, pk: int):
    """One petitioner with at least one case the actor may see, or NotFound (not even that the file exists)."""

    # The person's own cases first (indexed by person), then visibility on those few: the same answer as
    # persons_visible_to(actor).filter(pk=pk), without the planner weighing the whole visible scope.
    if not cases_visible_to(actor).filter(petitioners__person_id=pk).exists():
        raise NotFound()
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise NotFound()
    return person


@dataclass(frozen=True)
class IntakeLookup:
    """What intake may learn of a petitioner already on file: the name to fill in, the contact details
    masked (the registrar asks the petitioner rather than reading them off the file), and how many earlier
    cases of theirs this body may see — never a count across bodies."""

    person_id: int
    name: str
    phone_masked: str
    id_number_masked: str
    has_address: bool
    visible_cases: int


def person_lookup_for_intake(*, actor: Actor, id_number: str = "", phone: str = "") -> IntakeLookup | None:
    """The person a registrar is about to register again, found by the whole ID number they typed or by a
    phone that only one person has. The lookup is logged (who looked up whom, from which body)."""
    person = person_find_by_identity(id_number=id_number, phone=phone)
    if person is None:
        return None
    visible = cases_visible_to(actor).filter(petitioners__person_id=person.pk).count()
    event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        obj=person,
        action="person_lookup",
        new={"by": "id_number" if id_number else "phone", "visible_cases": visible},
        reason="登记时查找信访人档案",
    )
    return IntakeLookup(
        person_id=person.pk,
        name=person.name,
        phone_masked=person.phone_masked,
        id_number_masked=person.id_number_masked,
        has_address=bool(person.address),
        visible_cases=visible,
    )


# ------------------------------------------------------------------------------------------ attachments


def attachment_get_for_actor(*, actor: Actor, case_pk: int, attachment_pk: int):
    """One attachment of a case the actor may see, or NotFound; the download is logged on the case. Files
    are served only through this (never straight from media), so the case's visibility guards its files."""
    case = case_get_for_actor(actor=actor, pk=case_pk, log_read=False)
    attachment = Attachment.objects.filter(case=case, pk=attachment_pk).first()
    if attachment is None:
        raise NotFound()
    event_record(
        actor=actor.user,
        actor_label=actor.label,
        body=actor.body,
        obj=case,
        action="attachment_download",
        new={"attachment": attachment.pk, "name": attachment.name},
    )
    return attachment


def registration_earlier_for(*, actor: Actor, result) -> tuple[Case | None, str]:
    """The earlier case a registration was linked to, and the outcome's message, as the registrar may see
    them: an earlier case outside the actor's read path (a 检举控告 about its body) is neither linked nor
    named, its 编号 taken out of the message (the stored record keeps it)."""
    earlier = result.earlier
    if earlier is None or case_is_visible(actor=actor, case_id=earlier.pk):
        return earlier, result.message
    return None, (result.message or "").replace(earlier.number, gettext("原事项不在本机关可查范围"))


def case_repeat_of_visible(*, actor: Actor, case: Case) -> Case | None:
    """The first case this one repeats, if the actor may see it (it may be a 检举控告 about the actor's body)."""
    if not case.repeat_of_id or not case_is_visible(actor=actor, case_id=case.repeat_of_id):
        return None
    return case.repeat_of


EARLIER_KEYS = ("repeat_of", "candidate", "earlier")


def case_history_for(*, actor: Actor, case: Case) -> list:
    """The case's events (reads left out), oldest first, as the actor may see them: where the case repeats
    a first case the actor may not see (a 检举控告 about its body), that case's 编号 and id are taken out of
    the events' values and reasons (the stored log keeps them)."""
    events = list(events_for(case).exclude(action="read").order_by("occurred_at", "id"))
    if not case.repeat_of_id or case_is_visible(actor=actor, case_id=case.repeat_of_id):
        return events
    hidden = Case.objects.filter(pk=case.repeat_of_id).values_list("number", flat=True).first() or ""
    placeholder = gettext("原事项不在本机关可查范围")
    for e in events:
        for values in (e.old_values, e.new_values):
            for key in EARLIER_KEYS:
                if isinstance(values, dict) and values.get(key) is not None:
                    values[key] = None
        if hidden and hidden in (e.reason or ""):
            e.reason = e.reason.replace(hidden, placeholder)
    return events


def cases_unscoped(*, reason: str) -> QuerySet[Case]:
    """Every case, with no actor's scope — only for the system's own work whose result no user reads as a
    case (a search index, a signal handler, a count by body), or where the caller has proved the right some
    other way (the portal session holding a submission's receipt). `reason` names which, so that each use
    is visible in review (docs/security.md); a page or export that lists cases uses `cases_visible_to`."""
    if not (reason or "").strip():
        raise ValueError("cases_unscoped needs a reason")
    return Case.objects.all()
