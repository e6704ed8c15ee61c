"""Authorizer clause 2: no forged token is ever allowed, at least 1,000 tried in a default run, and each
is refused the way API Gateway tells a client so (401 or 403), not with its 500."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from contract_tests.authorizer_session import AuthorizerSession, everyday_handshake
from contract_tests.clauses.authorizer_checks import require_401_or_403, require_not_allowed
from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.forgeries import FORGERIES, REFUSED_BY_THE_GATEWAY, forged_recipes, one_of_each_forgery
from contract_tests.strategies import plain_events

if TYPE_CHECKING:
    from contract_tests.contracts.authorizer import AuthorizerContract

Case = dict[str, Any]
#: Forgeries per property example: a run of 100 examples tries 1,000 (a call costs a few milliseconds).
PER_EXAMPLE = 10


def _judge(session: AuthorizerSession, contract: AuthorizerContract) -> Callable[[Case], None]:
    def example(case: Case) -> None:
        recipe = case["token"]
        call = session.call(recipe, case["connect"])
        require_not_allowed(call, recipe)
        if recipe["kind"] not in REFUSED_BY_THE_GATEWAY:
            require_401_or_403(call, recipe)

    return example


def _check(session: AuthorizerSession, contract: AuthorizerContract) -> ClauseResult:
    tried: Counter[str] = Counter()
    judge = _judge(session, contract)

    def example(case: Case) -> None:
        tried[case["token"]["kind"]] += 1
        judge(case)

    cases = st.fixed_dictionaries({"token": forged_recipes(session.kids), "connect": plain_events()})
    connect = everyday_handshake()
    explicit = [{"token": recipe, "connect": connect} for recipe in one_of_each_forgery(session.kids)]
    examples = session.settings.examples * PER_EXAMPLE
    result = run_property(CLAUSE, session, cases, example, examples=examples, explicit=explicit)
    if not result.message:
        result.message = f"{sum(tried.values())} forgeries of {len(tried)} of {len(FORGERIES)} classes, none allowed"
    return result


CLAUSE = Clause(
    2,
    "forgeries",
    "no forged token is allowed: refused with an 'Unauthorized' error (401) or a Deny (403), never an Allow",
    _check,
    _judge,
    generates=(
        "10 forgeries per example of "
        + str(len(FORGERIES))
        + " classes: expired or not yet valid beyond the leeway, other or missing audience, kid unknown or"
        " missing, a key outside the ring or another ring key, alg none/None/NONE, HS512, HS384, RS256 over"
        " an HMAC, another sub, widened accounts or a later exp under the old signature, flipped signature,"
        " payload or header bits, another token's signature, truncated, re-encoded, joined, empty or missing"
        " tokens, claims breaking the claims schema"
    ),
)
