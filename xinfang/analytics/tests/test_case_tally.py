"""CaseTally (cases by month, bodies and one measure, kept by triggers) against the case rows.

After real case actions, bulk loads, bulk updates and deletes the tally equals a recount written here in Python
(independent of the tally's SQL), `xinfang doctor` finds nothing wrong, and the dashboard's and the annual
report's counts read from it equal the same counts over the case rows (figures.cases_in_scope,
dashboard.volume_and_totals, figures.counts_by, figures.complained_about) for several readers.
"""

from collections import Counter
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from xinfang.analytics.annual import annual_stats
from xinfang.analytics.dashboard import dashboard_data, volume_and_totals
from xinfang.analytics.figures import (
    Period,
    cases_in_scope,
    complained_about,
    counts_by,
    scope_body_ids,
    skipped_levels_share,
)
from xinfang.analytics.health import tallies_differ, triggers_missing
from xinfang.analytics.models import CaseTally
from xinfang.analytics.tally import tally_uninstall
from xinfang.analytics.tests.test_tally import scripted  # noqa: F401  (the scripted walk)
from xinfang.analytics.volume import case_counts
from xinfang.cases.models import Case, Category, Outcome, PetitionType
from xinfang.cases.tests.factories import actor
from xinfang.generator.generate import generate
from xinfang.orgs.models import Body, Role

pytestmark = pytest.mark.django_db

YEAR = 2026


def recount() -> Counter:
    """CaseTally's rows, counted from the cases in Python."""
    out: Counter = Counter()
    for c in Case.objects.all():
        month = timezone.localtime(c.registered_at).date().replace(day=1)
        accused = (c.subject_body_id or 0) if c.petition_type == PetitionType.ACCUSATION else 0
        key = (month, c.registering_body_id or 0, c.handling_body_id or 0, accused)
        values = {
            "channel": c.channel or "",
            "petition_type": c.petition_type or "",
            "category": str(c.category_id or ""),
            "region": str(c.problem_region_id or ""),
            "subject": str(c.subject_body_id or ""),
            "outcome": c.outcome or "",
            "skipped": "1" if c.skipped_levels else "0",
        }
        for measure, value in values.items():
            out[(*key, measure, value)] += 1
    return out


def tallied() -> Counter:
    return Counter(
        {
            (t.month, t.registering, t.handling, t.accused, t.measure, t.value): t.count
            for t in CaseTally.objects.exclude(count=0)
        }
    )


def assert_case_tally_matches_the_rows() -> None:
    assert tallied() == recount()
    assert tallies_differ() == []


READERS = ["990100-xinfang", "990101-xinfang", "990101-housing", "990100-urban_management"]


def assert_counts_match_the_rows(year: int = YEAR) -> None:
    """The dashboard's and the annual report's counts by field, from the tally and from the case rows."""
    period = Period.year(year)
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    today = date(year, 12, 31)
    for code in READERS:
        body = Body.objects.get(code=code)
        cases = cases_in_scope(body=body, period=period, with_under=True)
        d = dashboard_data(body=body, year=year, today=today)
        volume, total, _skipped = volume_and_totals(cases, months)
        assert d.total == total == cases.count(), code
        assert {k: (s.names, s.data, s.totals) for k, s in d.volume.items()} == {
            k: (s.names, s.data, s.totals) for k, s in volume.items()
        }, code
        assert d.skipped_levels == skipped_levels_share(cases).text
        assert d.complained == complained_about(cases, viewer=body), code
        a = annual_stats(body=body, year=year)
        assert a.total == cases.count()
        rows = {
            "来源渠道": counts_by(cases, "channel"),
            "信访类型": counts_by(cases, "petition_type"),
            "内容分类（涉及领域）": counts_by(cases, "category", "category__name"),
            "问题属地": counts_by(cases, "problem_region", "problem_region__name"),
            "有权处理机关": counts_by(cases, "handling_body", "handling_body__name"),
        }
        # the same counts, largest first (ties in an order of their own: the databases sort NULL differently)
        assert {k: sorted(v) for k, v in a.by_field.items()} == {k: sorted(v) for k, v in rows.items()}, code
        for table in a.by_field.values():
            assert [n for _, n in table] == sorted((n for _, n in table), reverse=True)
        assert a.skipped_levels == skipped_levels_share(cases).text
        assert a.complained == complained_about(cases, viewer=body)
        labels = dict(Outcome.choices)
        rows = Counter(cases.exclude(outcome="").values_list("outcome", flat=True))
        assert dict(a.outcomes) == {labels[o]: n for o, n in rows.items()}


