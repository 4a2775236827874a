"""Reading evaluations."""

from __future__ import annotations

from xinfang.evaluation.models import Evaluation, Satisfaction


def case_petitioner_satisfied(case) -> bool:
    """The petitioner has said they are satisfied (or basically so) with the answer: the case may be
    concluded before the 复查/复核 window runs out (registered with the cases services, evaluation/apps.py)."""
    return Evaluation.objects.filter(
        case=case, result__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]
    ).exists()
