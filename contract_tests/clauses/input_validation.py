"""Clause 11 (v3): valid clientId/account/region values are stored verbatim; near misses are refused with 400.

Refused means: statusCode 400, nothing stored, and one log line that repeats at most 32 characters
of the value (so a 4 KB value or a control character cannot flood or forge the logs).
"""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.checks import late_repetition, require_outcome
from contract_tests.clauses.judgement import LateOutput, Property
from contract_tests.contracts import Contract
from contract_tests.contracts.v3 import INPUT_VALIDATION
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send
from contract_tests.strategies import GeneratorBug, validated_parameter_cases, validated_parameter_events

Case = tuple[str, dict[str, Any]]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> bool:
    """Judges one example; returns whether its values were valid."""
    description, event = case
    invalid = contract.oracle.invalid_input(event)
    if (invalid is None) != (description == "valid values" or description.startswith("valid ")):
        raise GeneratorBug(f"generated {description!r} but the oracle says {invalid or 'valid'}")
    require_outcome(contract, event, observation)
    return invalid is None


JUDGEMENT = Property[Case, Observation, Contract](
    clause=INPUT_VALIDATION,
    cases=lambda facts: validated_parameter_events(),
    explicit=lambda facts: validated_parameter_cases(),
    step=lambda case: Send(case[1]),
    judge=judge,
    sides=("valid", "near misses"),
    late=LateOutput(
        lambda events, lines, contract: late_repetition(contract, events, lines),
        lambda events, facts: events[-1],
        "no line repeating more of an invalid value",
    ),
)
