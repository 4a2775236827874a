"""Writes to cases. Every function takes keyword arguments and an `actor`. Registration is `case_register`;
every later change is `case_act(case=, actor=, action=, **inputs)`, checked against the transition table
(workflow.py) — one entry point, so there are no per-action wrappers to drift from it (README's example)."""

from xinfang.cases.services.actions import case_act
from xinfang.cases.services.register import PetitionerInput, RegistrationResult, case_register

__all__ = ["PetitionerInput", "RegistrationResult", "case_act", "case_register"]
