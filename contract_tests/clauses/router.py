"""The router contract's clauses, judged: what fleets each generates, and which check judges them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contract_tests.clauses.judgement import Property
from contract_tests.clauses.router_checks import require_calls, require_refused_event, require_routed
from contract_tests.contracts.router import QUERY_PAGE, ROUTER_CLAUSES, RouterContract
from contract_tests.management_api import GONE
from contract_tests.observation import RouterRun
from contract_tests.router_fleets import (
    FAILING,
    TRANSIENT,
    RouterCase,
    big_fleet,
    edge_cases,
    edge_examples,
    invalid_cases,
    invalid_examples,
    mixed_fleet,
    router_cases,
    scripted_fleet,
)
from contract_tests.steps import Facts

#: The storage failure of prune-failure: every DeleteItem fails (``Facts.failures``).
DELETE_FAILS = "delete-fails"
#: Posts that fail are retried by the SDKs with back-off; two attempts keep a failing connection's cost
#: under a second and still let a retry be accepted.
TWO_ATTEMPTS = {"AWS_MAX_ATTEMPTS": "2"}

DELIVERY, PRUNING, POST_FAILURES, PRUNE_FAILURE, CLOCK_EDGES, INVALID_EVENTS, AWS_CALLS = ROUTER_CLAUSES


Case = dict[str, Any]


def _step(case: Case) -> RouterCase:
    return RouterCase.of(case)


def _judged(check: Callable[[RouterCase, RouterRun, RouterContract, Facts], None]) -> Callable[..., None]:
    """``check`` on the case's own form."""

    def judge(case: Case, run: RouterRun, contract: RouterContract, facts: Facts) -> None:
        check(RouterCase.of(case), run, contract, facts)

    return judge


DELIVERY_JUDGEMENT = Property[Case, RouterRun, RouterContract](
    clause=DELIVERY,
    cases=lambda facts: router_cases(),
    explicit=lambda facts: [mixed_fleet(), big_fleet(3 * QUERY_PAGE + 1)],
    step=_step,
    judge=_judged(require_routed),
)
PRUNING_JUDGEMENT = Property[Case, RouterRun, RouterContract](
    clause=PRUNING,
    cases=lambda facts: router_cases(answers=[(GONE,)], at_least_one=True),
    explicit=lambda facts: [scripted_fleet([(GONE,), (GONE,)])],
    step=_step,
    judge=_judged(require_routed),
    examples=lambda examples: max(10, examples // 3),
)
POST_FAILURES_JUDGEMENT = Property[Case, RouterRun, RouterContract](
    clause=POST_FAILURES,
    cases=lambda facts: router_cases(answers=[*FAILING, *TRANSIENT], at_least_one=True, environment=TWO_ATTEMPTS),
    explicit=lambda facts: [scripted_fleet([*FAILING, *TRANSIENT], **TWO_ATTEMPTS)],
    step=_step,
    judge=_judged(require_routed),
    examples=lambda examples: max(10, examples // 4),
)
PRUNE_FAILURE_JUDGEMENT = Property[Case, RouterRun, RouterContract](
    clause=PRUNE_FAILURE,
    cases=lambda facts: router_cases(answers=[(GONE,)], at_least_one=True, failure=DELETE_FAILS),
    explicit=lambda facts: [scripted_fleet([(GONE,)], DELETE_FAILS)],
    step=_step,
    judge=_judged(require_routed),
    examples=lambda examples: max(5, examples // 5),
)
CLOCK_EDGES_JUDGEMENT = Property[Case, RouterRun, RouterContract](
    clause=CLOCK_EDGES,
    cases=lambda facts: edge_cases(),
    explicit=lambda facts: edge_examples(),
    step=_step,
    judge=_judged(require_routed),
    examples=lambda examples: max(10, examples // 3),
)
INVALID_EVENTS_JUDGEMENT = Property[Case, RouterRun, RouterContract](
    clause=INVALID_EVENTS,
    cases=lambda facts: invalid_cases(),
    explicit=lambda facts: invalid_examples(),
    step=_step,
    judge=_judged(require_refused_event),
    examples=lambda examples: max(10, examples // 4),
)
AWS_CALLS_JUDGEMENT = Property[Case, RouterRun, RouterContract](
    clause=AWS_CALLS,
    cases=lambda facts: router_cases(answers=[(GONE,)], at_least_one=True),
    step=_step,
    judge=_judged(require_calls),
    examples=lambda examples: max(5, examples // 5),
)

JUDGEMENTS = (
    DELIVERY_JUDGEMENT,
    PRUNING_JUDGEMENT,
    POST_FAILURES_JUDGEMENT,
    PRUNE_FAILURE_JUDGEMENT,
    CLOCK_EDGES_JUDGEMENT,
    INVALID_EVENTS_JUDGEMENT,
    AWS_CALLS_JUDGEMENT,
)
