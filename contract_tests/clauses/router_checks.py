"""What a router's invocation must have done with its fleet, judged from what the gate saw: the posts the
management API answered, the table before and after, the calls and the answer.

Liveness is judged at both ends of the invocation: an item live when the answer came was live whenever
the router read its clock, one dead when the invocation started was dead throughout; an item that
changed in between (only an edge case slower than the fleets' margins) may go either way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract_tests.clauses.judgement import Violation
from contract_tests.contract_schemas import errors
from contract_tests.contracts.router import QUERY_PAGE, RouterContract, idle_seconds
from contract_tests.management_api import GONE, Attempt
from contract_tests.observation import RouterRun, TypedItem
from contract_tests.router_fleets import RouterCase
from contract_tests.steps import Facts

#: The services an SDK names the management API by: botocore's model, and SigV4's scope over the wire.
MANAGEMENT_SERVICES = frozenset({"apigatewaymanagementapi", "execute-api"})
POST_OPERATION = "PostToConnection"
#: What the contract wants of a valid event, as a report shows it.
COUNTED = "one accepted post per live connection, gone ones pruned, and an answer counting them"


def _key(item: TypedItem) -> str:
    return str(item["connectionId"]["S"])


def _number(item: TypedItem, name: str) -> int | None:
    try:
        return int(item[name]["N"])
    except (KeyError, TypeError, ValueError):
        return None


def partition(event: Any) -> str:
    return f"{event['account']}#{event['region']}"


def why_not_live(item: TypedItem, event: Any, idle_s: int, at_ms: int) -> str | None:
    """Why ``item`` is no live connection of the event's account and region at ``at_ms``; None if it is one."""
    wanted = partition(event)
    stored = item.get("accountRegion", {}).get("S")
    if stored is None:
        return f"it has no accountRegion (stored before v5), so it is not in the {wanted!r} partition of the index"
    if stored != wanted:
        return f"its accountRegion is {stored!r}, not {wanted!r}"
    expires, seen = _number(item, "expiresAt"), _number(item, "lastSeenAt")
    if expires is not None and expires <= at_ms // 1000:
        ago = at_ms // 1000 - expires
        when = f"{ago} s before the invocation" if ago else "at the very second the invocation started"
        return (
            f"it expired {when} (expiresAt {expires}; live means expiresAt greater than the clock in seconds,"
            " and DynamoDB deletes an expired item up to ~48 h late)"
        )
    if seen is not None and seen < at_ms - idle_s * 1000:
        silent = (at_ms - seen) / 1000
        return (
            f"it was last seen {silent:.3f} s before the invocation (lastSeenAt {seen}), longer than the idle"
            f" window of {idle_s} s (CONNECTION_IDLE_SECONDS), so API Gateway has closed it"
        )
    return None


@dataclass
class Judged:
    """The fleet sorted by what the contract wants of each connection."""

    live: dict[str, TypedItem] = field(default_factory=dict)
    #: Live or not, depending on the instant the router read its clock: either is right.
    either: dict[str, TypedItem] = field(default_factory=dict)
    dead: dict[str, str] = field(default_factory=dict)


def sort_fleet(run: RouterRun, event: Any) -> Judged:
    invocation = run.invocation
    idle_s = idle_seconds(run.observation.environment)
    judged = Judged()
    for item in run.given:
        early = why_not_live(item, event, idle_s, invocation.started_ms)
        late = why_not_live(item, event, idle_s, invocation.finished_ms)
        if early is not None:
            judged.dead[_key(item)] = early
        elif late is None:
            judged.live[_key(item)] = item
        else:
            judged.either[_key(item)] = item
    return judged


def _silence(item: TypedItem, run: RouterRun) -> str:
    """How long a live connection had been silent, against the idle window in force."""
    seen = _number(item, "lastSeenAt")
    if seen is None:
        return ""
    idle_s = idle_seconds(run.observation.environment)
    silent = (run.invocation.started_ms - seen) / 1000
    return f" (last seen {silent:.3f} s before the invocation, within CONNECTION_IDLE_SECONDS={idle_s})"


