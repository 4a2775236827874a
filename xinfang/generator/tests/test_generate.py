import pytest
import time_machine
from django.core.management import call_command

from xinfang.analytics.health import tallies_differ, triggers_missing
from xinfang.cases.models import Case
from xinfang.core.audit import event_chain_verify
from xinfang.core.models import DisabledObject, Event
from xinfang.generator import generate as gen
from xinfang.generator.generate import _secondary_indexes, generate_bulk, messages
from xinfang.people.validators import validate_id_number

pytestmark = pytest.mark.django_db


def test_extract_is_clean_and_petitioners_are_valid(demo_city):
    rows = messages()
    assert 1500 <= len(rows) <= 2000
    assert not any("_x000D_" in t + d or "\t" in t + d for t, d, _ in rows)
    assert not any(ch.isdigit() for t, d, _ in rows for ch in __import__("re").findall(r"\d{7,}", t + d))
    with time_machine.travel("2026-06-15 10:00 +0800", tick=False):
        result = generate_bulk(cases=30, seed=3)
    for case in Case.objects.filter(pk__in=result.case_ids).prefetch_related("petitioners__person"):
        for link in case.petitioners.all():
            validate_id_number(link.person.id_number)


def test_command_reports_the_shared_query_code(demo_city, capsys):
    call_command("generate", "--cases", "25", "--bulk", "--seed", "2", verbosity=0)
    out = capsys.readouterr().out
    assert "已生成" in out and "共用一个查询码" in out
    assert Case.objects.count() >= 25


def test_a_bulk_load_chains_its_events_as_it_writes_them(demo_city):
    """No sealing pass after the load (it read every event back and updated it): each flush links its
    events into the hash chain in the transaction that writes them, and the chain verifies."""
    with time_machine.travel("2026-06-15 10:00 +0800", tick=False):
        generate_bulk(cases=40, seed=5, batch=15)  # three flushes, each continuing the chain
    assert not Event.objects.filter(chain_seq__isnull=True).exists()
    assert Event.objects.filter(object_type="cases.case").count() > 40
    report = event_chain_verify()
    assert report.ok, report.problems
    assert report.checked == Event.objects.count()


@pytest.mark.django_db(transaction=True)
def test_a_large_load_drops_the_secondary_indexes_and_builds_them_again_as_they_were(demo_city, settings):
    """On SQLite and PostgreSQL: the big tables' non-unique indexes go for a large first load (here: any
    load, XINFANG_BULK_DROP_FROM=1) and come back exactly as the migrations made them, with nothing left
    written down for `xinfang doctor`; the tally triggers come back too and the chain verifies."""
    settings.XINFANG_BULK_DROP_FROM = 1
    before = _secondary_indexes()
    assert len(before) > 20  # foreign keys, db_index, _meta.indexes (and `_like` ones on PostgreSQL)
    taken = []
    original = gen.objects_disabled

    def watched(items, **kw):
        taken.extend(items)
        return original(items, **kw)

    gen.objects_disabled = watched
    try:
        result = generate_bulk(cases=30, seed=3, live=False)
    finally:
        gen.objects_disabled = original
    assert {i.name for i in taken if i.kind == "index"} == {name for name, _ in before}
    assert _secondary_indexes() == before
    assert not DisabledObject.objects.exists()
    assert Case.objects.filter(pk__in=result.case_ids).count() == 30
    assert triggers_missing() == [] and tallies_differ() == []
    assert event_chain_verify().ok
