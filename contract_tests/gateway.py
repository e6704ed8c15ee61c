"""API Gateway's part before a `$connect` of contract v4: the REQUEST authorizer's context on the event.

Every connect of a v4 route went through the authorizer, so the gate delivers each generated event
as API Gateway would: with a ``token`` query parameter and ``requestContext.authorizer`` holding the
client the token vouches for. Without ``--authorizer`` that context is synthesized from the event
(a pure function, so the oracle derives the same); with it, the authorizer under check answers it.
An event that already carries an identity (``clientId`` and ``accounts`` strings) keeps it: the
clauses that judge identity checks write the identity and the query apart on purpose.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from contract_tests.contract_schemas import errors
from contract_tests.errors import HarnessError
from contract_tests.tokens import AUDIENCE, signed

#: The query parameter the token travels in (identity source ``route.request.querystring.token``).
TOKEN_PARAMETER = "token"
#: The account of the API in every methodArn the gate builds.
API_ACCOUNT = "123456789012"
_SYNTHESIZED_KEY = "the gate's synthesized tokens are signed by no key of any ring"


@dataclass(frozen=True)
class Identity:
    """The client an authorizer vouched for: its clientId and the accounts it may watch."""

    client_id: str
    accounts: tuple[str, ...]

    def context(self) -> dict[str, str]:
        """The authorizer's context as API Gateway passes it: scalars only, so the accounts comma-joined."""
        return {"clientId": self.client_id, "accounts": ",".join(self.accounts)}


def _valid(rule: str, value: object) -> bool:
    return isinstance(value, str) and not errors("v3/item", value, rule)


def _digest(event: dict[str, Any]) -> str:
    connection_id = str(event["requestContext"].get("connectionId"))
    return hashlib.sha256(connection_id.encode()).hexdigest()


def stated_identity(event: Any) -> Identity | None:
    """The identity already on the event's ``requestContext.authorizer``, when it holds one."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    authorizer = context.get("authorizer") if isinstance(context, dict) else None
    if not isinstance(authorizer, dict):
        return None
    client_id, accounts = authorizer.get("clientId"), authorizer.get("accounts")
    if not isinstance(client_id, str) or not isinstance(accounts, str):
        return None
    return Identity(client_id, tuple(accounts.split(",")))


def identity_for(event: dict[str, Any]) -> Identity:
    """The client a valid token of this connect would name: the one its query speaks for.

    A valid query clientId is the client; otherwise one derived from the connectionId. A valid
    query account is one of two accounts (its place drawn from the same digest), so a handler
    must look through the list, not at its first entry.
    """
    stated = stated_identity(event)
    if stated is not None:
        return stated
    query = event.get("queryStringParameters")
    params = query if isinstance(query, dict) else {}
    digest = _digest(event)
    client_id = params.get("clientId") if _valid("clientId", params.get("clientId")) else f"client-{digest[:10]}"
    other = f"{int(digest[10:30], 16) % 10**12:012d}"
    account = params.get("account")
    if not _valid("account", account) or account == other:
        return Identity(str(client_id), (other,))
    pair = (str(account), other)
    return Identity(str(client_id), pair if int(digest[0], 16) % 2 else pair[::-1])


def synthesized_token(identity: Identity) -> str:
    """A JWT-shaped stand-in for the client's token: the handler must neither store nor log it."""
    payload: dict[str, object] = {"sub": identity.client_id, "accounts": list(identity.accounts), "aud": AUDIENCE}
    return signed({"alg": "HS256", "typ": "JWT", "kid": "gate"}, payload, _SYNTHESIZED_KEY)


def token_of(event: Any) -> str | None:
    params = event.get("queryStringParameters") if isinstance(event, dict) else None
    token = params.get(TOKEN_PARAMETER) if isinstance(params, dict) else None
    return token if isinstance(token, str) and token else None


def with_token(event: dict[str, Any], token: str) -> dict[str, Any]:
    """``event`` with ``token`` as its query's token, in both maps (a map that is not an object is left alone)."""
    event = dict(event)
    single, multi = event.get("queryStringParameters"), event.get("multiValueQueryStringParameters")
    if single is None or isinstance(single, dict):
        event["queryStringParameters"] = {**(single or {}), TOKEN_PARAMETER: token}
        if multi is None or isinstance(multi, dict):
            event["multiValueQueryStringParameters"] = {**(multi or {}), TOKEN_PARAMETER: [token]}
    return event


def with_authorizer(event: dict[str, Any], context: dict[str, Any], principal: str) -> dict[str, Any]:
    """``event`` as API Gateway passes it on after an Allow: the context, its principal, and the latency."""
    authorizer = {**context, "principalId": principal, "integrationLatency": 0}
    return {**event, "requestContext": {**event["requestContext"], "authorizer": authorizer}}


def authenticated(event: Any) -> Any:
    """The event a v4 route delivers to `$connect` when the authorizer allows ``identity_for(event)``.

    An event without a request context object is no handshake API Gateway could have authorized;
    it is delivered unchanged (the malformed-event clause's cases).
    """
    if not isinstance(event, dict) or not isinstance(event.get("requestContext"), dict):
        return event
    identity = identity_for(event)
    event = event if token_of(event) else with_token(event, synthesized_token(identity))
    return with_authorizer(event, identity.context(), identity.client_id)


@dataclass
class Delivery:
    """What API Gateway did with one handshake: the event `$connect` got, or why it never ran."""

    event: Any
    #: The authorizer's refusal (401 or 403), when the handshake ended there.
    refused: str | None = None
    #: The authorizer's own answer, when one ran, for the report.
    authorizer_answer: Any = None


class Gateway(Protocol):
    """How a handshake reaches `$connect`: straight through (v1-v3), or behind the authorizer (v4)."""

    #: Whether an authorizer guards the route, so ``--authorizer`` can put the one under check there.
    guarded: bool

    def deliver(self, event: Any, token: Mapping[str, Any] | None = None) -> Delivery:
        """``event`` through the route; ``token``: the recipe of the token the client presents (a forged
        one), where a real authorizer stands in front (by default a valid token of the event's client)."""


class Direct:
    """A route without an authorizer: the event reaches `$connect` as generated."""

    guarded = False

    def deliver(self, event: Any, token: Mapping[str, Any] | None = None) -> Delivery:
        return Delivery(event)


class SynthesizedAuthorizer:
    """A v4 route whose authorizer is correct by construction: the gate writes its context."""

    guarded = True

    def deliver(self, event: Any, token: Mapping[str, Any] | None = None) -> Delivery:
        if token is not None:
            raise HarnessError("a forged token needs a real authorizer in front (--authorizer)")
        return Delivery(authenticated(event))
