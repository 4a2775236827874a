import pytest
import time_machine
from django.core.management import call_command

from xinfang.cases.models import Case
from xinfang.generator.generate import generate_bulk, messages
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
