"""Rising issues (热点问题) on the dashboard: the recent cases the reader may see, clustered by place and
problem and ranked by heat (`xinfang/intake/hotspots.py::hot_issues`: TF-IDF over character n-grams,
average-linkage clustering, heat = distinct petitioners + half the count, more when close in time).

Read through the one read path (`cases_visible_to`), so a 检举控告 about the reader never counts: the
window's newest cases are taken in chunks off the registered_at index (`RISING_CHUNK` ids at a time, never
more than `RISING_SCAN_MAX` in all), each chunk filtered by visibility, until `RISING_MAX_CASES` visible cases
are found — so the cost depends on those limits, not on how many cases the window holds (a province's month
is hundreds of thousands). Asking the one query for "the newest 1,000 visible" made the database weigh every
case of the window first (DISTINCT, then ORDER BY): 7 s at 100k cases.

The dashboard reads them through `rising_issues_cached`: the clustering costs ≈ 0.5 s of CPU for 1,000
cases, and "rising" is a trend, so one body's list is kept `RISING_CACHE_SECONDS` (settings
XINFANG_RISING_CACHE_SECONDS, default 600; 0 turns the cache off)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min, Q
from django.utils import timezone

from xinfang.cases.selectors import cases_unscoped, cases_visible_to
from xinfang.intake.hotspots import HotIssue, hot_issues
from xinfang.orgs.acting import Actor

RISING_WINDOW_DAYS = 30  # how far back "recent" reaches (a display choice, not a legal period)
RISING_MAX_CASES = 1000  # the clustering is quadratic in the cases it looks at
RISING_CHUNK = 4000  # newest case ids of the window taken at a time, then filtered by visibility
RISING_SCAN_MAX = 40_000  # the most of the window's newest cases looked at for one reader
RISING_CACHE_SECONDS = 600


def _newest_visible_ids(actor: Actor, since) -> list[int]:
    """The ids of the newest visible cases registered since `since`, newest first, at most RISING_MAX_CASES."""
    window = cases_unscoped(
        reason="rising issues: the window's newest ids, then filtered by visibility"
    ).filter(registered_at__gte=since)
    found: list[int] = []
    before = None  # (registered_at, id) of the last id of the previous chunk
    scanned = 0
    while len(found) < RISING_MAX_CASES and scanned < RISING_SCAN_MAX:
        chunk = window
        if before is not None:
            chunk = chunk.filter(
                Q(registered_at__lt=before[0]) | Q(registered_at=before[0], pk__lt=before[1])
            )
        rows = list(chunk.order_by("-registered_at", "-pk").values_list("registered_at", "pk")[:RISING_CHUNK])
        if not rows:
            break
        scanned += len(rows)
        before = rows[-1]
        ids = [pk for _, pk in rows]
        visible = set(cases_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
        found += [pk for pk in ids if pk in visible]
    return found[:RISING_MAX_CASES]


def rising_issues_cached(*, actor: Actor, today: date) -> list[HotIssue]:
    """rising_issues, kept a while per body and day (what a body may see does not depend on the user)."""
    seconds = int(getattr(settings, "XINFANG_RISING_CACHE_SECONDS", RISING_CACHE_SECONDS))
    if seconds <= 0 or actor.body is None:
        return rising_issues(actor=actor, today=today)
    key = f"analytics:rising:{actor.body.pk}:{today.isoformat()}"
    issues = cache.get(key)
    if issues is None:
        issues = rising_issues(actor=actor, today=today)
        cache.set(key, issues, seconds)
    return issues


def rising_issues(
    *, actor: Actor, today: date, days: int = RISING_WINDOW_DAYS, top: int = 5
) -> list[HotIssue]:
    since = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
    ids = _newest_visible_ids(actor, since)
    if len(ids) < 2:
        return []
    rows = (
        cases_visible_to(actor)
        .filter(pk__in=ids)
        .annotate(person=Min("petitioners__person_id"))
        .order_by("-registered_at", "-pk")
        .values("number", "title", "request", "registered_at", "person")
    )
    messages = [
        {
            "id": r["number"],
            "title": r["title"] or r["request"][:40],
            "body": r["request"],
            "time": r["registered_at"],
            "user": r["person"],
        }
        for r in rows
    ]
    if len(messages) < 2:
        return []
    try:
        return hot_issues(messages, top=top)
    except ValueError:  # too few shared n-grams to build a vocabulary: nothing clusters
        return []
