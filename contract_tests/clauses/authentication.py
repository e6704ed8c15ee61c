"""Clause 13 (v4): a connect with no authenticated client on it is refused, and nothing is stored.

On a v4 route API Gateway runs the authorizer first, so such a connect means the route lost its
authorizer (or got another kind): the handler is the last line, and must not fall back to the query.
With ``--authorizer`` the route is checked end to end as well: handshakes presenting forged tokens (the
authorizer contract's classes) go through the authorizer in front, and one that reaches `$connect`
is a violation named by its forgery class.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.authenticated_events import unauthenticated_cases, unauthenticated_events
from contract_tests.clauses.checks import require_nothing_written, require_refused
from contract_tests.clauses.judgement import Property, Violation
from contract_tests.contracts import Contract
from contract_tests.contracts.v4 import AUTHENTICATION
from contract_tests.forgeries import REFUSED_BY_THE_GATEWAY, one_of_each_forgery
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send
from contract_tests.strategies import everyday_handshake, plain_events
from contract_tests.token_strategies import forged_recipes

#: (what the connect carries, the event) sent past the authorizer; or, end to end, also the recipe of
#: the forged token the client presents to the authorizer in front.
Case = tuple[Any, ...]


def _forged(recipe: dict[str, Any], event: dict[str, Any]) -> Case:
    return f"a forged token ({recipe['kind']})", event, recipe


def _end_to_end(recipe: dict[str, Any]) -> bool:
    """API Gateway itself refuses a handshake without the identity source: the authorizer never sees one."""
    return recipe["kind"] not in REFUSED_BY_THE_GATEWAY


def cases(facts: Facts) -> st.SearchStrategy[Case]:
    if not facts.kids:
        return unauthenticated_events()
    forged = st.builds(_forged, forged_recipes(facts.kids).filter(_end_to_end), plain_events())
    return st.one_of(unauthenticated_events(), forged)


def explicit(facts: Facts) -> list[Case]:
    if not facts.kids:
        return list(unauthenticated_cases())
    recipes = [recipe for recipe in one_of_each_forgery(facts.kids) if _end_to_end(recipe)]
    return [*unauthenticated_cases(), *(_forged(recipe, everyday_handshake()) for recipe in recipes)]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    if len(case) == 3:
        if observation.authorizer_answer is None:
            raise Violation(
                f"{case[0]} got through the authorizer in front to the $connect handler, end to end",
                "the authorizer refuses the handshake (401 or 403) and $connect never runs",
                observation.actual(),
            )
        return
    why = f"the connect carries {case[0]}, so no client is authenticated"
    require_refused(observation, contract, why)
    require_nothing_written(observation, why)


def step(case: Case) -> Send:
    if len(case) == 3:
        return Send(case[1], token=case[2])
    return Send(case[1], bypass_gateway=True)


JUDGEMENT = Property[Case, Observation, Contract](
    clause=AUTHENTICATION,
    cases=cases,
    explicit=explicit,
    step=step,
    judge=judge,
    refusal_control=True,
)
