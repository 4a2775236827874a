"""The two forms of the 检举控告 rule (cases/confidentiality.py) agree: for every body of the demo city, the
routing check refuses exactly the bodies from which the read path hides the case."""

from __future__ import annotations

from xinfang.cases.confidentiality import accusation_hidden_from, confidential_exclusion_q
from xinfang.cases.models import Case, PetitionType
from xinfang.cases.tests.factories import register, registrar
from xinfang.orgs.models import Body


def test_routing_and_reading_hide_an_accusation_from_the_same_bodies(demo_city):
    accused = Body.objects.get(code="990101-housing")
    case = register(
        by=registrar(),
        seed=5,
        petition_type=PetitionType.ACCUSATION,
        subject_body=accused,
        subject_text="某科长",
    ).case
    plain = register(by=registrar(), seed=6).case
    hidden_somewhere = False
    for body in Body.objects.all():
        read_hides = not Case.objects.filter(pk=case.pk).exclude(confidential_exclusion_q(body)).exists()
        assert accusation_hidden_from(case, body) == read_hides, body.code
        assert not accusation_hidden_from(plain, body)
        hidden_somewhere |= read_hides
    assert hidden_somewhere and accusation_hidden_from(case, accused)
