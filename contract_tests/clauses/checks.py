"""Assertions shared by clauses; each raises a Violation that says what the contract wanted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contract_tests.clauses.base import ClauseResult, Status, Violation
from contract_tests.contract_schemas import as_json, errors
from contract_tests.expected import expected_item
from contract_tests.session import CheckSession, Observation
from contract_tests.strategies import no_query_cases

ACCEPTED = {"statusCode": 200, "body": "connected"}
REFUSED = "a function error, or a response with a 4xx/5xx statusCode (API Gateway then refuses the connection)"


def require_accepted(observation: Observation) -> None:
    """The handler answered exactly ``200 connected``."""
    invocation = observation.invocation
    if observation.init_error is not None:
        raise Violation(observation.init_error, ACCEPTED, observation.actual())
    if invocation.error is not None:
        raise Violation(f"the connect failed on a valid event: {invocation.error}", ACCEPTED, observation.actual())
    problems = errors("v1/response", invocation.response, "accepted")
    if problems:
        raise Violation('response is not 200 "connected": ' + "; ".join(problems), ACCEPTED, observation.actual())


def is_refusal(observation: Observation) -> bool:
    invocation = observation.invocation
    if observation.init_error or invocation.error is not None:
        return True
    return not errors("v1/response", invocation.response, "refused")


def _why_not_a_refusal(response: Any) -> str:
    """What keeps a 4xx/5xx-looking answer from refusing: API Gateway cannot read it as a proxy response."""
    status = response.get("statusCode") if isinstance(response, dict) else None
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
        return f"it answered {as_json(response)}"
    problems = "; ".join(errors("v1/response", response, "refused"))
    return (
        f"it answered statusCode {status}, but not as a proxy response API Gateway can read ({problems}); "
        "refuse with a string body, or raise"
    )


def require_refused(observation: Observation, why: str) -> None:
    """The connection is refused: a function error or a 4xx/5xx status."""
    if not is_refusal(observation):
        reason = _why_not_a_refusal(observation.invocation.response)
        raise Violation(
            f"{why}, but the handler did not refuse the connection: {reason}", REFUSED, observation.actual()
        )


def require_nothing_written(observation: Observation, why: str) -> None:
    """Nothing stored and no write that succeeded; a write the backend rejected stored nothing and is no write."""
    writes = [str(c) for c in observation.all_calls if c.is_write and c.succeeded]
    if observation.items or writes:
        raise Violation(f"{why}, but the handler wrote to DynamoDB", "no item and no write call", observation.actual())


def rejected_writes(observation: Observation) -> list[str]:
    """Writes the backend refused (e.g. an empty key): not violations, but worth a note in the report."""
    return [
        f"{call.operation} {call.outcome}" for call in observation.all_calls if call.is_write and not call.succeeded
    ]


def refusal_verdict(result: ClauseResult, session: CheckSession, rejected: Sequence[str] = ()) -> ClauseResult:
    """A refusal clause's pass, with what it rests on: rejected writes seen, and whether valid connects get in.

    A handler that refuses everything passes every refusal clause; one control connect tells the reader so.
    """
    if result.status is not Status.PASSED:
        return result
    notes = [result.message]
    if rejected:
        notes.append(f"{len(rejected)} writes rejected by DynamoDB stored nothing (e.g. {rejected[0]})")
    if is_refusal(session.connect(no_query_cases()[0])):
        notes.append("passed only by refusing: the handler refuses a valid connect too (see clause 1)")
    result.message = "; ".join(note for note in notes if note)
    return result


def expected_with_window(event: dict[str, Any], observation: Observation) -> dict[str, Any]:
    """The expected item as the report shows it, with ``createdAt``'s allowed window."""
    inv = observation.invocation
    return {**expected_item(event), "createdAt": {"N": f"integer in [{inv.started_ms}, {inv.finished_ms}]"}}


def require_item(event: dict[str, Any], observation: Observation) -> None:
    """Exactly one item, valid against the v1 item schema, equal to the oracle's, created in the window."""
    expected = expected_with_window(event, observation)
    items = observation.items
    if observation.table_deleted:
        raise Violation(
            "the handler's table was deleted during the connect (see clause 7)", expected, observation.actual()
        )
    if len(items) != 1:
        failed = observation.init_error or observation.invocation.error
        why = f" (the connect failed: {failed})" if failed and not items else ""
        raise Violation(f"expected exactly one stored item, found {len(items)}{why}", expected, observation.actual())
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
