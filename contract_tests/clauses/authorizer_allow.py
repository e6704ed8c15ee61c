"""Authorizer clause 1: a valid token gets an Allow of exactly the methodArn, for exactly its client.

Valid means: signed HS256 with any key of the ring under its kid, audience connect, exp and nbf
within the 60 s leeway, sub a clientId, accounts 12-digit ids; other claims may be present.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from contract_tests.authorizer_session import AuthorizerSession, everyday_handshake
from contract_tests.clauses.authorizer_checks import require_exact_allow
from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.forgeries import everyday_recipe, valid_recipes
from contract_tests.strategies import plain_events

if TYPE_CHECKING:
    from contract_tests.contracts.authorizer import AuthorizerContract

Case = dict[str, Any]


def _judge(session: AuthorizerSession, contract: AuthorizerContract) -> Callable[[Case], None]:
    def example(case: Case) -> None:
        require_exact_allow(session.call(case["token"], case["connect"]), case["token"])

    return example


def _check(session: AuthorizerSession, contract: AuthorizerContract) -> ClauseResult:
    cases = st.fixed_dictionaries({"token": valid_recipes(session.kids), "connect": plain_events()})
    explicit = [{"token": everyday_recipe(kid), "connect": everyday_handshake()} for kid in session.kids]
    return run_property(CLAUSE, session, cases, _judge(session, contract), explicit=explicit)


CLAUSE = Clause(
    1,
    "allow",
    "a valid token is allowed on exactly the methodArn, with its sub as principal and clientId, its accounts",
    _check,
    _judge,
    generates=(
        "tokens of any ring key, clientIds and 1-5 accounts, exp from 45 s past to 30 days ahead, nbf up to"
        " 45 s ahead or none, with or without typ and extra claims, on everyday handshakes"
    ),
)
