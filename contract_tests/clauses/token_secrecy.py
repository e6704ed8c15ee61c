"""Clause 15 (v4): the token is a bearer credential: no stored attribute and no log line holds it.

Judged on connects that are stored and on connects refused with 403 (a refusal is where handlers
tend to log the whole event). The token's signature counts as the token: it is the secret part.
"""

from __future__ import annotations

from typing import Any

from contract_tests.authenticated_events import token_cases, token_events
from contract_tests.clauses.judgement import LateOutput, Property, Violation
from contract_tests.contracts import Contract
from contract_tests.contracts.v4 import TOKEN_SECRECY
from contract_tests.gateway import token_of
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send
from contract_tests.tokens import first_leaked, leaks

Case = tuple[str, dict[str, Any]]
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
    late = late_leak(observation.environment_events, observation.printed_since_previous or [])
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


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    require_token_kept_secret(observation, case[1])


JUDGEMENT = Property[Case, Observation, Contract](
    clause=TOKEN_SECRECY,
    cases=lambda facts: token_events(),
    explicit=lambda facts: token_cases(),
    step=lambda case: Send(case[1]),
    judge=judge,
    examples=lambda examples: max(10, examples // 2),
    late=LateOutput(lambda events, lines, contract: late_leak(events, lines), lambda events, facts: events[-1], WANTED),
    refusal_control=True,
)
