"""Authorizer clause 2: no forged token is ever allowed, at least 1,000 tried in a default run, and each
is refused the way API Gateway tells a client so (401 or 403), not with its 500."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.authorizer_checks import require_401_or_403, require_not_allowed
from contract_tests.clauses.judgement import Property
from contract_tests.contracts.authorizer import AUTHORIZER_CLAUSES, AuthorizerContract
from contract_tests.forgeries import FORGERIES, REFUSED_BY_THE_GATEWAY, one_of_each_forgery
from contract_tests.observation import AuthorizerCall
from contract_tests.steps import Call, Facts
from contract_tests.strategies import everyday_handshake, plain_events
from contract_tests.token_strategies import forged_recipes

Case = dict[str, Any]
#: Forgeries per property example: a run of 100 examples tries 1,000 (a call costs a few milliseconds).
PER_EXAMPLE = 10


def judge(case: Case, call: AuthorizerCall, contract: AuthorizerContract, facts: Facts) -> None:
    recipe = case["token"]
    require_not_allowed(call, recipe)
    if recipe["kind"] not in REFUSED_BY_THE_GATEWAY:
        require_401_or_403(call, recipe)


def passed(cases: Sequence[Case], facts: Facts) -> str:
    tried = Counter(case["token"]["kind"] for case in cases)
    return f"{sum(tried.values())} forgeries of {len(tried)} of {len(FORGERIES)} classes, none allowed"


JUDGEMENT = Property[Case, AuthorizerCall, AuthorizerContract](
    clause=AUTHORIZER_CLAUSES[1],
    cases=lambda facts: st.fixed_dictionaries({"token": forged_recipes(facts.kids), "connect": plain_events()}),
    explicit=lambda facts: [
        {"token": recipe, "connect": everyday_handshake()} for recipe in one_of_each_forgery(facts.kids)
    ],
    step=lambda case: Call(case["token"], case["connect"]),
    judge=judge,
    examples=lambda examples: examples * PER_EXAMPLE,
    passed=passed,
)
