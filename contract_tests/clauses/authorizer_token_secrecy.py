"""Authorizer clause 4: the token is a bearer credential: no output line of the authorizer holds it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from contract_tests.authorizer_session import AuthorizerSession, everyday_handshake
from contract_tests.clauses.authorizer_checks import late_token, require_token_unlogged
from contract_tests.clauses.base import Clause, ClauseResult, judge_settled_output, run_property
from contract_tests.forgeries import everyday_recipe, forged_recipes, valid_recipes
from contract_tests.strategies import plain_events

if TYPE_CHECKING:
    from contract_tests.contracts.authorizer import AuthorizerContract

Case = dict[str, Any]


def _judge(session: AuthorizerSession, contract: AuthorizerContract) -> Callable[[Case], None]:
    def example(case: Case) -> None:
        require_token_unlogged(session.call(case["token"], case["connect"]))

    return example


def _check(session: AuthorizerSession, contract: AuthorizerContract) -> ClauseResult:
    tokens = st.one_of(valid_recipes(session.kids), forged_recipes(session.kids))
    cases = st.fixed_dictionaries({"token": tokens, "connect": plain_events()})
    connect = everyday_handshake()
    everyday = everyday_recipe(session.kids[0])
    explicit = [
        {"token": everyday, "connect": connect},
        {"token": {**everyday, "kind": "expired beyond the leeway"}, "connect": connect},
    ]
    examples = max(10, session.settings.examples // 2)
    result = run_property(CLAUSE, session, cases, _judge(session, contract), examples=examples, explicit=explicit)
    expected = "the token in no log line"
    return judge_settled_output(result, session.settled_output, late_token, lambda _: explicit[0], expected)


CLAUSE = Clause(
    4,
    "token-secrecy",
    "no output line holds the token or its signature, whether it is allowed or refused",
    _check,
    _judge,
    generates="valid and forged tokens on everyday handshakes",
)
