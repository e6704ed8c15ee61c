"""The contract's oracle: which events carry a usable identity, and what a correct handler stores or refuses.

One class per contract version, each its parent plus its change: v1 stores the parameters verbatim,
v2 adds ``expiresAt`` from ``CONNECTION_TTL_SECONDS``, v3 refuses invalid parameter values, v4
stores the authorizer's client and refuses a connect that is not that client's, v5 adds the routing
attributes and decides what `$disconnect` and a heartbeat do to the table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from contract_tests.contract_schemas import as_json, errors
from contract_tests.gateway import authenticated, identity_for, stated_identity

DEFAULT_CLIENT_ID = "unknown"
OPTIONAL_PARAMETERS = ("account", "region")
PARAMETERS = ("clientId", *OPTIONAL_PARAMETERS)

TypedItem = dict[str, dict[str, str]]


def has_identity(event: Any) -> bool:
    """An object with a ``requestContext`` object whose ``connectionId`` is a non-empty string."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    connection_id = context.get("connectionId") if isinstance(context, dict) else None
    return isinstance(connection_id, str) and connection_id != ""


def query_parameters(event: dict[str, Any]) -> dict[str, Any]:
    """The single-value query map; absent, ``null`` or not an object all carry no parameters."""
    params = event.get("queryStringParameters")
    return params if isinstance(params, dict) else {}


def expected_item(event: dict[str, Any]) -> TypedItem:
    """The v1 item in DynamoDB's typed JSON, without ``createdAt`` (only its window is known)."""
    params = query_parameters(event)
    item: TypedItem = {
        "connectionId": {"S": event["requestContext"]["connectionId"]},
        "clientId": {"S": params.get("clientId") or DEFAULT_CLIENT_ID},
    }
    for name in OPTIONAL_PARAMETERS:
        if params.get(name):
            item[name] = {"S": params[name]}
    return item


@dataclass(frozen=True)
class Window:
    """The integers a time attribute may hold: its clock read anywhere inside the invocation."""

    low: int
    high: int
    unit: str

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.low <= value <= self.high

    def __str__(self) -> str:
        return f"integer in [{self.low}, {self.high}] ({self.unit})"


@dataclass(frozen=True)
class InvalidInput:
    """A parameter value the contract refuses, and why."""

    parameter: str
    value: Any
    reason: str

    def __str__(self) -> str:
        value = self.value
        if isinstance(value, str):
            shown = repr(value) if len(value) <= 40 else f"{value[:20]!r}… ({len(value)} characters)"
        else:
            shown = as_json(value)
        return f"{self.parameter}={shown} ({self.reason})"


class Oracle:
    """Contract v1: parameters stored verbatim, ``createdAt`` in epoch ms, nothing refused for its values."""

    def configuration_errors(self, environment: Mapping[str, str]) -> list[str]:
        """Problems with the function's configuration that make the contract's answer undefined."""
        return []

    def expected_item(self, event: dict[str, Any], environment: Mapping[str, str]) -> TypedItem:
        """The stored item without its time attributes (only their windows are known)."""
        return expected_item(event)

    def windows(self, started_ms: int, finished_ms: int, environment: Mapping[str, str]) -> dict[str, Window]:
        """The time attributes and what each may hold for an invocation between these instants."""
        return {"createdAt": Window(started_ms, finished_ms, "epoch ms")}

    def invalid_input(self, event: dict[str, Any]) -> InvalidInput | None:
        """The first parameter value the contract refuses; v1 refuses none."""
        return None

    def denial(self, event: Any) -> Denial | None:
        """Why the connect is not the client's to make (v4); before v4 there are no clients."""
        return None

    def same_readings(self) -> tuple[tuple[str, str], ...]:
        """Pairs of time attributes that hold one clock reading (v5: lastSeenAt is createdAt at connect)."""
        return ()


TTL_VARIABLE = "CONNECTION_TTL_SECONDS"
#: API Gateway's maximum WebSocket connection duration: a connection cannot outlive it.
DEFAULT_TTL_SECONDS = 7200


