"""Authorizer clause 1: a valid token gets an Allow of exactly the methodArn, for exactly its client.

Valid means: signed HS256 with any key of the ring under its kid, audience connect, exp and nbf
within the 60 s leeway, sub a clientId, accounts 12-digit ids; other claims may be present.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.authorizer_checks import require_exact_allow
from contract_tests.clauses.judgement import Property
from contract_tests.contracts.authorizer import AUTHORIZER_CLAUSES, AuthorizerContract
from contract_tests.forgeries import everyday_recipe
from contract_tests.observation import AuthorizerCall
from contract_tests.steps import Call, Facts
from contract_tests.strategies import everyday_handshake, plain_events
from contract_tests.token_strategies import valid_recipes

Case = dict[str, Any]


def judge(case: Case, call: AuthorizerCall, contract: AuthorizerContract, facts: Facts) -> None:
    require_exact_allow(call, case["token"])


JUDGEMENT = Property[Case, AuthorizerCall, AuthorizerContract](
    clause=AUTHORIZER_CLAUSES[0],
    cases=lambda facts: st.fixed_dictionaries({"token": valid_recipes(facts.kids), "connect": plain_events()}),
    explicit=lambda facts: [{"token": everyday_recipe(kid), "connect": everyday_handshake()} for kid in facts.kids],
    step=lambda case: Call(case["token"], case["connect"]),
    judge=judge,
)
