"""core.db's statements compiled once (Prepared, PreparedUpdate, row_insert, row_update; issue 14, the peak hour)
give and write exactly what the ORM's own calls give and write, on either database: the same rows and values,
the same signals, the same errors. The hot paths of case_act use them."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError
from django.db.models.signals import post_save, pre_save

from xinfang.cases.models import Case
from xinfang.cases.services.register import _SAME_PERSON, _same_person_cases, repeat_candidates
from xinfang.cases.tests.factories import register
from xinfang.core.db import Prepared, PreparedUpdate, first_of, related, row_insert, row_update
from xinfang.deadlines.models import Clock
from xinfang.orgs.models import Body
from xinfang.people.models import Person

pytestmark = pytest.mark.django_db

CLOCK_COLUMNS = [f.attname for f in Clock._meta.concrete_fields if f.attname != "id"]


def _values(obj) -> list:
    return [getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields]


def _clock(case: Case, **overrides) -> Clock:
    values = {
        "case": case,
        "kind": "handling",
        "body": case.current_body,
        "started_on": date(2026, 3, 2),
        "days": 60,
        "due_on": date(2026, 5, 1),
        "counted": ["第一天", {"日": 1}],
        "pauses": [["2026-03-05", "2026-03-06"]],
        "legal_basis": "第三十二条",
        **overrides,
    }
    return Clock(**values)


@pytest.fixture
def two_cases(demo_city):
    return register(seed=1).case, register(seed=2).case


class Heard:
    """What pre_save and post_save said about one model while the block ran."""

    def __init__(self, model):
        self.model, self.calls = model, []

    def _pre(self, sender, instance, update_fields=None, **kwargs):
        self.calls.append(("pre", instance.pk, update_fields))

    def _post(self, sender, instance, created, update_fields=None, **kwargs):
        self.calls.append(("post", created, update_fields))

    def __enter__(self):
        pre_save.connect(self._pre, sender=self.model, dispatch_uid="heard-pre")
        post_save.connect(self._post, sender=self.model, dispatch_uid="heard-post")
        return self

    def __exit__(self, *exc):
        pre_save.disconnect(sender=self.model, dispatch_uid="heard-pre")
        post_save.disconnect(sender=self.model, dispatch_uid="heard-post")


def test_a_prepared_read_gives_the_querysets_rows_for_each_call(two_cases):
    a, b = two_cases
    for case in (a, b):
        _clock(case).save()
        _clock(case, kind="acceptance", due_on=date(2026, 4, 1), paused_since=date(2026, 3, 9)).save()
    whole = Prepared(lambda pk: Case.objects.filter(pk=pk))
    columns = Prepared(
        lambda case, kind: Clock.objects.filter(case=case, kind=kind).values_list(
            "due_on", "paused_since", "counted", "pauses", "is_open", "on_time"
        )
    )
    for case in (a, b, a):  # the SQL is compiled once; each call binds its own ids
        (got,) = whole.rows(case.pk)
        assert _values(got) == _values(Case.objects.get(pk=case.pk)) and not got._state.adding
        for kind in ("handling", "acceptance"):
            expected = list(
                Clock.objects.filter(case=case, kind=kind).values_list(
                    "due_on", "paused_since", "counted", "pauses", "is_open", "on_time"
                )
            )
            assert columns.rows(case.pk, fixed=(kind,)) == expected
    assert isinstance(columns.first(a.pk, fixed=("acceptance",))[0], date)  # converted as the ORM converts
    assert whole.rows(10**9) == [] and whole.first(10**9) is None


def test_a_none_argument_runs_the_queryset_itself(two_cases):
    a, _ = two_cases
    by_body = Prepared(lambda case, body: Clock.objects.filter(case=case, body=body).values_list("kind"))
    _clock(a).save()
    assert by_body.rows(a.pk, None) == list(Clock.objects.filter(case=a, body=None).values_list("kind")) == []
    expected = list(Clock.objects.filter(case=a, body=a.current_body_id).values_list("kind"))
    assert by_body.rows(a.pk, a.current_body_id) == expected and ("handling",) in expected


def test_text_arguments_and_a_lookup_that_changes_its_value(two_cases):
    person = Person.objects.order_by("id").first()
    by_name_phone = Prepared(
        lambda name, phone: first_of(Person.objects.filter(name=name, phone=phone)), text=(0, 1)
    )
    assert _values(by_name_phone.first(person.name, person.phone)) == _values(person)
    assert by_name_phone.first(person.name, "13900000000") is None
    containing = Prepared(lambda name: Person.objects.filter(name__icontains=name), text=(0,))
    with pytest.raises(ValueError, match="did not reach the SQL"):
        containing.rows("测试")


def test_row_insert_writes_the_row_and_signals_that_save_does(two_cases):
    a, _ = two_cases
    by_orm, by_row = _clock(a), _clock(a)
    with Heard(Clock) as orm_heard:
        by_orm.save()
    with Heard(Clock) as row_heard:
        row_insert(by_row)
    assert by_row.pk and by_row.pk != by_orm.pk and not by_row._state.adding and by_row._state.db == "default"
    assert row_heard.calls == [("pre", None, None), ("post", True, None)] == orm_heard.calls
    stored = {c.pk: [getattr(c, n) for n in CLOCK_COLUMNS] for c in Clock.objects.filter(case=a)}
    assert stored[by_row.pk] == stored[by_orm.pk]
    case = Case.objects.get(pk=a.pk)
    case.pk = None
    case._state.adding = True
    case.number, case.query_code_hash = "X-1", "h"
    row_insert(case)  # a model with auto_now / default columns: pre_save fills them as save() would
    copy = Case.objects.get(pk=case.pk)
    assert copy.updated_at == case.updated_at and copy.request == a.request and copy.created_at


def test_row_update_writes_the_columns_signals_and_error_that_save_does(two_cases):
    a, b = two_cases
    before = Case.objects.get(pk=a.pk)
    a.title, a.version = "新标题", a.version + 5
    with Heard(Case) as heard:
        row_update(a, ["title", "version", "updated_at"])
    after = Case.objects.get(pk=a.pk)
    assert (after.title, after.version) == ("新标题", before.version + 5)
    assert after.updated_at > before.updated_at and after.request == before.request  # only those columns
    assert heard.calls == [
        ("pre", a.pk, frozenset({"title", "version", "updated_at"})),
        ("post", False, frozenset({"title", "version", "updated_at"})),
    ]
    gone = Case.objects.get(pk=b.pk)
    gone.pk = 10**9
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        row_update(gone, ["title"])
    with pytest.raises(ValueError):  # a name that is no column: save() says so
        row_update(a, ["no_such_column"])


def test_a_prepared_update_changes_what_the_querysets_update_changes(two_cases):
    a, b = two_cases
    for case in (a, b):
        _clock(case).save()
        _clock(case, kind="acceptance").save()
    other = Body.objects.exclude(pk=a.current_body_id).order_by("pk").first()
    move = PreparedUpdate(
        lambda case, kinds: Clock.objects.filter(case=case, kind__in=kinds, is_open=True), ("body", "pauses")
    )
    assert move.run(a.pk, values=[other, [["2026-04-01", "2026-04-02"]]], fixed=(("handling",),)) == 1
    assert move.run(a.pk, values=[other, []], fixed=(("nothing",),)) == 0
    moved = Clock.objects.get(case=a, kind="handling")
    assert (moved.body_id, moved.pauses) == (other.pk, [["2026-04-01", "2026-04-02"]])
    assert Clock.objects.get(case=a, kind="acceptance").body_id == a.current_body_id
    assert set(Clock.objects.filter(case=b).values_list("body_id", flat=True)) == {b.current_body_id}


def test_related_reads_and_caches_what_the_descriptor_does(two_cases, django_assert_num_queries):
    a, _ = two_cases
    fresh = Case.objects.get(pk=a.pk)
    by_descriptor = Case.objects.get(pk=a.pk).current_body
    with django_assert_num_queries(1):
        body = related(fresh, "current_body")
    assert type(body) is Body and _values(body) == _values(by_descriptor) and body._state.db == "default"
    with django_assert_num_queries(0):  # cached on the instance, for the descriptor too
        assert related(fresh, "current_body") is body and fresh.current_body is body
    assert fresh.handling_body_id is None
    with django_assert_num_queries(0):
        assert related(fresh, "handling_body") is None
    parent = related(body, "parent")  # a key to the same model (body_superior)
    assert parent is not None and _values(parent) == _values(Body.objects.get(pk=body.pk).parent)
    fresh.current_body_id = 10**9  # a row that is gone: the descriptor's own error
    with pytest.raises(Body.DoesNotExist):
        related(fresh, "current_body")


def test_the_repeat_search_compiled_once_finds_what_the_queryset_finds(two_cases):
    a, b = two_cases
    first = register(seed=1, request=a.request).case  # the same person and matter again: a repeat
    other = register(seed=1, request="孩子入学学位分配不公，请求教育局重新安排学位").case
    people = list(Person.objects.filter(case_links__case__in=[a, b]).order_by("pk"))
    found_for = {}
    for who in ([people[0]], people, people[::-1]):
        ids = [p.pk for p in who]
        expected = list(
            _same_person_cases(
                person_ids=ids, subject_text="", problem_region=a.problem_region_id, exclude_pk=None
            )[:50]
        )
        got = _SAME_PERSON.rows(*ids, a.problem_region_id)
        assert [_values(c) for c in got] == [_values(c) for c in expected]  # the same rows, deferred alike
        assert [c.get_deferred_fields() for c in got] == [c.get_deferred_fields() for c in expected]
        found = repeat_candidates(people=who, problem_region=a.problem_region, request=a.request)
        by_orm = repeat_candidates(
            people=who, problem_region=a.problem_region, request=a.request, exclude_pk=0
        )
        found_for[len(who)] = [(c.case.pk, c.score, c.final) for c in found]
        assert found_for[len(who)] == [(c.case.pk, c.score, c.final) for c in by_orm]
    # the person's own cases but the repeat (its earlier case stands for it); the other matter is no candidate
    assert first.is_repeat and [c.pk for c in got] == [a.pk, b.pk, other.pk]
    assert [pk for pk, *_ in found_for[1]] == [a.pk] and [pk for pk, *_ in found_for[2]] == [a.pk, b.pk]
    assert _SAME_PERSON.rows(people[0].pk, 10**9) == []  # another 问题属地
