"""Clause 9 (v2): ``expiresAt`` follows ``CONNECTION_TTL_SECONDS``: its default when unset, its value when set."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import require_outcome
from contract_tests.expected import TTL_VARIABLE
from contract_tests.session import UNSET, CheckSession
from contract_tests.strategies import no_query_cases, plain_events

if TYPE_CHECKING:
    from contract_tests.contracts import Contract

#: Unset (the default applies), two seconds, a minute, an hour, the default spelled out, a day, a week.
#: Two seconds, not one: an item whose TTL ends within the second it was written in could be deleted
#: by a sweep (DynamoDB Local's own, or another check's on a shared LocalStack) before it is read.
TTL_SETTINGS: tuple[str | None, ...] = (UNSET, "2", "60", "3600", "7200", "86400", "604800")


def _judge(session: CheckSession, contract: Contract) -> Callable[[tuple[str | None, dict[str, Any]]], None]:
    def example(case: tuple[str | None, dict[str, Any]]) -> None:
        ttl, event = case
        require_outcome(contract, event, session.connect(event, environment={TTL_VARIABLE: ttl}))

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    every_setting_once = [(ttl, no_query_cases()[0]) for ttl in TTL_SETTINGS]
    strategy = st.tuples(st.sampled_from(TTL_SETTINGS), plain_events())
    return run_property(CLAUSE, session, strategy, _judge(session, contract), explicit=every_setting_once)


CLAUSE = Clause(
    9,
    "ttl",
    f"expiresAt = the handler's clock in epoch seconds + {TTL_VARIABLE} (default 7200)",
    _check,
    _judge,
    generates="everyday events under CONNECTION_TTL_SECONDS unset, 2, 60, 3600, 7200, 86400 and 604800",
)
