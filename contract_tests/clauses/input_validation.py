"""Clause 11 (v3): valid clientId/account/region values are stored verbatim; near misses are refused with 400.

Refused means: statusCode 400, nothing stored, and one log line that repeats at most 32 characters
of the value (so a 4 KB value or a control character cannot flood or forge the logs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.clauses.base import Clause, ClauseResult, judge_settled_output, run_two_sided
from contract_tests.clauses.checks import late_repetition, require_outcome
from contract_tests.session import CheckSession
from contract_tests.strategies import GeneratorBug, validated_parameter_cases, validated_parameter_events

if TYPE_CHECKING:
    from contract_tests.contracts import Contract


def _judge(session: CheckSession, contract: Contract) -> Callable[[tuple[str, dict[str, Any]]], bool]:
    """Judges one example; returns whether its values were valid."""

    def example(case: tuple[str, dict[str, Any]]) -> bool:
        description, event = case
        invalid = contract.oracle.invalid_input(event)
        if (invalid is None) != (description == "valid values" or description.startswith("valid ")):
            raise GeneratorBug(f"generated {description!r} but the oracle says {invalid or 'valid'}")
        require_outcome(contract, event, session.connect(event))
        return invalid is None

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    judge = _judge(session, contract)
    result = run_two_sided(
        CLAUSE,
        session,
        validated_parameter_events(),
        judge,
        explicit=validated_parameter_cases(),
        sides=("valid", "near misses"),
    )
    return judge_settled_output(
        result,
        session.settled_output,
        lambda events, lines: late_repetition(contract, events, lines),
        lambda events: events[-1],
        "no line repeating more of an invalid value",
    )


CLAUSE = Clause(
    11,
    "input-validation",
    "valid clientId/account/region stored verbatim; near misses refused with 400",
    _check,
    _judge,
    generates=(
        "values from each rule's own pattern, edge values, and near misses (11/13 digits, non-ASCII"
        " digits, trailing newline or space, upper case, unknown partitions, zones, 129 characters,"
        " control characters, lookalike letters)"
    ),
)