def test_scripted_walk_then_bulk_updates_and_deletes(scripted):  # noqa: F811
    assert_case_tally_matches_the_rows()
    assert_counts_match_the_rows()
    a, b, c = scripted["a"], scripted["b"], scripted["c"]
    # bulk updates of every column the tally reads, then a delete
    other = Category.objects.exclude(pk=a.category_id).first()
    Case.objects.filter(pk=a.pk).update(category=other, skipped_levels=True, outcome=Outcome.EXPLAIN)
    Case.objects.filter(pk=b.pk).update(
        petition_type=PetitionType.ACCUSATION, subject_body=Body.objects.get(code="990101-housing")
    )
    Case.objects.filter(pk=c.pk).update(
        handling_body=Body.objects.get(code="990100-urban_management"),
        registered_at=timezone.make_aware(timezone.datetime(2026, 4, 30, 23, 30)),  # local month edge
    )
    assert_case_tally_matches_the_rows()
    assert_counts_match_the_rows()
    Case.objects.filter(pk=c.pk).update(
        registered_at=timezone.make_aware(timezone.datetime(2026, 5, 1, 0, 30))
    )
    assert_case_tally_matches_the_rows()
    from xinfang.deadlines.models import Clock
    from xinfang.evaluation.models import Evaluation

    Clock.objects.filter(case=a).delete()
    Evaluation.objects.filter(case=a).delete()
    Case.objects.filter(pk=a.pk).delete()
    assert_case_tally_matches_the_rows()
    assert_counts_match_the_rows()


@pytest.fixture
def loaded(demo_city):
    """A year of generated cases (the bulk path: executemany, one transaction per batch, triggers on)."""
    with time_machine.travel(f"{YEAR}-12-20 10:00 +0800", tick=False):
        generate(cases=400, seed=11, year=YEAR, bulk=True)
    # 检举控告 about readers and about a body under one (the generator makes none with a named body)
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for i, code in enumerate(("990100-xinfang", "990101-xinfang", "990101-housing")):
        Case.objects.filter(pk__in=ids[i * 30 : i * 30 + 12]).update(
            petition_type=PetitionType.ACCUSATION, subject_body=Body.objects.get(code=code)
        )
        Case.objects.filter(pk__in=ids[i * 30 + 12 : i * 30 + 20]).update(
            subject_body=Body.objects.get(code=code)
        )
    return demo_city


def test_a_bulk_load_leaves_the_tally_right_and_the_counts_equal_the_rows(loaded):
    assert CaseTally.objects.filter(measure="channel").count() > 10
    assert_case_tally_matches_the_rows()
    assert_counts_match_the_rows()
    # accusations exist, and a reader never counts one about itself or a body above it
    assert Case.objects.filter(petition_type=PetitionType.ACCUSATION, subject_body__isnull=False).exists()


def test_doctor_finds_missing_triggers_and_wrong_counts_and_repairs_them(loaded):
    from xinfang.analytics.health import TALLIES_CHECK, TRIGGERS_CHECK

    tally_uninstall()
    Case.objects.filter(pk=Case.objects.order_by("pk").first().pk).delete()
    assert any("analytics_case_month_tally" in p for p in triggers_missing())
    assert any("analytics_casetally" in p for p in tallies_differ())
    TRIGGERS_CHECK.repair()
    assert triggers_missing() == []
    assert_case_tally_matches_the_rows()
    CaseTally.objects.filter(measure="region").update(count=7)
    assert tallies_differ() and not triggers_missing()
    TALLIES_CHECK.repair()
    assert_case_tally_matches_the_rows()


def test_counts_need_whole_months(loaded):
    body = Body.objects.get(code="990100-xinfang")
    with pytest.raises(ValueError):
        case_counts(viewer=body, period=Period(date(2026, 1, 2), date(2026, 3, 31)), ids=[body.pk])
    counts = case_counts(
        viewer=body,
        period=Period(date(2026, 2, 1), date(2026, 2, 28)),
        ids=scope_body_ids(body, with_under=True),
    )
    period = Period(date(2026, 2, 1), date(2026, 2, 28))
    assert counts.total == cases_in_scope(body=body, period=period).count()


def _login(client, code: str):
    a = actor(code, Role.LEADER)
    client.force_login(a.user)
    session = client.session
    session["acting_body_id"] = a.body.pk
    session.save()


