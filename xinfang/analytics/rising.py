"""Rising issues (热点问题) on the dashboard: the recent cases the reader may see, clustered by place and
problem and ranked by heat (`xinfang/intake/hotspots.py::hot_issues`: TF-IDF over character n-grams,
average-linkage clustering, heat = distinct petitioners + half the count, more when close in time).

Read through the one read path (`cases_visible_to`), so a 检举控告 about the reader never counts, in one
query of the newest `RISING_MAX_CASES` cases of the window."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Min
from django.utils import timezone

from xinfang.cases.selectors import cases_visible_to
from xinfang.intake.hotspots import HotIssue, hot_issues
from xinfang.orgs.acting import Actor

RISING_WINDOW_DAYS = 30  # how far back "recent" reaches (a display choice, not a legal period)
RISING_MAX_CASES = 1000  # the clustering is quadratic in the cases it looks at


def rising_issues(
    *, actor: Actor, today: date, days: int = RISING_WINDOW_DAYS, top: int = 5
) -> list[HotIssue]:
    since = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
    rows = (
        cases_visible_to(actor)
        .filter(registered_at__gte=since)
        .annotate(person=Min("petitioners__person_id"))
        .order_by("-registered_at")
        .values("number", "title", "request", "registered_at", "person")[:RISING_MAX_CASES]
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
