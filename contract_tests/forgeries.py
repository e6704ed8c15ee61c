"""Connect tokens for the authorizer contract: valid ones, and forgeries of every class the contract names.

An example is a recipe (JSON, so a failure case keeps it): the claims with times relative to the
call, the key id, the forgery class and one number that varies it. The token is minted from it at
call time with the check's key ring, so neither generation nor a replay days later moves it across
an expiry; the ring never appears in an example.

A forgery is a token its holder could not have been issued: one whose signed segments, key,
algorithm or claims differ from an issued token's. The issued token with padding added to its
signature decodes to the same bytes, so it is not among them: an authorizer may take it or not.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

from contract_tests.tokens import ALGORITHM, AUDIENCE, b64url, signed

#: Clock skew the contract tolerates on exp and nbf.
LEEWAY_S = 60
#: Generated times stay this far from the leeway's edge: the call comes a little after the minting.
MARGIN_S = 15
VALID = "valid"

Recipe = dict[str, Any]
Ring = dict[str, str]


def _claims(recipe: Recipe, now: int) -> dict[str, object]:
    claims: dict[str, object] = {
        "sub": recipe["sub"],
        "accounts": list(recipe["accounts"]),
        "aud": AUDIENCE,
        "exp": now + recipe["exp_in"],
        "iat": min(now - recipe["iat_ago"], now + recipe["exp_in"] - 1),
    }
    if recipe.get("nbf_in") is not None:
        claims["nbf"] = now + recipe["nbf_in"]
    claims.update(recipe.get("extra", {}))
    return claims


def _header(recipe: Recipe, **changes: object) -> dict[str, object]:
    header: dict[str, object] = {"alg": ALGORITHM, "kid": recipe["kid"]}
    if recipe.get("typ", True):
        header["typ"] = "JWT"
    header.update(changes)
    return {name: value for name, value in header.items() if value is not None}


#: A claim value meaning "leave this claim out".
_DROP = object()


def _sign(recipe: Recipe, ring: Ring, now: int, *, header: dict[str, object] | None = None, **claims: object) -> str:
    payload = {**_claims(recipe, now), **claims}
    payload = {name: value for name, value in payload.items() if value is not _DROP}
    return signed(header or _header(recipe), payload, ring[recipe["kid"]])


def _segments(token: str) -> list[str]:
    return token.split(".")


def _decoded(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _flip(segment: str, bit: int) -> str:
    """The segment with one bit of its decoded bytes flipped, re-encoded canonically (so the bytes differ)."""
    data = bytearray(_decoded(segment))
    data[(bit // 8) % len(data)] ^= 1 << (bit % 8)
    return b64url(bytes(data))


def _replace(token: str, index: int, segment: str) -> str:
    parts = _segments(token)
    parts[index] = segment
    return ".".join(parts)


def _payload(claims: dict[str, object]) -> str:
    return b64url(json.dumps(claims).encode())


def _foreign_key(recipe: Recipe) -> str:
    return hashlib.sha256(f"not a key of the ring {recipe['bit']}".encode()).hexdigest()


def _another_ring_key(recipe: Recipe, ring: Ring) -> str:
    others = sorted(secret for kid, secret in ring.items() if kid != recipe["kid"])
    return others[recipe["bit"] % len(others)] if others else _foreign_key(recipe)


def _valid(recipe: Recipe, ring: Ring, now: int) -> str:
    return _sign(recipe, ring, now)


def _old_signature(recipe: Recipe, ring: Ring, now: int, **changes: object) -> str:
    """A valid token whose payload is then changed, its signature kept."""
    token = _valid(recipe, ring, now)
    return _replace(token, 1, _payload({**_claims(recipe, now), **changes}))


def _padded_header(recipe: Recipe, ring: Ring, now: int) -> str:
    token = _valid(recipe, ring, now)
    header = base64.b64encode(_decoded(_segments(token)[0])).decode()
    return _replace(token, 0, header if header.endswith("=") else header + "==")


def _alg_none(spelling: str) -> Callable[[Recipe, Ring, int], str]:
    def forge(recipe: Recipe, ring: Ring, now: int) -> str:
        token = _sign(recipe, ring, now, header=_header(recipe, alg=spelling))
        return token.rsplit(".", 1)[0] + "."

    return forge


def _hmac_as(alg: str, digest: str) -> Callable[[Recipe, Ring, int], str]:
    def forge(recipe: Recipe, ring: Ring, now: int) -> str:
        payload = _claims(recipe, now)
        return signed(_header(recipe, alg=alg), payload, ring[recipe["kid"]], digest)

    return forge


def _truncated(recipe: Recipe, ring: Ring, now: int) -> str:
    token = _valid(recipe, ring, now)
    half = len(token) // 2
    return token[: half + recipe["bit"] % (len(token) - half)]


#: Every forgery class: a recipe, the ring and the call's clock in, the token (or None: no token) out.
FORGERIES: dict[str, Callable[[Recipe, Ring, int], str | None]] = {
    "expired beyond the leeway": lambda r, k, n: _sign(r, k, n, exp=n - LEEWAY_S - MARGIN_S - r["bit"] % 864_000),
    "not yet valid beyond the leeway": lambda r, k, n: _sign(r, k, n, nbf=n + LEEWAY_S + MARGIN_S + r["bit"] % 86_400),
    "another audience": lambda r, k, n: _sign(r, k, n, aud="dashboard"),
    "the audience in other case": lambda r, k, n: _sign(r, k, n, aud="Connect"),
    "an audience list without connect": lambda r, k, n: _sign(r, k, n, aud=["dashboard"]),
    "no audience": lambda r, k, n: _sign(r, k, n, aud=_DROP),
    "no exp": lambda r, k, n: _sign(r, k, n, exp=_DROP),
    "no sub": lambda r, k, n: _sign(r, k, n, sub=_DROP),
    "a sub that is not a clientId": lambda r, k, n: _sign(
        r, k, n, sub=("agent 7", "", "-agent", "x" * 129)[r["bit"] % 4]
    ),
    "accounts not 12 digits": lambda r, k, n: _sign(r, k, n, accounts=["12345678901"]),
    "accounts empty": lambda r, k, n: _sign(r, k, n, accounts=[]),
    "accounts a string": lambda r, k, n: _sign(r, k, n, accounts=",".join(r["accounts"])),
    "accounts holding a number": lambda r, k, n: _sign(r, k, n, accounts=[int(r["accounts"][0])]),
    "an unknown kid over a ring key's signature": lambda r, k, n: signed(
        _header(r, kid=f"{r['kid']}-old"), _claims(r, n), k[r["kid"]]
    ),
    "an unknown kid over an empty key's signature": lambda r, k, n: signed(
        _header(r, kid=f"{r['kid']}-old"), _claims(r, n), ""
    ),
    "no kid over a ring key's signature": lambda r, k, n: signed(_header(r, kid=None), _claims(r, n), k[r["kid"]]),
    "a key outside the ring under this kid": lambda r, k, n: signed(_header(r), _claims(r, n), _foreign_key(r)),
    "another ring key under this kid": lambda r, k, n: signed(_header(r), _claims(r, n), _another_ring_key(r, k)),
    "alg none": _alg_none("none"),
    "alg None": _alg_none("None"),
    "alg NONE": _alg_none("NONE"),
    "alg none over the real signature": lambda r, k, n: _replace(
        _valid(r, k, n), 0, b64url(json.dumps(_header(r, alg="none")).encode())
    ),
    "alg HS512 with the ring key": _hmac_as("HS512", "sha512"),
    "alg HS384 with the ring key": _hmac_as("HS384", "sha384"),
    "alg RS256 over an HMAC with the ring key": _hmac_as("RS256", "sha256"),
    "another sub under the old signature": lambda r, k, n: _old_signature(r, k, n, sub=f"{r['sub']}x"),
    "widened accounts under the old signature": lambda r, k, n: _old_signature(
        r, k, n, accounts=[*r["accounts"], f"{(int(r['accounts'][0]) + 1) % 10**12:012d}"]
    ),
    "a later exp under the old signature": lambda r, k, n: _old_signature(r, k, n, exp=n + 10 * 365 * 86_400),
    "a flipped signature bit": lambda r, k, n: _replace(
        _valid(r, k, n), 2, _flip(_segments(_valid(r, k, n))[2], r["bit"])
    ),
    "a flipped payload bit": lambda r, k, n: _replace(
        _valid(r, k, n), 1, _flip(_segments(_valid(r, k, n))[1], r["bit"])
    ),
    "a flipped header bit": lambda r, k, n: _replace(
        _valid(r, k, n), 0, _flip(_segments(_valid(r, k, n))[0], r["bit"])
    ),
    "the signature of another token": lambda r, k, n: _replace(
        _valid(r, k, n), 2, _segments(_sign(r, k, n, jti=f"other-{r['bit']}"))[2]
    ),
    "truncated": _truncated,
    "header re-encoded as padded standard base64": _padded_header,
    "payload re-encoded with other whitespace": lambda r, k, n: _replace(
        _valid(r, k, n), 1, b64url(json.dumps(_claims(r, n), indent=1).encode())
    ),
    "two tokens joined": lambda r, k, n: _valid(r, k, n) + "." + _valid(r, k, n),
    "empty": lambda r, k, n: "",
    "missing": lambda r, k, n: None,
}

#: Forgeries API Gateway refuses itself (401: the identity source is missing or empty) without calling
#: the authorizer; that the authorizer allows them neither is still checked, how it refuses them is not.
REFUSED_BY_THE_GATEWAY = frozenset({"empty", "missing"})


def token_for(recipe: Recipe, ring: Ring, now: int) -> str | None:
    """The token a recipe names, minted now with ``ring``; None when the recipe sends no token at all."""
    kind = recipe["kind"]
    if "secret" in recipe:  # signed with a key of the recipe's own, whatever the function's ring
        ring = {recipe["kid"]: recipe["secret"]}
    return _valid(recipe, ring, now) if kind == VALID else FORGERIES[kind](recipe, ring, now)


def everyday_recipe(kid: str) -> Recipe:
    """A valid token of agent-7 for two accounts, ten minutes to run."""
    return {
        "kind": VALID,
        "sub": "agent-7",
        "accounts": ["123456789012", "000000000042"],
        "kid": kid,
        "exp_in": 600,
        "nbf_in": None,
        "iat_ago": 0,
        "typ": True,
        "extra": {},
        "bit": 1,
    }


def one_of_each_forgery(kids: tuple[str, ...]) -> list[Recipe]:
    """Every forgery class once, on the everyday token: the explicit examples every run starts with."""
    return [{**everyday_recipe(kids[0]), "kind": kind} for kind in FORGERIES]
