"""Clause 9 (v2): ``expiresAt`` follows ``CONNECTION_TTL_SECONDS``: its default when unset, its value when set."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.checks import require_outcome
from contract_tests.clauses.judgement import Property
from contract_tests.contracts import Contract
from contract_tests.contracts.v2 import TTL
from contract_tests.observation import Observation
from contract_tests.oracle import TTL_VARIABLE
from contract_tests.steps import UNSET, Facts, Send
from contract_tests.strategies import no_query_cases, plain_events

#: Unset (the default applies), two seconds, a minute, an hour, the default spelled out, a day, a week.
#: Two seconds, not one: an item whose TTL ends within the second it was written in could be deleted
#: by a sweep (DynamoDB Local's own, or another check's on a shared LocalStack) before it is read.
TTL_SETTINGS: tuple[str | None, ...] = (UNSET, "2", "60", "3600", "7200", "86400", "604800")

Case = tuple[str | None, dict[str, Any]]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    require_outcome(contract, case[1], observation)


JUDGEMENT = Property[Case, Observation, Contract](
    clause=TTL,
    cases=lambda facts: st.tuples(st.sampled_from(TTL_SETTINGS), plain_events()),
    explicit=lambda facts: [(ttl, no_query_cases()[0]) for ttl in TTL_SETTINGS],
    step=lambda case: Send(case[1], environment={TTL_VARIABLE: case[0]}),
    judge=judge,
)