def test_the_dashboard_reads_no_case_rows_and_its_queries_do_not_grow(
    demo_city, client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("analytics:dashboard") + f"?year={YEAR}"
    counted = []
    for n in (40, 200):
        with time_machine.travel(f"{YEAR}-12-20 10:00 +0800", tick=False):
            generate(cases=n, seed=n, year=YEAR, bulk=True)
            _login(client, "990100-xinfang")
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
        counted.append(len(ctx.captured_queries))
        # the counts by field (month, channel, …, the bodies complained about): from the tally, not the cases
        # (the rising-issues card reads the newest visible cases: SELECT DISTINCT … LIMIT)
        from_cases = [
            q["sql"]
            for q in ctx.captured_queries
            if 'FROM "cases_case"' in q["sql"]
            and "SELECT DISTINCT" not in q["sql"]
            and ("datetime_trunc" in q["sql"] or "subject_body" in q["sql"] or "is_backlog" in q["sql"])
        ]
        assert from_cases == [], from_cases
    assert counted[0] == counted[1], counted
    # 27 today (30 before the tallies): the figures 8, the hall 11, 多元解纷 3, 督办 2, the session and actor 3;
    # one more is left for the quality-score card (issue 19)
    with time_machine.travel(f"{YEAR}-12-20 10:00 +0800", tick=False), django_assert_max_num_queries(28):
        client.get(url)


def test_the_resolution_cards_visits_come_from_the_tally_and_equal_the_row_count(loaded, monkeypatch):
    from xinfang.analytics.volume import visits_by_month
    from xinfang.resolution import figures as resolution

    assert [visits_by_month] == resolution.VISIT_COUNTS
    assert Case.objects.filter(channel="visit").exists()
    for code in ("990100-xinfang", "990101-xinfang", "990101-housing"):
        body = Body.objects.get(code=code)
        from_tally = resolution.centre_figures(body=body, year=YEAR)
        monkeypatch.setattr(resolution, "VISIT_COUNTS", [])
        from_rows = resolution.centre_figures(body=body, year=YEAR)
        monkeypatch.undo()
        assert from_tally == from_rows, code
        assert [r.visits for r in from_tally.by_month] == [r.visits for r in from_rows.by_month]
        if code == "990100-xinfang":
            assert from_tally.total.visits > 0


def _backlog_recount() -> Counter:
    out: Counter = Counter()
    for c in Case.objects.filter(is_backlog=True):
        key = (c.handling_body_id or c.registering_body_id, timezone.localtime(c.registered_at).date())
        out[(*key, "total")] += 1
        out[(*key, "cleared")] += c.state in ("concluded", "terminated", "archived")
    return Counter({k: v for k, v in out.items() if v})


def _backlog_tallied() -> Counter:
    from xinfang.analytics.models import BacklogTally

    out: Counter = Counter()
    for t in BacklogTally.objects.all():
        out[(t.body_id, t.day, "total")] += t.total
        out[(t.body_id, t.day, "cleared")] += t.cleared
    return Counter({k: v for k, v in out.items() if v})


def test_backlog_cleared_from_the_tally_equals_the_row_count(loaded):
    from xinfang.analytics.figures import _counts_by_body, _counts_by_body_raw

    def pairs(counts):
        return {
            b: (f["backlog_cleared"].numerator, f["backlog_cleared"].denominator)
            for b, f in counts.items()
            if f["backlog_cleared"].denominator
        }

    def check():
        assert _backlog_tallied() == _backlog_recount()
        assert tallies_differ() == []
        for end in (date(2026, 3, 31), date(2026, 8, 15), date(2026, 12, 31)):
            period = Period(date(2026, 1, 1), end)
            for ids in (None, scope_body_ids(Body.objects.get(code="990101-xinfang"), with_under=True)):
                tally, raw = (
                    pairs(_counts_by_body(period, end, ids)),
                    pairs(_counts_by_body_raw(period, end, ids)),
                )
                assert tally == raw, (end, ids)
        return pairs(_counts_by_body(Period.year(YEAR), date(YEAR, 12, 31), None))

    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    Case.objects.filter(pk__in=ids[::7]).update(is_backlog=True)  # backlog marked in bulk
    assert sum(d for _, d in check().values()) == len(ids[::7])
    Case.objects.filter(pk__in=ids[::14]).update(state="concluded")  # cleared, and some not backlog
    Case.objects.filter(pk__in=ids[1::14]).update(state="archived", is_backlog=True)
    Case.objects.filter(pk__in=ids[::21]).update(handling_body=Body.objects.get(code="990101-labour"))
    Case.objects.filter(pk__in=ids[::28]).update(is_backlog=False)
    assert any(n for n, _ in check().values())
    Case.objects.filter(pk=ids[7]).delete()
    check()


def test_the_annual_reports_acts_come_from_the_tally_and_equal_the_event_log(scripted):  # noqa: F811
    from xinfang.analytics.annual import acts_by_action, acts_by_action_raw
    from xinfang.core.models import Event

    assert tallies_differ() == []
    period = Period.year(YEAR)
    seen = set()
    for code in READERS:
        ids = scope_body_ids(Body.objects.get(code=code), with_under=True)
        tally = acts_by_action(ids=ids, period=period)
        assert tally == acts_by_action_raw(ids=ids, period=period), code
        seen |= set(tally)
        # a quarter too (periods are days)
        q = Period(date(2026, 2, 1), date(2026, 2, 3))
        assert acts_by_action(ids=ids, period=q) == acts_by_action_raw(ids=ids, period=q)
    assert {"transfer", "assign"} <= seen
    # an event the tally counts, written the way a supervision module would, and one it ignores
    body = Body.objects.get(code="990101-xinfang")
    Event.objects.create(object_type="cases.case", object_id="1", action="supervision_issue", body=body)
    Event.objects.create(object_type="cases.case", object_id="1", action="read", body=body)
    ids = scope_body_ids(body, with_under=True)
    assert (
        acts_by_action(ids=ids, period=Period.year(timezone.localdate().year)).get("supervision_issue") == 1
    )
    assert tallies_differ() == []
