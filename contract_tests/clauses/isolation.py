"""Clause 8: many connects in one warm container each store their own item; nothing leaks between them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hypothesis import seed
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from contract_tests.clauses.base import (
    Clause,
    ClauseResult,
    Violation,
    first_violation,
    hypothesis_settings,
    verdict,
)
from contract_tests.clauses.checks import require_outcome
from contract_tests.runtimes import HandlerInitError
from contract_tests.session import CheckSession, Observation, TypedItem
from contract_tests.strategies import EMPTY_QUERY_STYLES, Pairs, build_event, plain_pairs, request_contexts

if TYPE_CHECKING:
    from contract_tests.contracts import Contract

STEPS_PER_CONTAINER = 8
EXAMPLE_KEY = "connects_in_one_warm_container"


class WarmContainer:
    """One execution environment: the handler imported once, then invoked connect after connect."""

    def __init__(self, session: CheckSession, contract: Contract) -> None:
        self.session = session
        self.contract = contract
        self.connects: list[dict[str, Any]] = []
        self.stored: dict[str, TypedItem] = {}
        session.clear()
        try:
            self.slot = session.fresh_instance()
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
            environment=self.slot.environment,
            **seen,
        )
        try:
            require_outcome(self.contract, event, observation)
            changed = sorted(k for k, v in self.stored.items() if k != connection_id and items.get(k) != v)
            if changed:
                raise Violation(
                    f"connect #{len(self.connects)} changed the items of earlier connections: {changed}",
                    "earlier items untouched",
                    observation.actual(),
                )
        except Violation as violation:
            violation.example = {EXAMPLE_KEY: list(self.connects)}
            raise
        self.stored[connection_id] = items[connection_id]

    def stop(self) -> None:
        self.session.retire(self.slot)


def _judge(session: CheckSession, contract: Contract) -> Callable[[dict[str, Any]], None]:
    def example(case: dict[str, Any]) -> None:
        container = WarmContainer(session, contract)
        try:
            for event in case[EXAMPLE_KEY]:
                container.connect(event)
        finally:
            container.stop()
            session.clear()

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    containers = max(5, session.settings.examples // 10)
    count = 0
    seen: list[Violation] = []

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            nonlocal count
            count += 1
            try:
                self.container = WarmContainer(session, contract)
            except Violation as violation:
                seen.append(violation)
                raise

        # One request context per container, so shrinking works on what can leak (the query strings):
        # a context drawn per connect made a leak's shrinking cost ~200 containers of ~0.3 s each.
        @initialize(context=request_contexts())
        def arrive(self, context: dict[str, Any]) -> None:
            self.context = context

        @rule(pairs=plain_pairs(), style=st.sampled_from(EMPTY_QUERY_STYLES))
        def connect(self, pairs: Pairs, style: str) -> None:
            try:
                self.container.connect(build_event(self.context, pairs, style))
            except Violation as violation:
                seen.append(violation)
                raise

        def teardown(self) -> None:
            if hasattr(self, "container"):
                self.container.stop()

    settings = hypothesis_settings(containers)
    settings = type(settings)(settings, stateful_step_count=STEPS_PER_CONTAINER)
    machine = seed(session.settings.seed)(Machine)
    try:
        violation = first_violation(lambda: run_state_machine_as_test(machine, settings=settings), seen)
    finally:
        session.clear()
    return verdict(CLAUSE, violation, count, f"{count} warm containers, up to {STEPS_PER_CONTAINER} connects each")


CLAUSE = Clause(
    8,
    "isolation",
    "no state leaks between connects in one warm container",
    _check,
    _judge,
    generates="stateful runs: up to 8 connects in one warm environment",
)
