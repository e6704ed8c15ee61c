"""Contract v4 = v3 + authenticated connects: the REQUEST authorizer's client is stored, nobody else's."""

from __future__ import annotations

from contract_tests.contracts.clause import Clause
from contract_tests.contracts.v3 import V3
from contract_tests.gateway import SynthesizedAuthorizer
from contract_tests.oracle import AuthenticatingOracle

AUTHENTICATION = Clause(
    13,
    "authentication",
    "a connect without the authorizer's clientId is refused, nothing stored",
    "everyday connects sent past the authorizer: no requestContext.authorizer, one without clientId,"
    " one whose clientId is empty; with --authorizer, handshakes presenting a forged token of every class of"
    " the authorizer contract, through it",
)
IDENTITY = Clause(
    14,
    "identity",
    "the authorizer's clientId is stored; a query clientId or account not the client's is refused with 403",
    "an authenticated client with 1-4 accounts, and a query with no, its own, another, an extended or"
    " a case-changed clientId, and no, one of its, or another account",
)
TOKEN_SECRECY = Clause(
    15,
    "token-secrecy",
    "the token parameter is never stored and never logged, on stored and on refused connects",
    "connects carrying a signed token, accepted or refused with 403 for another clientId or account",
)

V4 = V3.derive(
    "v4",
    "v3 + authenticated connects: the authorizer's clientId is stored; another client's clientId or account"
    " is refused with 403; the token is never stored or logged",
    schemas={"event": "v4/connect-event", "item": "v4/item"},
    oracle=AuthenticatingOracle("v3/item"),
    add=(AUTHENTICATION, IDENTITY, TOKEN_SECRECY),
    gateway=SynthesizedAuthorizer(),
    decisions=(
        "Every connect is judged as the v4 route delivers it: with a token query parameter and the"
        " authorizer's context (clientId, comma-joined accounts, principalId) on requestContext.authorizer;"
        " without --authorizer the gate writes that context for the client the query speaks for.",
        "A connect without the authorizer's clientId is refused (any refusal) and nothing is stored.",
        "The stored clientId is the authorizer's, also when the query has none; a non-empty query clientId"
        " that differs from it, in any way (case included), or a non-empty account outside its accounts, is"
        " refused with statusCode 403 and nothing is stored.",
        "A value that is both invalid (v3) and not the client's may be refused with 400 or 403.",
        "The token parameter is in no stored attribute and no log line, its signature included.",
    ),
)
