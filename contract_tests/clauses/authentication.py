"""Clause 13 (v4): a connect with no authenticated client on it is refused, and nothing is stored.

On a v4 route API Gateway runs the authorizer first, so such a connect means the route lost its
authorizer (or got another kind): the handler is the last line, and must not fall back to the query.
"""

from __future__ import annotations

from typing import Any

from contract_tests.authenticated_events import unauthenticated_cases, unauthenticated_events
from contract_tests.clauses.checks import require_nothing_written, require_refused
from contract_tests.clauses.judgement import Property
from contract_tests.contracts import Contract
from contract_tests.contracts.v4 import AUTHENTICATION
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send

Case = tuple[str, dict[str, Any]]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    why = f"the connect carries {case[0]}, so no client is authenticated"
    require_refused(observation, contract, why)
    require_nothing_written(observation, why)


JUDGEMENT = Property[Case, Observation, Contract](
    clause=AUTHENTICATION,
    cases=lambda facts: unauthenticated_events(),
    explicit=lambda facts: unauthenticated_cases(),
    step=lambda case: Send(case[1], bypass_gateway=True),
    judge=judge,
    refusal_control=True,
)
