"""What `$disconnect` and a heartbeat must leave in the table and answer (v5), judged against the table
the gate wrote before the event: each raises a Violation saying what the contract wanted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from contract_tests.clauses.checks import require_accepted, require_item, unit_mistake
from contract_tests.clauses.judgement import Violation
from contract_tests.contract_schemas import as_json
from contract_tests.contracts import Contract
from contract_tests.observation import Observation, TypedItem
from contract_tests.oracle import GONE_STATUS, RoutingOracle, heartbeat_body_problem, item_key

OK_STATUS = 200
INVALID_STATUS = 400


def by_key(items: Sequence[TypedItem]) -> dict[str, TypedItem]:
    return {key: item for item in items if (key := item_key(item)) is not None}


def connection_of(event: Mapping[str, Any]) -> str:
    return str(event["requestContext"]["connectionId"])


def answered_status(observation: Observation) -> int | None:
    """The statusCode API Gateway reads from the answer; None for a function error or no proxy response."""
    if observation.init_error or observation.invocation.error is not None:
        return None
    response = observation.invocation.response
    status = response.get("statusCode") if isinstance(response, dict) else None
    return status if isinstance(status, int) and not isinstance(status, bool) else None


def _answer(observation: Observation) -> str:
    return observation.init_error or observation.invocation.summary()


def require_status(observation: Observation, wanted: int, why: str, expected: Any) -> None:
    if answered_status(observation) != wanted:
        raise Violation(
            f"{why}: the contract wants statusCode {wanted}, the function {_answer(observation)}",
            expected,
            observation.actual(),
        )


def require_not_ok(observation: Observation, why: str) -> None:
    """A route whose storage failed is not answered 200 (a function error or another status)."""
    if answered_status(observation) == OK_STATUS:
        raise Violation(
            f"{why}, but the function answered statusCode 200",
            "a function error, or a statusCode other than 200",
            observation.actual(),
        )


def table_changes(before: Mapping[str, TypedItem], after: Mapping[str, TypedItem]) -> list[str]:
    """What differs between two tables, as a report says it."""
    changes = [f"created {key!r}" for key in after if key not in before]
    changes += [f"deleted {key!r}" for key in before if key not in after]
    for key in before.keys() & after.keys():
        if before[key] != after[key]:
            names = sorted(n for n in before[key].keys() | after[key].keys() if before[key].get(n) != after[key].get(n))
            changes.append(f"changed {', '.join(names)} of {key!r}")
    return changes


def require_unchanged(before: Mapping[str, TypedItem], observation: Observation, why: str, expected: Any) -> None:
    changes = table_changes(before, by_key(observation.items))
    if changes:
        raise Violation(f"{why}, but the function {'; '.join(changes)}", expected, observation.actual())


def require_disconnected(event: Mapping[str, Any], given: Sequence[TypedItem], observation: Observation) -> None:
    """Its own item gone, every other item as it was, statusCode 200 either way."""
    before = by_key(given)
    key = connection_of(event)
    wanted = {other: item for other, item in before.items() if other != key}
    expected = {"statusCode": OK_STATUS, "stored_items": list(wanted.values())}
    there = "its item was there" if key in before else "no item was there"
    require_status(observation, OK_STATUS, f"$disconnect of {key!r} ({there})", expected)
    after = by_key(observation.items)
    if key in after and key in before:
        raise Violation(f"$disconnect of {key!r} left its item in the table", expected, observation.actual())
    changes = table_changes(wanted, after)
    if changes:
        raise Violation(
            f"$disconnect of {key!r} must delete its own item and nothing else, but the function {'; '.join(changes)}",
            expected,
            observation.actual(),
        )


def require_heartbeat(
    contract: Contract, event: Mapping[str, Any], given: Sequence[TypedItem], observation: Observation
) -> None:
    """The heartbeat's effect on the table the gate wrote, and its answer."""
    oracle = contract.oracle
    assert isinstance(oracle, RoutingOracle)  # v5's clauses bind v5 and its successors
    before = by_key(given)
    key = connection_of(event)
    problem = heartbeat_body_problem(event.get("body"))
    if problem is not None:
        expected = {"statusCode": INVALID_STATUS, "stored_items": "unchanged"}
        require_status(observation, INVALID_STATUS, f"a message that is no heartbeat ({problem})", expected)
        require_unchanged(before, observation, f"a message that is no heartbeat ({problem}) changes nothing", expected)
        return
    stored = before.get(key)
    if stored is None:
        expected = {"statusCode": GONE_STATUS, "stored_items": "unchanged: nothing created"}
        require_status(observation, GONE_STATUS, f"a heartbeat of {key!r}, which has no item", expected)
        require_unchanged(before, observation, f"a heartbeat of {key!r}, which has no item, creates nothing", expected)
        return
    invocation = observation.invocation
    refresh = oracle.refresh(stored, invocation.started_ms, invocation.finished_ms, observation.environment)
    refreshed = {**stored, **{name: {"N": str(window)} for name, window in refresh.windows.items()}}
    expected = {"statusCode": OK_STATUS, "item": stored if refresh.required is False else refreshed}
    require_status(observation, OK_STATUS, f"a heartbeat of {key!r}, which has an item", expected)
    after = by_key(observation.items)
    others = {other: item for other, item in before.items() if other != key}
    changes = table_changes(others, {other: item for other, item in after.items() if other != key})
    if changes:
        raise Violation(
            f"a heartbeat of {key!r} changes its own item alone, but the function {'; '.join(changes)}",
            expected,
            observation.actual(),
        )
    item = after.get(key)
    if item is None:
        raise Violation(f"a heartbeat of {key!r} deleted its item", expected, observation.actual())
    if item == stored:
        if refresh.required:
            raise Violation(f"a heartbeat of {key!r} did not refresh its item", expected, observation.actual())
        return
    if refresh.required is False:
        seen = stored["lastSeenAt"]["N"]
        raise Violation(
            f"a heartbeat whose clock is earlier than the stored lastSeenAt {seen} (a newer heartbeat's, landed"
            f" first) must change nothing, but the function {'; '.join(table_changes({key: stored}, {key: item}))}",
            expected,
            observation.actual(),
        )
    kept = {name: value for name, value in stored.items() if name not in refresh.windows}
    held = {name: value for name, value in item.items() if name not in refresh.windows}
    if held != kept:
        differing = sorted(name for name in kept.keys() | held.keys() if kept.get(name) != held.get(name))
        raise Violation(
            f"a heartbeat changes lastSeenAt and expiresAt alone, but the function changed {', '.join(differing)}",
            expected,
            observation.actual(),
        )
    for name, window in refresh.windows.items():
        typed = item.get(name)
        mistake = unit_mistake(name, typed, window)
        if mistake is not None:
            raise Violation(f"a heartbeat's {mistake}", expected, observation.actual())
        text = typed.get("N") if isinstance(typed, dict) else None
        value = int(text) if isinstance(text, str) and text.isascii() and text.isdigit() else None
        if value not in window:
            raise Violation(
                f"a heartbeat's {name} {as_json(typed)} is outside the invocation's window [{window.low},"
                f" {window.high}] ({window.unit})",
                expected,
                observation.actual(),
            )


def require_connected(
    contract: Contract, event: dict[str, Any], before: Mapping[str, TypedItem], observation: Observation
) -> None:
    """A valid connect in a connection's life: 200 connected, its item as the contract's, the rest as it was."""
    require_accepted(observation, contract)
    key = connection_of(event)
    after = by_key(observation.items)
    changes = table_changes(before, {other: item for other, item in after.items() if other != key})
    if changes:
        raise Violation(
            f"a connect of {key!r} stores its own item alone, but the function {'; '.join(changes)}",
            "the other items as they were",
            observation.actual(),
        )
    own = [item for item in observation.items if item_key(item) == key]
    require_item(contract, event, replace(observation, items=own))
