"""Clause 5: when DynamoDB fails (throttled, erroring, unreachable, table missing) the connect is refused.

The engine makes each failure (``Facts.failures``): faults injected into every DynamoDB call, a table
that does not exist, and, where the function has an endpoint to lose, that endpoint refusing connections.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.checks import require_refused
from contract_tests.clauses.judgement import Property
from contract_tests.contracts import Contract
from contract_tests.contracts.v1 import V1_CLAUSES
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send
from contract_tests.strategies import no_query_cases, plain_events

#: The failure the engine makes only where the function has a DynamoDB endpoint to lose.
ENDPOINT_DOWN_FAILURE = "endpoint-down"
OUTAGE_NOTE = "real endpoint outage: not checked on this backend (in-process, no endpoint to lose)"

Case = tuple[str, dict[str, Any]]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    require_refused(observation, contract, facts.failures[case[0]])


def passed(cases: Sequence[Case], facts: Facts) -> str:
    return "" if ENDPOINT_DOWN_FAILURE in facts.failures else OUTAGE_NOTE


JUDGEMENT = Property[Case, Observation, Contract](
    clause=V1_CLAUSES[4],
    cases=lambda facts: st.tuples(st.sampled_from(list(facts.failures)), plain_events()),
    # Examples name their failure, so a saved one replays.
    explicit=lambda facts: [(failure, no_query_cases()[0]) for failure in facts.failures],
    step=lambda case: Send(case[1], failure=case[0]),
    judge=judge,
    passed=passed,
    refusal_control=True,
    settles=lambda case: case[0],
)
