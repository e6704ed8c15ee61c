"""The authorizer contract: what the REQUEST authorizer in front of a v4 `$connect` route must answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from contract_tests.contracts.base import ContractBase
from contract_tests.contracts.clause import Clause
from contract_tests.forgeries import FORGERIES

#: The authorizer's key ring: a JSON object {kid: secret}.
RING_VARIABLE = "CONNECT_JWT_KEYS"


@dataclass(frozen=True, kw_only=True)
class AuthorizerContract(ContractBase):
    """A contract for the authorizer function: no table, no oracle; the gate plays API Gateway and the issuer."""

    kind: ClassVar[str] = "authorizer"
    function: ClassVar[str] = "REQUEST authorizer"
    #: The `$connect` contract whose route this authorizer guards.
    guards: str

    @property
    def lineage(self) -> str:
        return f"the {self.function} of {self.guards}"


AUTHORIZER_CLAUSES = (
    Clause(
        1,
        "allow",
        "a valid token is allowed on exactly the methodArn, with its sub as principal and clientId, its accounts",
        "tokens of any ring key, clientIds and 1-5 accounts, exp from 45 s past to 30 days ahead, nbf up to"
        " 45 s ahead or none, with or without typ and extra claims, on everyday handshakes",
        binds="authorizer",
    ),
    Clause(
        2,
        "forgeries",
        "no forged token is allowed: refused with an 'Unauthorized' error (401) or a Deny (403), never an Allow",
        f"10 forgeries per example of {len(FORGERIES)} classes: expired or not yet valid beyond the leeway,"
        " other or missing audience, kid unknown or missing, a key outside the ring or another ring key, alg"
        " none/None/NONE, HS512, HS384, RS256 over an HMAC, another sub, widened accounts or a later exp under"
        " the old signature, flipped signature, payload or header bits, another token's signature, truncated,"
        " re-encoded, joined, empty or missing tokens, claims breaking the claims schema",
        binds="authorizer",
    ),
    Clause(
        3,
        "key-ring",
        "a missing or malformed CONNECT_JWT_KEYS allows nobody (no default key, no empty key)",
        "the ring unset, empty, not JSON, a list, an empty or non-string key, no keys; tokens signed with"
        " an empty key, common default secrets, and a real ring key",
        binds="authorizer",
    ),
    Clause(
        4,
        "token-secrecy",
        "no output line holds the token or its signature, whether it is allowed or refused",
        "valid and forged tokens on everyday handshakes",
        binds="authorizer",
    ),
)

AUTHORIZER = AuthorizerContract(
    name="authorizer",
    summary="valid tokens allowed on exactly the methodArn, forgeries never",
    schemas={
        "event": "v4/authorizer-event",
        "response": "v4/authorizer-response",
        "refusal": "v4/authorizer-refusal",
        "claims": "v4/token-claims",
    },
    clauses=AUTHORIZER_CLAUSES,
    guards="v4",
    decisions=(
        "A token is a JWT signed HS256 with the key of CONNECT_JWT_KEYS (a JSON object {kid: secret}) its"
        " header's kid names; a token without kid, or naming no key of the ring, is refused.",
        "Claims as v4/token-claims: sub a clientId, accounts a non-empty list of 12-digit ids, aud exactly"
        ' "connect", exp required; exp and nbf hold with 60 s of leeway; other claims are ignored.',
        "Allowed: principalId = sub, one or more statements allowing execute-api:Invoke on exactly the"
        " event's methodArn and naming no other resource, context clientId = sub and accounts = the token's"
        " accounts comma-joined (in any order).",
        'Refused: a function error whose errorMessage is exactly "Unauthorized" (API Gateway answers 401)'
        " or a readable policy allowing nothing on the methodArn, as v4/authorizer-refusal (403). Any other"
        " error, a time-out or an unreadable answer is API Gateway's 500: the client hears that the server"
        " failed, not that its token was refused, so a forgery refused that way breaks forgeries.",
        "A missing or empty token never reaches the authorizer (API Gateway answers 401 itself); such forgeries"
        " are still never to be allowed, but how they are refused is not judged. A missing or malformed key"
        " ring may refuse in any way (a misconfigured function is a server error), never with an Allow.",
        "A forgery is a token its holder could not have been issued; the issued token with padding added"
        " to its signature decodes to the same bytes and is not one.",
        "No output line holds the token or its signature.",
    ),
)
