"""Authorizer clause 4: the token is a bearer credential: no output line of the authorizer holds it."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.authorizer_checks import late_token, require_token_unlogged
from contract_tests.clauses.judgement import LateOutput, Property
from contract_tests.contracts.authorizer import AUTHORIZER_CLAUSES, AuthorizerContract
from contract_tests.forgeries import everyday_recipe
from contract_tests.observation import AuthorizerCall
from contract_tests.steps import Call, Facts
from contract_tests.strategies import everyday_handshake, plain_events
from contract_tests.token_strategies import forged_recipes, valid_recipes

Case = dict[str, Any]


def judge(case: Case, call: AuthorizerCall, contract: AuthorizerContract, facts: Facts) -> None:
    require_token_unlogged(call)


def explicit(facts: Facts) -> list[Case]:
    connect = everyday_handshake()
    everyday = everyday_recipe(facts.kids[0])
    return [
        {"token": everyday, "connect": connect},
        {"token": {**everyday, "kind": "expired beyond the leeway"}, "connect": connect},
    ]


JUDGEMENT = Property[Case, AuthorizerCall, AuthorizerContract](
    clause=AUTHORIZER_CLAUSES[3],
    cases=lambda facts: st.fixed_dictionaries(
        {"token": st.one_of(valid_recipes(facts.kids), forged_recipes(facts.kids)), "connect": plain_events()}
    ),
    explicit=explicit,
    step=lambda case: Call(case["token"], case["connect"]),
    judge=judge,
    examples=lambda examples: max(10, examples // 2),
    late=LateOutput(
        lambda tokens, lines, contract: late_token(tokens, lines),
        lambda tokens, facts: explicit(facts)[0],
        "the token in no log line",
    ),
)
