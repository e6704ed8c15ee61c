"""Clause 8: many connects in one warm container each store their own item; nothing leaks between them."""

from __future__ import annotations

from contract_tests.clauses.checks import require_outcome
from contract_tests.clauses.judgement import Violation, WarmSequence, WarmStep
from contract_tests.contracts import Contract
from contract_tests.contracts.v1 import V1_CLAUSES
from contract_tests.observation import Observation
from contract_tests.steps import Facts
from contract_tests.strategies import FIXED_CONTEXT, Event, build_event

STEPS_PER_CONTAINER = 8


def judge(step: WarmStep, observation: Observation, contract: Contract, facts: Facts) -> None:
    """The connect's own outcome, and every item an earlier connect stored left as it was."""
    require_outcome(contract, step.event, observation)
    connection_id = step.event["requestContext"]["connectionId"]
    changed = sorted(k for k, v in step.earlier.items() if k != connection_id and step.table.get(k) != v)
    if changed:
        raise Violation(
            f"connect #{step.number} changed the items of earlier connections: {changed}",
            "earlier items untouched",
            observation.actual(),
        )


def explicit(facts: Facts) -> list[list[Event]]:
    """Module-level state's usual leak first, in one environment: every parameter, then a client giving
    only its clientId, then none (each item must hold only its own event's values, the defaults for the
    rest; the items before must stay as they were)."""
    given = [("clientId", "agent-7"), ("account", "123456789012"), ("region", "eu-west-1")]
    return [[build_event(FIXED_CONTEXT, pairs) for pairs in (given, [("clientId", "agent-8")], [])]]


JUDGEMENT = WarmSequence[Observation, Contract](
    clause=V1_CLAUSES[7],
    judge=judge,
    containers=lambda examples: max(5, examples // 10),
    steps=STEPS_PER_CONTAINER,
    explicit=explicit,
)
