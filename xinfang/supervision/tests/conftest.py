"""Shared fixtures: the demo city, a 督查员 at the city 信访局, and cases held by 东城区住建局."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from xinfang.cases.models import Case
from xinfang.cases.services import case_act
from xinfang.cases.tests.factories import actor, officer, register, registrar
from xinfang.orgs.acting import Actor
from xinfang.orgs.models import Body, Role


def ladder_defaults() -> None:
    """The shipped ladder (a transactional test flushes what the data migration wrote)."""
    from django.apps import apps

    module = __import__("xinfang.supervision.migrations.0002_default_kinds", fromlist=["forward"])
    module.forward(apps, None)


@dataclass
class World:
    supervisor: Actor  # 示例市信访局 督查员
    county_supervisor: Actor  # 东城区信访局 督查员
    housing: Body  # 东城区住房和城乡建设局
    housing_head: Actor
    city_leader: Actor
    county_leader: Actor

    seeds: list[int] = field(default_factory=lambda: [100])

    def held_case(self, seed: int | None = None, **kwargs) -> Case:
        """A case registered at 东城区信访局 and transferred to 东城区住建局 (each call another petitioner)."""
        if seed is None:
            self.seeds[0] += 1
            seed = self.seeds[0]
        result = register(by=registrar(), seed=seed, **kwargs)
        case = case_act(case=result.case, actor=registrar(), action="transfer", target_body=self.housing)
        return case_act(case=case, actor=officer(), action="receive")


@pytest.fixture
def world(demo_city) -> World:
    ladder_defaults()
    return World(
        supervisor=actor("990100-xinfang", Role.SUPERVISOR, "sup-city"),
        county_supervisor=actor("990101-xinfang", Role.SUPERVISOR, "sup-dc"),
        housing=Body.objects.select_related("region").get(code="990101-housing"),
        housing_head=actor("990101-housing", Role.AGENCY_HEAD, "head-dc"),
        city_leader=actor("990100-government", Role.LEADER, "leader-city"),
        county_leader=actor("990101-government", Role.LEADER, "leader-dc"),
    )