def _page_hint(run: RouterRun, event: Any, connection_id: str) -> str:
    """Where a missed connection was in the Query's pages, when past the first one."""
    ordered = sorted(
        (item for item in run.given if item.get("accountRegion", {}).get("S") == partition(event)),
        key=lambda item: (_number(item, "createdAt") or 0, _key(item)),
    )
    position = next((n for n, item in enumerate(ordered) if _key(item) == connection_id), 0)
    if position < QUERY_PAGE:
        return ""
    queries = sum(1 for call in run.observation.all_calls if call.operation == "Query")
    return (
        f"; it comes on page {position // QUERY_PAGE + 1} of the Query, and the router made {queries} Query"
        f" call{'s' if queries != 1 else ''} (the gate cuts every page at {QUERY_PAGE} items, as DynamoDB's 1 MB"
        " page limit does at scale): follow LastEvaluatedKey"
    )


def require_routed(case: RouterCase, run: RouterRun, contract: RouterContract, facts: Facts) -> None:
    """The router delivered to exactly the live set, pruned exactly the gone ones, kept the rest, and counted."""
    event, actual = case.event, run.actual
    if run.init_error is not None:
        raise Violation(f"the router failed to initialise: {run.init_error}", COUNTED, actual())
    invocation = run.invocation
    if invocation.error is not None:
        answered = ", ".join(str(attempt) for attempt in run.attempts) or "no post"
        raise Violation(
            f"the router failed on a valid event: {invocation.error} (the management API had answered: {answered})",
            COUNTED,
            actual(),
        )
    judged = sort_fleet(run, event)
    posts: dict[str, list[Attempt]] = {}
    for attempt in run.attempts:
        if attempt.method == "POST":
            posts.setdefault(attempt.connection_id, []).append(attempt)
    held = [_key(item) for item in run.given]
    # In the fleet's order, so a report names the same connection whatever order concurrent posts came in.
    for connection_id, made in sorted(posts.items(), key=lambda pair: held.index(pair[0]) if pair[0] in held else -1):
        if connection_id not in held:
            raise Violation(f"posted to {connection_id!r}, which the table does not hold", COUNTED, actual())
        why = judged.dead.get(connection_id)
        if why is not None:
            raise Violation(f"posted to {connection_id}, which is no live connection: {why}", COUNTED, actual())
        for attempt in made:
            _require_message(attempt, event["message"], actual)
        accepted = sum(attempt.accepted for attempt in made)
        if accepted > 1:
            raise Violation(
                f"{connection_id} accepted {accepted} posts of one message; a connection gets at most one",
                COUNTED,
                actual(),
            )
    for connection_id, item in judged.live.items():
        if connection_id not in posts:
            raise Violation(
                f"never posted to {connection_id}, a live connection of {partition(event)!r}"
                + _silence(item, run)
                + _page_hint(run, event, connection_id),
                COUNTED,
                actual(),
            )
    after = {_key(item): item for item in run.observation.items if "connectionId" in item}
    gone = {
        connection_id
        for connection_id, made in posts.items()
        if not any(attempt.accepted for attempt in made) and any(attempt.status == GONE for attempt in made)
    }
    delete_fails = case.failure is not None
    deletable = set() if delete_fails else gone
    _require_kept(run, posts, judged, deletable, after, actual)
    counts = {"delivered": 0, "pruned": 0, "failed": 0}
    for connection_id, made in posts.items():
        if any(attempt.accepted for attempt in made):
            counts["delivered"] += 1
        elif connection_id in deletable:
            if connection_id in after:
                raise Violation(
                    f"{connection_id} answered 410 GoneException, and its item is still in the table: prune it",
                    COUNTED,
                    actual(),
                )
            counts["pruned"] += 1
        else:
            counts["failed"] += 1
    _require_counts(invocation.response, counts, contract, actual)


def _require_message(attempt: Attempt, message: Any, actual: Any) -> None:
    try:
        posted = json.loads(attempt.body)
    except ValueError:
        posted = None
    else:
        if posted == message:
            return
    shown = attempt.body[:200].decode("utf-8", errors="replace")
    raise Violation(
        f"the post to {attempt.connection_id} carried {shown!r}, not the message's JSON {json.dumps(message)[:200]}",
        COUNTED,
        actual(),
    )


