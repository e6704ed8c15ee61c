"""The authorizer contract's token recipes as hypothesis strategies: valid tokens across the space the
contract allows, and each forgery class varied (the recipes and forging themselves: ``forgeries``).

The parts are built once: a strategy made anew at every draw (a ``.map`` is never cached) is validated
anew, which cost more than the calls of a thousand forgeries.
"""

from __future__ import annotations

import functools

from hypothesis import strategies as st

from contract_tests.forgeries import FORGERIES, LEEWAY_S, MARGIN_S, VALID, Recipe
from contract_tests.strategies import account_ids, client_ids

_SKEWED = LEEWAY_S - MARGIN_S
_SUBS = client_ids()
_ACCOUNTS = st.lists(account_ids(), min_size=1, max_size=5, unique=True)
_EXP_IN = st.one_of(st.integers(-_SKEWED, 0), st.integers(1, 30 * 86_400))
_NBF_IN = st.one_of(st.none(), st.integers(-86_400, _SKEWED))
_IAT_AGO = st.integers(0, 86_400)
_EXTRA = st.sampled_from([{}, {"jti": "c0ffee"}, {"scope": "connect"}, {"iss": "https://id.example.com"}])
_KINDS = st.sampled_from(sorted(FORGERIES))
_BITS = st.integers(0, 2**16)


@functools.cache
def valid_recipes(kids: tuple[str, ...]) -> st.SearchStrategy[Recipe]:
    """Valid tokens across the space the contract allows: any ring key, skew within the leeway, nbf or not."""
    chosen_kid = st.sampled_from(kids)

    @st.composite
    def recipes(draw: st.DrawFn) -> Recipe:
        return {
            "kind": VALID,
            "sub": draw(_SUBS),
            "accounts": draw(_ACCOUNTS),
            "kid": draw(chosen_kid),
            "exp_in": draw(_EXP_IN),
            "nbf_in": draw(_NBF_IN),
            "iat_ago": draw(_IAT_AGO),
            "typ": draw(st.booleans()),
            "extra": draw(_EXTRA),
            "bit": 0,
        }

    return recipes()


@functools.cache
def forged_recipes(kids: tuple[str, ...]) -> st.SearchStrategy[Recipe]:
    """A valid recipe turned into one forgery class, varied by ``bit`` (which bit, how far, which spelling)."""
    valid = valid_recipes(kids)

    @st.composite
    def recipes(draw: st.DrawFn) -> Recipe:
        recipe = dict(draw(valid))
        recipe["kind"] = draw(_KINDS)
        recipe["bit"] = draw(_BITS)
        return recipe

    return recipes()
