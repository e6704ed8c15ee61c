"""Clause 5: when DynamoDB fails (throttled, erroring, unreachable, table missing) the connect is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import refusal_verdict, require_refused
from contract_tests.session import CheckSession, Overrides
from contract_tests.strategies import no_query_cases, plain_events

if TYPE_CHECKING:
    from contract_tests.contracts import Contract

# Every call fails either way; over the wire the SDK's retries (with back-off) would only make each example slower.
ONE_ATTEMPT = {"AWS_MAX_ATTEMPTS": "1"}
OUTAGE_NOTE = "real endpoint outage: not checked on this backend (in-process, no endpoint to lose)"


def _real_failures(session: CheckSession) -> dict[str, tuple[Overrides, str]]:
    """Failures the backend produces for real: a missing table, and (over HTTP) a dead endpoint."""
    missing_table = f"{session.table}-missing"
    failures: dict[str, tuple[Overrides, str]] = {
        "table-missing": (
            {"CONNECTIONS_TABLE": missing_table},
            f"CONNECTIONS_TABLE names a table that does not exist ({missing_table})",
        )
    }
    outage = session.endpoint_outage()
    if outage is not None:
        overrides, what = outage
        failures["endpoint-down"] = ({**overrides, **ONE_ATTEMPT}, f"the DynamoDB endpoint stopped answering ({what})")
    return failures


def _judge(session: CheckSession, contract: Contract) -> Callable[[tuple[str, dict[str, Any]]], None]:
    """Examples name their failure, so a saved one replays: an injected fault, or a real one."""
    real = _real_failures(session)
    faults = {fault.name: fault for fault in session.faults}

    def example(case: tuple[str, dict[str, Any]]) -> None:
        failure, event = case
        fault = faults.get(failure)
        if fault is not None:
            observation = session.connect(event, fault=fault, environment=ONE_ATTEMPT)
            why = f"every DynamoDB call failed with {fault.error_code} ({fault.name})"
        else:
            environment, why = real[failure]
            observation = session.connect(event, environment=environment)
        require_refused(observation, contract, why)

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    real = list(_real_failures(session))
    failures = [*(fault.name for fault in session.faults), *real]
    every_failure_once = [(failure, no_query_cases()[0]) for failure in failures]
    result = run_property(
        CLAUSE,
        session,
        st.tuples(st.sampled_from(failures), plain_events()),
        _judge(session, contract),
        explicit=every_failure_once,
        passed_message="" if "endpoint-down" in real else OUTAGE_NOTE,
    )
    return refusal_verdict(result, session, contract)


CLAUSE = Clause(
    5,
    "storage-failure",
    "a storage failure never answers 200 'connected'",
    _check,
    _judge,
    generates=(
        "every DynamoDB call failing (throttling, internal error, 503, connection error, read time-"
        "out); a table that does not exist; over HTTP a dead endpoint"
    ),
)
