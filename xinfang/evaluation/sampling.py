"""Which cases a review plan takes in, and why: a pure function of the plan's seed and its inputs.

The random share ranks every case of the population by a hash of (seed, case id) and takes the first k:
the same seed and the same population give the same sample on any machine, whatever order the database
returns the rows in, and a case added to the population later does not reshuffle the others. The rule-based
inclusions (不满意, came back, flagged, all) are added on top; each case keeps every rule that named it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from xinfang.evaluation.models import SampleRule


@dataclass(frozen=True)
class SampleInputs:
    population: frozenset[int]  # case ids the plan covers (its bodies, its period)
    unsatisfied: frozenset[int] = frozenset()
    returned: frozenset[int] = frozenset()
    flagged: frozenset[int] = frozenset()  # may lie outside the period: a flag brings its case in


@dataclass
class SampleSettings:
    seed: int
    percent: Decimal
    all_cases: bool = False
    include_unsatisfied: bool = True
    include_returned: bool = True
    include_flagged: bool = True


@dataclass
class Sample:
    rules: dict[int, list[str]] = field(default_factory=dict)

    def add(self, ids: Iterable[int], rule: str) -> None:
        for case_id in ids:
            self.rules.setdefault(case_id, [])
            if rule not in self.rules[case_id]:
                self.rules[case_id].append(rule)


def rank_key(seed: int, case_id: int) -> str:
    return hashlib.sha256(f"{seed}:{case_id}".encode()).hexdigest()


def random_share(seed: int, population: Iterable[int], percent: Decimal) -> list[int]:
    """ceil(percent % of the population), chosen by the seeded hash ranking; ids in ranking order."""
    ids = sorted(set(population))
    k = math.ceil(len(ids) * Decimal(percent) / 100) if percent and percent > 0 else 0
    return sorted(ids, key=lambda i: rank_key(seed, i))[: min(k, len(ids))]


def sample_select(settings: SampleSettings, inputs: SampleInputs) -> dict[int, list[str]]:
    """case id → the rules that put it in the sample (in the order: all, random, 不满意, returned, flagged)."""
    sample = Sample()
    if settings.all_cases:
        sample.add(sorted(inputs.population), SampleRule.ALL)
    else:
        sample.add(random_share(settings.seed, inputs.population, settings.percent), SampleRule.RANDOM)
    if settings.include_unsatisfied:
        sample.add(sorted(inputs.unsatisfied & inputs.population), SampleRule.UNSATISFIED)
    if settings.include_returned:
        sample.add(sorted(inputs.returned & inputs.population), SampleRule.RETURNED)
    if settings.include_flagged:
        sample.add(sorted(inputs.flagged), SampleRule.FLAGGED)
    return dict(sorted(sample.rules.items()))
