"""The scenarios a `$connect` clause can ask the engine for, beyond one independent case at a time: a
stateful run of connects in one warm environment, and connects left to the backend's TTL sweep."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.judgement import Expiry, Violation, WarmSequence, WarmStep
from contract_tests.contracts import Contract
from contract_tests.engine.properties import search
from contract_tests.engine.rounds import Round
from contract_tests.example_db import database_key
from contract_tests.observation import Observation, TypedItem
from contract_tests.oracle import TTL_VARIABLE
from contract_tests.runtimes import HandlerInitError
from contract_tests.session import ConnectSession
from contract_tests.steps import Facts
from contract_tests.strategies import EMPTY_QUERY_STYLES, build_event, plain_pairs, request_contexts

#: How a warm sequence is saved as one example: its connects, in order.
EXAMPLE_KEY = "connects_in_one_warm_container"
CONTROL_KEY = "connect-contract-expiry-control="
#: DynamoDB Local sweeps about every 10 s; a sweep that has not come in this long is a broken backend.
SWEEP_DEADLINE_S = 45.0


class WarmContainer:
    """One execution environment: the handler imported once, then invoked connect after connect."""

    def __init__(
        self,
        session: ConnectSession,
        judgement: WarmSequence[Observation, Contract],
        contract: Contract,
        facts: Facts,
        observed: Callable[[Observation], None] = lambda observation: None,
        *,
        more: bool = True,
    ) -> None:
        self.session = session
        self.observed = observed
        self.judgement = judgement
        self.contract = contract
        self.facts = facts
        self.connects: list[dict[str, Any]] = []
        self.stored: dict[str, TypedItem] = {}
        session.clear()
        try:
            self.slot = session.fresh_instance(more=more)
        except HandlerInitError as error:
            violation = Violation(str(error), "a handler that initialises", {"init_error": str(error)})
            violation.example = {EXAMPLE_KEY: []}
            raise violation from error

    def connect(self, event: dict[str, Any]) -> None:
        # API Gateway never reuses a connection id; shrinking would otherwise make them all equal.
        connection_id = f"warm-{len(self.connects):03d}="
        event = {**event, "requestContext": {**event["requestContext"], "connectionId": connection_id}}
        self.connects.append(event)
        session = self.session
        delivered, refused, seen = session.deliver(event)
        invocation = refused or session.invoke(self.slot, delivered)
        items = {item["connectionId"]["S"]: item for item in session.stored_items() if "connectionId" in item}
        observation = Observation(
            invocation,
            items=[items[connection_id]] if connection_id in items else [],
            environment=self.slot.variables,
            **seen,
        )
        self.observed(observation)
        step = WarmStep(event, len(self.connects), dict(self.stored), items)
        try:
            self.judgement.judge(step, observation, self.contract, self.facts)
        except Violation as violation:
            violation.example = {EXAMPLE_KEY: list(self.connects)}
            raise
        self.stored[connection_id] = items[connection_id]

    def stop(self) -> None:
        self.session.retire(self.slot)


def replay_warm_sequence(
    session: ConnectSession,
    judgement: WarmSequence[Observation, Contract],
    contract: Contract,
    facts: Facts,
    case: dict[str, Any],
) -> None:
    """One saved sequence again, in a new environment; raises its Violation if it still fails."""
    container = WarmContainer(session, judgement, contract, facts, more=False)
    try:
        for event in case[EXAMPLE_KEY]:
            container.connect(event)
    finally:
        container.stop()
        session.clear()


def warm_sequences(
    session: ConnectSession,
    judgement: WarmSequence[Observation, Contract],
    contract: Contract,
    facts: Facts,
    this_round: Round,
    observed: Callable[[Observation], None],
) -> tuple[Violation | None, int, str]:
    """One round of stateful runs; the shrunk Violation (or None), how many environments ran, and a pass's
    message (the judgement's named sequences first and the database's replayed in the first round, a
    failing one kept there); ``observed`` is told what each connect observed."""
    containers = judgement.containers(facts.examples)
    started = 0

    # One request context per container, so shrinking works on what can leak (the query strings): a context
    # drawn per connect made a leak's shrinking cost ~200 containers of ~0.3 s each. The connects go on
    # until an integer drawn from 0-15 is 0: rare when generating, and what the shrinker moves towards. So
    # a container mostly lives all its steps, as a late leak needs (a plain list of connects averaged 3.5
    # of 8 in a 10-container run, this 6.0-6.4), and a leak shrinks to its two connects in 43-53
    # containers (seeds 1-3; a state machine of connect rules took 69-88).
    connect = st.tuples(plain_pairs(), st.sampled_from(EMPTY_QUERY_STYLES))

    @st.composite
    def sequences(draw: st.DrawFn) -> list[dict[str, Any]]:
        context = draw(request_contexts())
        steps = [draw(connect)]
        while len(steps) < judgement.steps and draw(st.integers(0, 15)) != 0:
            steps.append(draw(connect))
        return [build_event(context, pairs, style) for pairs, style in steps]

    failed: list[bool] = []

    def sequence(events: list[dict[str, Any]]) -> None:
        nonlocal started
        started += 1
        # The round's last container needs no spare started behind it, unless a failure is being shrunk.
        container = WarmContainer(
            session, judgement, contract, facts, observed, more=bool(failed) or started < containers
        )
        try:
            for event in events:
                container.connect(event)
        finally:
            container.stop()

    # Named sequences come first and end the search when they fail: a failure found by generation is
    # shrunk, one environment per attempt (a leak took 43-53 of them), and theirs are already as small.
    explicit = judgement.explicit(facts)
    try:
        violation, count = search(
            sequences(),
            sequence,
            examples=max(1, containers - len(explicit)) if this_round.first else containers,
            this_round=this_round,
            explicit=explicit,
            on_violation=lambda: failed.append(True),
            database_key=database_key(contract.name, judgement.clause.id),
        )
    finally:
        session.clear()
    return violation, count, f"{count} warm containers, up to {judgement.steps} connects each"


def expire(
    session: ConnectSession,
    judgement: Expiry[Observation, Contract],
    contract: Contract,
    facts: Facts,
    events: list[dict[str, Any]],
) -> None:
    """Connect ``events`` with the judgement's short TTL, let the backend sweep, and raise if any item
    outlived it. A control item expires no later than any correct item, so once the backend's sweep
    removed it, every correctly expiring item went with it."""
    ttl_attribute = session.table_definition.ttl_attribute or "expiresAt"
    environment = {TTL_VARIABLE: str(judgement.ttl_s)}
    session.clear()
    latest_s = 0
    try:
        for event in events:
            observation = session.connect(event, environment=environment, keep=True)
            try:
                judgement.judge(event, observation, contract, facts)
            except Violation as missing:
                missing.example = event
                raise
            latest_s = max(latest_s, math.ceil(observation.invocation.finished_ms / 1000) + judgement.ttl_s)
            refresh = judgement.refresh(contract, event)
            if refresh is not None:
                refreshed = session.connect(
                    refresh.event, environment=environment, keep=True, route=refresh.route, given=refresh.given
                )
                try:
                    judgement.refreshed(refresh, refreshed, contract)
                except Violation as failed:
                    failed.example = event
                    raise
                latest_s = max(latest_s, math.ceil(refreshed.invocation.finished_ms / 1000) + judgement.ttl_s)
        session.put_item({"connectionId": {"S": CONTROL_KEY}, ttl_attribute: {"N": str(latest_s)}})
        time.sleep(max(0.0, latest_s + 1 - time.time()))
        keys = [event["requestContext"]["connectionId"] for event in events]
        left = session.expire_items(keys, CONTROL_KEY, SWEEP_DEADLINE_S)
    finally:
        session.clear()
    if left:
        raise judgement.survivors(events, left, latest_s, contract, facts)
