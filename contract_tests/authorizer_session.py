"""One authorizer check's shared state: the run's key ring, the authorizer's warm environments, one call.

The gate plays API Gateway: it sends the REQUEST event a `$connect` handshake makes, carrying a token
minted from a recipe at call time with this run's ring. An authorizer calls no AWS service, so
there is no backend, no table and no observer; its answer and its output lines are all there is.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from contract_tests.contracts.authorizer import RING_VARIABLE
from contract_tests.forgeries import Recipe, Ring, everyday_recipe, token_for
from contract_tests.gateway import API_ACCOUNT, TOKEN_PARAMETER
from contract_tests.observation import AuthorizerCall
from contract_tests.runtimes import HandlerInitError, Instance, Invocation, Runtime
from contract_tests.session import CheckSettings
from contract_tests.steps import RUN_RING, RunRing
from contract_tests.strategies import everyday_handshake


def key_ring(seed: int) -> Ring:
    """Three keys named as a rotation names them; drawn from the seed, so a re-run signs alike."""
    secret = hashlib.sha256(f"connect-contract ring {seed}".encode()).hexdigest()
    return {f"{2026 - n}-{11 - n:02d}": f"{secret[n * 8 :]}{secret[: n * 8]}" for n in range(3)}


def method_arn(context: Mapping[str, Any]) -> str:
    """The ARN API Gateway names the `$connect` route with, for this connect's API and stage.

    A context the malformed-event clause took fields from gets the fixed event's API and stage.
    """
    parts = str(context.get("domainName", "")).split(".")
    region = parts[2] if len(parts) > 2 else "us-east-1"
    api, stage = context.get("apiId") or "abcdef1234", context.get("stage") or "production"
    return f"arn:aws:execute-api:{region}:{API_ACCOUNT}:{api}/{stage}/$connect"


def request_event(connect: Mapping[str, Any], token: str | None) -> dict[str, Any]:
    """The REQUEST authorizer event of a `$connect` event: its headers and query, the token among them."""
    context = {key: value for key, value in connect["requestContext"].items() if key != "authorizer"}
    query = connect.get("queryStringParameters")
    single = {key: value for key, value in (query if isinstance(query, dict) else {}).items() if key != "token"}
    if token is not None:
        single[TOKEN_PARAMETER] = token
    return {
        "type": "REQUEST",
        "methodArn": method_arn(context),
        "headers": connect.get("headers", {}),
        "multiValueHeaders": connect.get("multiValueHeaders", {}),
        "queryStringParameters": single,
        "multiValueQueryStringParameters": {key: [value] for key, value in single.items()},
        "stageVariables": {},
        "requestContext": context,
    }


@dataclass
class _Warm:
    instance: Instance
    environment: Mapping[str, str]
    tokens: list[str | None] = field(default_factory=list)


@dataclass
class AuthorizerSession:
    """Owns the ring and the environments; clauses call :meth:`call` with a recipe and a `$connect` event."""

    runtime: Runtime
    settings: CheckSettings
    ring: Ring = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _warm: dict[str | None, _Warm] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ring = self.ring or key_ring(self.settings.seed)

    @property
    def kids(self) -> tuple[str, ...]:
        return tuple(self.ring)

    def control_case(self) -> dict[str, Any]:
        """A valid token of the ring's first key on the everyday handshake: what a check calls first."""
        return {"token": everyday_recipe(self.kids[0]), "connect": everyday_handshake()}

    def environment(self, ring_text: str | None) -> dict[str, str]:
        environment = {
            **self.runtime.lambda_variables(self.settings.region),
            **self.runtime.options.extra_environment,
        }
        if ring_text is not None:
            environment[RING_VARIABLE] = ring_text
        return environment

    @contextmanager
    def opened(self) -> Iterator[AuthorizerSession]:
        try:
            yield self
        finally:
            self.discard_instances()

    def discard_instances(self) -> None:
        warm, self._warm = list(self._warm.values()), {}
        for slot in warm:
            slot.instance.stop()

    def call(
        self, recipe: Recipe, connect: Mapping[str, Any], *, ring_text: str | RunRing | None = RUN_RING
    ) -> AuthorizerCall:
        """Mint the recipe's token now, send its REQUEST event, and record the answer.

        ``ring_text`` is the function's ``CONNECT_JWT_KEYS`` (None unsets it); by default the run's ring.
        """
        configured = json.dumps(self.ring) if isinstance(ring_text, RunRing) else ring_text
        slot = self._warm.pop(configured, None)
        if slot is None or not slot.instance.alive:
            if slot is not None:
                slot.instance.stop()
            environment = self.environment(configured)
            try:
                slot = _Warm(self.runtime.start(environment), environment)
            except HandlerInitError as error:
                event = request_event(connect, None)
                return AuthorizerCall(event, None, Invocation(), init_error=str(error), ring=configured)
        token = token_for(recipe, self.ring, int(time.time()))
        event = request_event(connect, token)
        slot.tokens.append(token)
        invocation = slot.instance.invoke(event, self.settings.timeout_s)
        output = slot.instance.output()
        if slot.instance.alive:
            self._warm[configured] = slot
        else:
            slot.instance.stop()
        return AuthorizerCall(
            event, token, invocation, ring=configured, environment_tokens=list(slot.tokens), environment_output=output
        )

    def settled_output(self, quiet_s: float = 0.2, limit_s: float = 1.0) -> list[tuple[list[str | None], list[str]]]:
        """For each warm environment, once quiet, the tokens it was given and all it printed."""
        settled = []
        for slot in list(self._warm.values()):
            slot.instance.settle(quiet_s, limit_s)
            settled.append((list(slot.tokens), slot.instance.output()))
        return settled