class TtlOracle(Oracle):
    """Contract v2: v1 plus ``expiresAt`` = the handler's clock in epoch seconds + the TTL."""

    def ttl_seconds(self, environment: Mapping[str, str]) -> int:
        text = environment.get(TTL_VARIABLE)
        return DEFAULT_TTL_SECONDS if text in (None, "") else int(text)

    def configuration_errors(self, environment: Mapping[str, str]) -> list[str]:
        text = environment.get(TTL_VARIABLE)
        if text in (None, "") or (text.isascii() and text.isdigit() and int(text) >= 1):
            return super().configuration_errors(environment)
        return [f"{TTL_VARIABLE}={text!r} is not a whole number of seconds of at least 1"]

    def windows(self, started_ms: int, finished_ms: int, environment: Mapping[str, str]) -> dict[str, Window]:
        ttl = self.ttl_seconds(environment)
        expires = Window(started_ms // 1000 + ttl, math.ceil(finished_ms / 1000) + ttl, f"epoch s, TTL {ttl} s")
        return {**super().windows(started_ms, finished_ms, environment), "expiresAt": expires}


class ValidatingOracle(TtlOracle):
    """Contract v3: v2 plus refusing a parameter value that breaks its rule in ``v3/item``'s definitions.

    Absent or empty values keep v1's meaning; a value that is not a string (only a direct
    invocation can send one) is refused too.
    """

    def __init__(self, schema: str) -> None:
        self.schema = schema

    def invalid_input(self, event: dict[str, Any]) -> InvalidInput | None:
        params = query_parameters(event)
        for name in PARAMETERS:
            if name not in params or params[name] == "":
                continue
            value = params[name]
            if not isinstance(value, str):
                return InvalidInput(name, value, f"a {type(value).__name__}, not a string")
            if _breaks_rule(self.schema, name, value):
                return InvalidInput(name, value, f"breaks the {name} rule of {self.schema}")
        return super().invalid_input(event)


@lru_cache(maxsize=4096)
def _breaks_rule(schema: str, name: str, value: str) -> bool:
    """Cached: a warm environment's later connects judge its earlier events' values again."""
    return bool(errors(schema, value, name))


@dataclass(frozen=True)
class Denial:
    """A connect the authenticated client may not make: refused with ``status`` (any refusal when None)."""

    reason: str
    status: int | None = 403

    def __str__(self) -> str:
        return self.reason


class AuthenticatingOracle(ValidatingOracle):
    """Contract v4: v3 for the client the authorizer vouched for (``requestContext.authorizer``).

    It judges the event as the v4 route delivers it (see ``gateway.authenticated``): the stored
    clientId is the authorizer's; a query clientId or account that is not the client's is refused.
    """

    def expected_item(self, event: dict[str, Any], environment: Mapping[str, str]) -> TypedItem:
        delivered = authenticated(event)
        item = super().expected_item(delivered, environment)
        item["clientId"] = {"S": identity_for(delivered).client_id}
        return item

    def denial(self, event: Any) -> Denial | None:
        delivered = authenticated(event)
        identity = stated_identity(delivered)
        if identity is None:
            return Denial("the connect carries no authorizer context (clientId, accounts)", None)
        params = query_parameters(delivered)
        client_id, account = params.get("clientId"), params.get("account")
        if isinstance(client_id, str) and client_id and client_id != identity.client_id:
            return Denial(f"the query's clientId {as_json(client_id)} is not the authenticated client's")
        if isinstance(account, str) and account and account not in identity.accounts:
            return Denial(f"the query's account {as_json(account)} is not one of the authenticated client's accounts")
        return None


ROUTING_ATTRIBUTE = "accountRegion"
LAST_SEEN_ATTRIBUTE = "lastSeenAt"
HEARTBEAT_ACTION = "heartbeat"
#: What a heartbeat answers when its connection has no item: the connection is gone for the table.
GONE_STATUS = 410


def heartbeat_body_problem(body: Any) -> str | None:
    """Why a heartbeat route's body is no heartbeat (a JSON object whose action is "heartbeat"), or None."""
    if not isinstance(body, str):
        return f"the body is {as_json(body)}, not the message's text"
    try:
        message = json.loads(body)
    except ValueError:
        return "the body is not JSON"
    if not isinstance(message, dict):
        return f"the body is JSON {type(message).__name__}, not an object"
    if message.get("action") != HEARTBEAT_ACTION:
        return f"the body's action is {as_json(message.get('action'))}, not {HEARTBEAT_ACTION!r}"
    return None


def item_key(item: TypedItem, key: str = "connectionId") -> str | None:
    typed = item.get(key)
    value = typed.get("S") if isinstance(typed, dict) else None
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Refresh:
    """What a heartbeat must do to its connection's item: set these attributes within their windows, or
    change nothing when the stored ``lastSeenAt`` is not earlier than the handler's clock (a newer
    heartbeat's, landed first)."""

    windows: dict[str, Window]
    #: True: refresh; False: keep the item as it is; None: either (the stored reading falls inside the
    #: invocation, so whether the handler's clock was later depends on when it read it).
    required: bool | None


class RoutingOracle(AuthenticatingOracle):
    """Contract v5: v4 plus ``lastSeenAt`` (the ``createdAt`` reading) and ``accountRegion`` when account and
    region are both stored; and what `$disconnect` and a heartbeat do to the table."""

    def expected_item(self, event: dict[str, Any], environment: Mapping[str, str]) -> TypedItem:
        item = super().expected_item(event, environment)
        if "account" in item and "region" in item:
            item[ROUTING_ATTRIBUTE] = {"S": f"{item['account']['S']}#{item['region']['S']}"}
        return item

    def windows(self, started_ms: int, finished_ms: int, environment: Mapping[str, str]) -> dict[str, Window]:
        windows = super().windows(started_ms, finished_ms, environment)
        return {**windows, LAST_SEEN_ATTRIBUTE: windows["createdAt"]}

    def same_readings(self) -> tuple[tuple[str, str], ...]:
        return ((LAST_SEEN_ATTRIBUTE, "createdAt"),)

    def refresh(self, stored: TypedItem, started_ms: int, finished_ms: int, environment: Mapping[str, str]) -> Refresh:
        """What a heartbeat invoked between these instants does to ``stored``, its connection's item."""
        windows = super().windows(started_ms, finished_ms, environment)
        refreshed = {LAST_SEEN_ATTRIBUTE: windows["createdAt"], "expiresAt": windows["expiresAt"]}
        seen = stored.get(LAST_SEEN_ATTRIBUTE)
        text = seen.get("N") if isinstance(seen, dict) else None
        if not (isinstance(text, str) and text.isdigit()) or int(text) < started_ms:
            return Refresh(refreshed, True)
        return Refresh(refreshed, False if int(text) >= finished_ms else None)
