"""Assertions shared by clauses; each raises a Violation that says what the contract wanted."""

from __future__ import annotations

from typing import Any

from contract_tests.aws_calls import WRITE_OPERATIONS
from contract_tests.clauses.base import Violation
from contract_tests.contract_schemas import errors
from contract_tests.expected import expected_item
from contract_tests.session import Observation

ACCEPTED = {"statusCode": 200, "body": "connected"}
REFUSED = "a function error, or a response with a 4xx/5xx statusCode (API Gateway then refuses the connection)"


def require_accepted(observation: Observation) -> None:
    """The handler answered exactly ``200 connected``."""
    invocation = observation.invocation
    if invocation.error is not None:
        raise Violation(f"handler raised on a valid event: {invocation.error}", ACCEPTED, observation.actual())
    problems = errors("v1/response", invocation.response, "accepted")
    if problems:
        raise Violation("response is not 200 'connected': " + "; ".join(problems), ACCEPTED, observation.actual())


def is_refusal(observation: Observation) -> bool:
    invocation = observation.invocation
    if observation.init_error or invocation.error is not None:
        return True
    return not errors("v1/response", invocation.response, "refused")


def require_refused(observation: Observation, why: str) -> None:
    """The connection is refused: a function error or a 4xx/5xx status."""
    if not is_refusal(observation):
        raise Violation(f"{why}, but the handler did not refuse the connection", REFUSED, observation.actual())


def require_nothing_written(observation: Observation, why: str) -> None:
    writes = [str(c) for c in observation.all_calls if c.service == "dynamodb" and c.operation in WRITE_OPERATIONS]
    if observation.items or writes:
        raise Violation(f"{why}, but the handler wrote to DynamoDB", "no item and no write call", observation.actual())


def expected_with_window(event: dict[str, Any], observation: Observation) -> dict[str, Any]:
    """The expected item as the report shows it, with ``createdAt``'s allowed window."""
    inv = observation.invocation
    return {**expected_item(event), "createdAt": {"N": f"integer in [{inv.started_ms}, {inv.finished_ms}]"}}


def require_item(event: dict[str, Any], observation: Observation) -> None:
    """Exactly one item, valid against the v1 item schema, equal to the oracle's, created in the window."""
    expected = expected_with_window(event, observation)
    items = observation.items
    if len(items) != 1:
        raise Violation(f"expected exactly one stored item, found {len(items)}", expected, observation.actual())
    item = items[0]
    problems = errors("v1/item", item)
    if problems:
        raise Violation("stored item breaks the v1 item schema: " + "; ".join(problems), expected, observation.actual())
    wanted = {name: value for name, value in expected.items() if name != "createdAt"}
    stored = {name: value for name, value in item.items() if name != "createdAt"}
    if stored != wanted:
        differing = sorted(name for name in set(stored) | set(wanted) if stored.get(name) != wanted.get(name))
        raise Violation(f"stored item differs in {', '.join(differing)}", expected, observation.actual())
    created = int(item["createdAt"]["N"])
    inv = observation.invocation
    if not inv.started_ms <= created <= inv.finished_ms:
        raise Violation(
            f"createdAt {created} is outside the invocation's window [{inv.started_ms}, {inv.finished_ms}] (epoch ms)",
            expected,
            observation.actual(),
        )
