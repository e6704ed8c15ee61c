"""Clause 15 (v4): the token is a bearer credential: no stored attribute and no log line holds it.

Judged on connects that are stored and on connects refused with 403 (a refusal is where handlers
tend to log the whole event). The token's signature counts as the token: it is the secret part.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.authenticated_events import token_cases, token_events
from contract_tests.clauses.base import Clause, ClauseResult, Violation, judge_settled_output, run_property
from contract_tests.clauses.checks import refusal_verdict
from contract_tests.gateway import token_of
from contract_tests.session import CheckSession, Observation
from contract_tests.tokens import first_leaked, leaks

if TYPE_CHECKING:
    from contract_tests.contracts import Contract

WANTED = "the token in no stored attribute and no log line"


def require_token_kept_secret(observation: Observation, event: Any) -> None:
    token = token_of(observation.delivered if observation.delivered is not None else event)
    if token is None:
        return
    for item in observation.items:
        stored = [name for name, typed in item.items() if any(leaks(str(value), token) for value in typed.values())]
        if stored:
            raise Violation(
                f"the handler stored the connect's token (in {', '.join(stored)}); it is a bearer credential",
                WANTED,
                observation.actual(),
            )
    logged = [line for line in observation.invocation.logs if leaks(line, token)]
    if logged:
        raise Violation(
            f"a log line holds the connect's token ({len(logged)} of {len(observation.invocation.logs)} lines); "
            "log the reason, never the token or the whole event",
            WANTED,
            observation.actual(),
        )
    late = late_leak(observation.environment_events, observation.environment_output)
    if late is not None:
        raise Violation(
            late, WANTED, {**observation.actual(), "environment_output": observation.environment_output[-5:]}
        )


def late_leak(events: list[Any], lines: list[str]) -> str | None:
    """What leaked when a line an environment printed at any time (after an answer, say, from a queued
    log handler) holds the token of any connect it was given; None if none does."""
    number = first_leaked([token_of(event) for event in events], lines)
    if number is None:
        return None
    event = events[number - 1]
    connection = (event.get("requestContext") or {}).get("connectionId") if isinstance(event, dict) else None
    return (
        f"a line the environment printed after its answer holds the token of connect {number} it was given "
        f"(connectionId {connection!r}): a log line belongs to its environment, whenever it is written"
    )


def _judge(session: CheckSession, contract: Contract) -> Callable[[tuple[str, dict[str, Any]]], None]:
    def example(case: tuple[str, dict[str, Any]]) -> None:
        _, event = case
        require_token_kept_secret(session.connect(event), event)

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    examples = max(10, session.settings.examples // 2)
    judge = _judge(session, contract)
    result = run_property(CLAUSE, session, token_events(), judge, examples=examples, explicit=token_cases())
    result = judge_settled_output(result, session.settled_output, late_leak, lambda events: events[-1], WANTED)
    return refusal_verdict(result, session, contract)


CLAUSE = Clause(
    15,
    "token-secrecy",
    "the token parameter is never stored and never logged, on stored and on refused connects",
    _check,
    _judge,
    generates="connects carrying a signed token, accepted or refused with 403 for another clientId or account",
)
