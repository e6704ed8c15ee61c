"""Hypothesis strategies for contract v4's own clauses: who a connect is for, and what it claims to be.

Each yields ``(description, event)``; the event carries the identity it is judged against on
``requestContext.authorizer`` (the gateway keeps a stated identity), or none at all.
"""

from __future__ import annotations

import functools
from typing import Any

from hypothesis import strategies as st

from contract_tests.gateway import Identity, with_authorizer, with_token
from contract_tests.strategies import (
    AWS_REGIONS,
    FIXED_CONTEXT,
    account_ids,
    build_event,
    client_ids,
    plain_events,
    plain_pairs,
    request_contexts,
)
from contract_tests.tokens import AUDIENCE, signed

Event = dict[str, Any]


@functools.cache
@st.composite
def identities(draw: st.DrawFn) -> Identity:
    accounts = draw(st.lists(account_ids(), min_size=1, max_size=4, unique=True))
    return Identity(draw(client_ids()), tuple(accounts))


def authenticated_as(event: Event, identity: Identity) -> Event:
    return with_authorizer(event, identity.context(), identity.client_id)


def _without_authorizer(event: Event) -> Event:
    context = {key: value for key, value in event["requestContext"].items() if key != "authorizer"}
    return {**event, "requestContext": context}


#: Authorizer contexts that name no client: a route without the authorizer, or one of another kind.
NO_CLIENT: dict[str, dict[str, Any] | None] = {
    "no authorizer context": None,
    "an authorizer context without clientId": {"principalId": "user", "integrationLatency": 12},
    "an authorizer context whose clientId is empty": {"principalId": "", "clientId": "", "accounts": "123456789012"},
}


def _unauthenticated(event: Event, kind: str) -> Event:
    event = _without_authorizer(event)
    context = NO_CLIENT[kind]
    if context is not None:
        event = {**event, "requestContext": {**event["requestContext"], "authorizer": context}}
    return event


@functools.cache
@st.composite
def unauthenticated_events(draw: st.DrawFn) -> tuple[str, Event]:
    """Everyday connects a v3 handler stores, but with no authenticated client on them."""
    kind = draw(st.sampled_from(sorted(NO_CLIENT)))
    return kind, _unauthenticated(draw(plain_events()), kind)


def unauthenticated_cases() -> list[tuple[str, Event]]:
    base = build_event(FIXED_CONTEXT, [("clientId", "agent-7"), ("account", "123456789012")])
    return [(kind, _unauthenticated(base, kind)) for kind in NO_CLIENT]


def _other_case(client_id: str) -> str | None:
    swapped = client_id.swapcase()
    return swapped if swapped != client_id else None


@functools.cache
@st.composite
def identity_events(draw: st.DrawFn) -> tuple[str, Event]:
    """An authenticated client, and a query that is its own (half the time) or names another client or account."""
    identity = draw(identities())
    clients: dict[str, str | None] = {"no clientId": None, "the client's clientId": identity.client_id}
    accounts: dict[str, str | None] = {
        "no account": None,
        "one of its accounts": draw(st.sampled_from(identity.accounts)),
    }
    foreign_clients: dict[str, str | None] = {
        "another clientId": draw(client_ids().filter(lambda other: other != identity.client_id)),
        "the clientId extended": identity.client_id + "-2",
        "the clientId in other case": _other_case(identity.client_id),
    }
    foreign_account = draw(account_ids().filter(lambda other: other not in identity.accounts))
    wrong = draw(st.sampled_from(["nothing", "nothing", "clientId", "account"]))
    if wrong == "clientId":
        clients = {kind: value for kind, value in foreign_clients.items() if value}
    elif wrong == "account":
        accounts = {"another account": foreign_account}
    client_kind, account_kind = draw(st.sampled_from(sorted(clients))), draw(st.sampled_from(sorted(accounts)))
    chosen = (("clientId", clients[client_kind]), ("account", accounts[account_kind]))
    pairs = [(name, value) for name, value in chosen if value]
    if draw(st.booleans()):
        pairs.append(("region", draw(st.sampled_from(AWS_REGIONS))))
    event = build_event(draw(request_contexts()), pairs)
    return f"{client_kind}, {account_kind}", authenticated_as(event, identity)


def identity_cases() -> list[tuple[str, Event]]:
    """The named cases on one client with two accounts: the second account must count as much as the first."""
    identity = Identity("agent-7", ("123456789012", "000000000042"))
    queries = {
        "no query: the authenticated client is stored": [],
        "the second of its accounts": [("clientId", "agent-7"), ("account", "000000000042")],
        "another clientId": [("clientId", "agent-8")],
        "the clientId in other case": [("clientId", "Agent-7")],
        "the clientId extended": [("clientId", "agent-7-2")],
        "an account not its own": [("account", "999999999999")],
        "the first of its accounts, no clientId": [("account", "123456789012")],
    }
    return [(kind, authenticated_as(build_event(FIXED_CONTEXT, pairs), identity)) for kind, pairs in queries.items()]


def _token(draw: st.DrawFn, identity: Identity) -> str:
    payload: dict[str, object] = {"sub": identity.client_id, "accounts": list(identity.accounts), "aud": AUDIENCE}
    payload["exp"] = draw(st.integers(1_800_000_000, 1_900_000_000))
    secret = draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=32, max_size=32))
    return signed({"alg": "HS256", "typ": "JWT", "kid": draw(st.sampled_from(["2026-11", "k1"]))}, payload, secret)


def token_cases() -> list[tuple[str, Event]]:
    """One stored and one refused connect of the same client, carrying a token minted as a client's would be."""
    identity = Identity("agent-7", ("123456789012",))
    payload: dict[str, object] = {"sub": "agent-7", "accounts": ["123456789012"], "aud": AUDIENCE, "exp": 1_900_000_000}
    token = signed({"alg": "HS256", "typ": "JWT", "kid": "2026-11"}, payload, "a secret of thirty-two characters")
    queries = {"accepted": [("account", "123456789012")], "refused: another clientId": [("clientId", "agent-8")]}
    return [
        (kind, authenticated_as(with_token(build_event(FIXED_CONTEXT, pairs), token), identity))
        for kind, pairs in queries.items()
    ]


@functools.cache
@st.composite
def token_events(draw: st.DrawFn) -> tuple[str, Event]:
    """Connects carrying a realistic token, stored or refused: neither may keep or print it."""
    identity = draw(identities())
    pairs = [(name, value) for name, value in draw(plain_pairs()) if name == "region"]
    kind = draw(st.sampled_from(["accepted", "refused: another clientId", "refused: another account"]))
    if kind == "refused: another clientId":
        pairs.append(("clientId", draw(client_ids().filter(lambda other: other != identity.client_id))))
    elif kind == "refused: another account":
        pairs.append(("account", draw(account_ids().filter(lambda other: other not in identity.accounts))))
    else:
        pairs.append(("account", draw(st.sampled_from(identity.accounts))))
    event = with_token(build_event(draw(request_contexts()), pairs), _token(draw, identity))
    return kind, authenticated_as(event, identity)
