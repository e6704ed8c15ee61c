"""The authorizer contract's token recipes as hypothesis strategies: valid tokens across the space the
contract allows, and each forgery class varied (the recipes and forging themselves: ``forgeries``)."""

from __future__ import annotations

from hypothesis import strategies as st

from contract_tests.forgeries import FORGERIES, LEEWAY_S, MARGIN_S, VALID, Recipe
from contract_tests.strategies import account_ids, client_ids


@st.composite
def valid_recipes(draw: st.DrawFn, kids: tuple[str, ...]) -> Recipe:
    """Valid tokens across the space the contract allows: any ring key, skew within the leeway, nbf or not."""
    skewed = LEEWAY_S - MARGIN_S
    return {
        "kind": VALID,
        "sub": draw(client_ids()),
        "accounts": draw(st.lists(account_ids(), min_size=1, max_size=5, unique=True)),
        "kid": draw(st.sampled_from(kids)),
        "exp_in": draw(st.one_of(st.integers(-skewed, 0), st.integers(1, 30 * 86_400))),
        "nbf_in": draw(st.one_of(st.none(), st.integers(-86_400, skewed))),
        "iat_ago": draw(st.integers(0, 86_400)),
        "typ": draw(st.booleans()),
        "extra": draw(
            st.sampled_from([{}, {"jti": "c0ffee"}, {"scope": "connect"}, {"iss": "https://id.example.com"}])
        ),
        "bit": 0,
    }


@st.composite
def forged_recipes(draw: st.DrawFn, kids: tuple[str, ...]) -> Recipe:
    """A valid recipe turned into one forgery class, varied by ``bit`` (which bit, how far, which spelling)."""
    recipe = draw(valid_recipes(kids))
    recipe["kind"] = draw(st.sampled_from(sorted(FORGERIES)))
    recipe["bit"] = draw(st.integers(0, 2**16))
    return recipe