def _require_kept(
    run: RouterRun,
    posts: Mapping[str, list[Attempt]],
    judged: Judged,
    deletable: set[str],
    after: Mapping[str, TypedItem],
    actual: Any,
) -> None:
    """Every item but the pruned ones is in the table as it was; nothing was added."""
    for item in run.given:
        connection_id = _key(item)
        if connection_id in deletable:
            continue
        if connection_id not in after:
            if connection_id in judged.dead:
                what = f"not live ({judged.dead[connection_id]})"
            elif any(attempt.status == GONE for attempt in posts.get(connection_id, ())):
                what = "was gone, but its DeleteItem failed: it is counted failed, never pruned"
            else:
                answers = ", ".join(str(attempt) for attempt in posts.get(connection_id, ())) or "never posted to"
                what = f"was no gone connection ({answers})"
            raise Violation(
                f"deleted {connection_id}'s item, which {what}; only a post answered 410 prunes an item",
                "every other item kept as it was",
                actual(),
            )
        changed = sorted(
            name for name in {*item, *after[connection_id]} if item.get(name) != after[connection_id].get(name)
        )
        if changed:
            raise Violation(
                f"changed {connection_id}'s item ({', '.join(changed)}); a router writes nothing but the pruning"
                " DeleteItem",
                "every other item kept as it was",
                actual(),
            )
    added = sorted(set(after) - {_key(item) for item in run.given})
    if added:
        raise Violation(f"wrote items the fleet did not hold: {', '.join(added)}", "no item written", actual())


def _require_counts(response: Any, counts: Mapping[str, int], contract: RouterContract, actual: Any) -> None:
    problems = errors(contract.schema("answer"), response)
    if problems:
        raise Violation(f"the answer is not the router's: {'; '.join(problems)}", dict(counts), actual())
    answered = {name: response[name] for name in counts}
    if answered != dict(counts):
        raise Violation(
            f"answered {json.dumps(answered)}, but the posts the gate answered make {json.dumps(dict(counts))}"
            " (delivered: a post accepted; pruned: gone, item deleted; failed: every post failed, or gone and"
            " its DeleteItem failed)",
            dict(counts),
            actual(),
        )


def require_refused_event(case: RouterCase, run: RouterRun, contract: RouterContract, facts: Facts) -> None:
    """An event that is no router event is a function error; nothing is posted, the table is unchanged."""
    problems = errors(contract.schema("event"), case.event)
    why = problems[0] if problems else "it is no router event"
    wanted = "a function error, nothing posted or deleted"
    if run.attempts:
        first = run.attempts[0]
        raise Violation(f"posted although the event is no router event ({why}): {first}", wanted, run.actual())
    before = {_key(item): item for item in run.given}
    after = {_key(item): item for item in run.observation.items if "connectionId" in item}
    if before != after:
        raise Violation(f"changed the table although the event is no router event ({why})", wanted, run.actual())
    if run.init_error is None and run.invocation.error is None:
        raise Violation(
            f"answered {json.dumps(run.invocation.response)} to an event that is no router event ({why}); the"
            " contract wants a function error",
            wanted,
            run.actual(),
        )


def require_calls(case: RouterCase, run: RouterRun, contract: RouterContract, facts: Facts) -> None:
    """Only Query on the index, DeleteItem on the table, and POST @connections/{id}."""
    allowed = f"Query on index {contract.index.name} of the table, DeleteItem on the table, POST @connections/{{id}}"
    for call in run.observation.all_calls:
        if call.service in MANAGEMENT_SERVICES and call.operation == POST_OPERATION and call.table is None:
            if call.service == "execute-api":
                why = f"called {call} through the DynamoDB endpoint variables, not CONNECTIONS_ENDPOINT"
                raise Violation(why, allowed, run.actual())
            continue
        on_table = call.service == "dynamodb" and call.table == facts.table
        if on_table and call.operation == "Query" and call.index == contract.index.name:
            continue
        if on_table and call.operation == "DeleteItem" and call.index is None:
            continue
        hint = "; never Scan" if call.operation == "Scan" else ""
        raise Violation(f"called {call}: the router may call only {allowed}{hint}", allowed, run.actual())
    for attempt in run.attempts:
        if attempt.method != "POST":
            raise Violation(f"sent {attempt}: the router may call only {allowed}", allowed, run.actual())
