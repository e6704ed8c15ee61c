"""Clause 5: when DynamoDB fails (throttled, erroring, unreachable, table missing) the connect is refused."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.aws_calls import INJECTED_FAULTS, Fault
from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import require_refused
from contract_tests.session import CheckSession
from contract_tests.strategies import no_query_cases, plain_events

TABLE_MISSING = "table-missing"


def _check(session: CheckSession) -> ClauseResult:
    missing_table = f"{session.table}-missing"

    def example(case: tuple[Fault | str, dict[str, Any]]) -> None:
        fault, event = case
        if isinstance(fault, Fault):
            observation = session.cold_run(event, fault=fault)
            why = f"every DynamoDB call failed with {fault.error_code} ({fault.name})"
        else:
            observation = session.cold_run(event, table=missing_table)
            why = f"CONNECTIONS_TABLE names a table that does not exist ({missing_table})"
        require_refused(observation, why)

    faults: list[Fault | str] = [*INJECTED_FAULTS, TABLE_MISSING]
    every_fault_once = [(fault, no_query_cases()[0]) for fault in faults]
    return run_property(
        CLAUSE, session, st.tuples(st.sampled_from(faults), plain_events()), example, explicit=every_fault_once
    )


CLAUSE = Clause(5, "storage-failure", "a storage failure never answers 200 'connected'", _check)
