"""An authorizer's session: the run's key ring, the authorizer's execution environments, one call.

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
from typing import Any

from contract_tests.contracts.authorizer import RING_VARIABLE
from contract_tests.forgeries import Recipe, Ring, everyday_recipe, token_for
from contract_tests.gateway import API_ACCOUNT, TOKEN_PARAMETER
from contract_tests.observation import AuthorizerCall
from contract_tests.runtimes import HandlerInitError, Invocation, Runtime
from contract_tests.session.environments import Environment, EnvironmentPool
from contract_tests.session.settings import CheckSettings
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


class AuthorizerSession:
    """Owns the ring and the environments; one step is :meth:`call`, a recipe on a `$connect` handshake."""

    def __init__(self, runtime: Runtime, settings: CheckSettings) -> None:
        self.runtime = runtime
        self.settings = settings
        self.ring: Ring = key_ring(settings.seed)
        self.warnings: list[str] = []
        self.environments = EnvironmentPool(start_ahead=False)

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
            self.environments.close()

    def discard_instances(self) -> None:
        self.environments.discard()

    def call(
        self, recipe: Recipe, connect: Mapping[str, Any], *, ring_text: str | RunRing | None = RUN_RING
    ) -> AuthorizerCall:
        """Mint the recipe's token now, send its REQUEST event, and record the answer.

        ``ring_text`` is the function's ``CONNECT_JWT_KEYS`` (None unsets it); by default the run's ring.
        """
        configured = json.dumps(self.ring) if isinstance(ring_text, RunRing) else ring_text
        warm = self.environments.take(configured)
        if warm is None:
            variables = self.environment(configured)
            try:
                instance = self.runtime.start(variables)
            except HandlerInitError as error:
                event = request_event(connect, None)
                return AuthorizerCall(event, None, Invocation(), init_error=str(error), ring=configured)
            # An authorizer calls no AWS service: nothing to observe but its answer and its output.
            warm = self.environments.started(Environment(instance, None, [], variables, self.runtime.options.timeout_s))
        token = token_for(recipe, self.ring, int(time.time()))
        event = request_event(connect, token)
        warm.give(token)
        invocation = warm.instance.invoke(event, warm.timeout_s)
        output = warm.instance.output()
        self.environments.keep(configured, warm)
        return AuthorizerCall(
            event,
            token,
            invocation,
            ring=configured,
            environment_tokens=list(warm.given),
            environment_output=output,
            printed_since_previous=warm.printed_since_previous(),
        )

    def settled_output(self) -> list[tuple[list[str | None], list[str]]]:
        """For each warm environment, once quiet, the tokens it was given and all it printed."""
        return self.environments.settled_output()
