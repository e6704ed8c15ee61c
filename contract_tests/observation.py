"""What one step of a check observed: the function's invocation, and for a `$connect` handler the AWS
calls it made and what the run's table held afterwards; for an authorizer, the token it was sent; for a
router, also its requests to the management API.

Plain data at the bottom of the house: the clauses judge these, whatever runtime or backend made them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract_tests.aws_calls import AwsCall
from contract_tests.management_api import RESET, Attempt

#: A DynamoDB item as the wire types it: ``{"connectionId": {"S": "..."}}``.
TypedItem = dict[str, Any]


@dataclass
class Invocation:
    """What one call of the handler did: its answer or its error, its AWS calls, its output."""

    response: Any = None
    error: str | None = None
    #: The function error's own errorMessage, which API Gateway reads: an authorizer's "Unauthorized" is its 401.
    error_message: str | None = None
    calls: list[AwsCall] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    #: Hosts the function looked up and could not reach from its sandbox.
    unreachable_hosts: list[str] = field(default_factory=list)
    started_ms: int = 0
    finished_ms: int = 0

    def summary(self) -> str:
        if self.error is not None:
            return f"raised {self.error}"
        return f"returned {json.dumps(self.response, ensure_ascii=False)}"

    def answer_kind(self) -> str:
        """The answer with its values left out: an error's type, a status code, or the shape returned."""
        if self.error is not None:
            return f"raised {self.error.split(':', 1)[0]}"
        response = self.response
        if not isinstance(response, dict):
            return f"returned {type(response).__name__}"
        status = f" {response['statusCode']}" if "statusCode" in response else ""
        return f"returned{status} {{{', '.join(sorted(map(str, response)))}}}"


def _calls_kind(calls: list[AwsCall]) -> str:
    made = sorted({call.operation if call.succeeded else f"{call.operation} ({call.outcome})" for call in calls})
    return f"calls {', '.join(made)}" if made else "no AWS call"


def _items_kind(items: list[TypedItem]) -> str:
    """Each item's attribute names and wire types, its values left out."""
    shapes = sorted(
        "{"
        + ", ".join(
            f"{name}:{''.join(value) if isinstance(value, dict) else '?'}" for name, value in sorted(item.items())
        )
        + "}"
        for item in items
    )
    return f"stored {', '.join(shapes)}" if shapes else "stored nothing"


@dataclass
class Observation:
    """An example's full round trip: initialisation, invocation, and what the table held afterwards."""

    invocation: Invocation
    import_calls: list[AwsCall] = field(default_factory=list)
    items: list[TypedItem] = field(default_factory=list)
    init_error: str | None = None
    #: The run's table was gone when the harness looked (the handler deleted it); it was created anew.
    table_deleted: bool = False
    #: The function's configuration for this invocation (what the oracle reads, e.g. CONNECTION_TTL_SECONDS).
    environment: Mapping[str, str] = field(default_factory=dict)
    #: The event as `$connect` got it, when a gateway changed it (v4: the authorizer's context added).
    delivered: Any = None
    #: The authorizer's own answer, when one ran before `$connect` (``--authorizer``).
    authorizer_answer: Any = None
    #: Every event the environment that ran this invocation was given (this one last), and every line it
    #: printed so far: a line printed after an answer (a queued log handler's) belongs to the environment.
    environment_events: list[Any] = field(default_factory=list)
    environment_output: list[str] = field(default_factory=list)
    #: What the environment printed from its previous event's start to this one's (None for its first).
    printed_since_previous: list[str] | None = None

    @property
    def all_calls(self) -> list[AwsCall]:
        return [*self.import_calls, *self.invocation.calls]

    def actual(self) -> dict[str, Any]:
        """What the report shows as 'actual' for this example."""
        shown: dict[str, Any] = {}
        context = self.delivered.get("requestContext") if isinstance(self.delivered, dict) else None
        if isinstance(context, dict) and "authorizer" in context:
            shown["requestContext.authorizer"] = context["authorizer"]
        if self.authorizer_answer is not None:
            shown["authorizer_answer"] = self.authorizer_answer
        if self.init_error:
            shown["init_error"] = self.init_error
        else:
            shown["handler"] = self.invocation.summary()
        shown["stored_items"] = self.items
        shown["aws_calls"] = [str(call) for call in self.all_calls]
        if self.invocation.unreachable_hosts:
            shown["unreachable_hosts"] = [
                f"{host} (not reachable from the sandbox: only DynamoDB's endpoints are)"
                for host in self.invocation.unreachable_hosts
            ]
        if self.table_deleted:
            shown["table"] = "deleted during the example (the harness created it anew for the next one)"
        if self.invocation.logs:
            shown["handler_output"] = self.invocation.logs[-5:]
        return shown

    def behaviour(self) -> str:
        """What kind of thing happened, values left out: a campaign counts the distinct ones it saw."""
        answer = "failed to initialise" if self.init_error else self.invocation.answer_kind()
        return "; ".join((answer, _calls_kind(self.all_calls), _items_kind(self.items)))


def _effects(response: Any) -> set[str]:
    """The Effect of each statement of an IAM policy an authorizer returned (none when it is not one)."""
    policy = response.get("policyDocument") if isinstance(response, dict) else None
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return set()
    return {str(statement.get("Effect")) for statement in statements if isinstance(statement, dict)}


@dataclass
class AuthorizerCall:
    """One call's round trip: the event and token sent, and the answer or the error."""

    event: dict[str, Any]
    token: str | None
    invocation: Invocation
    init_error: str | None = None
    ring: str | None = None
    #: Every token the environment was given (this one last) and all it printed so far, late lines too.
    environment_tokens: list[str | None] = field(default_factory=list)
    environment_output: list[str] = field(default_factory=list)
    #: What the environment printed from its previous call's start to this one's (None for its first): each
    #: line is judged once against every token, here or (the last ones) once the environment is quiet.
    printed_since_previous: list[str] | None = None

    def actual(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"token": self.token}
        if self.init_error:
            shown["init_error"] = self.init_error
        else:
            shown["authorizer"] = self.invocation.summary()
        if self.invocation.logs:
            shown["authorizer_output"] = self.invocation.logs[-5:]
        return shown

    def behaviour(self) -> str:
        """Whether a token was sent, and the answer's kind with the policy's effects (values left out)."""
        sent = "no token" if self.token is None else "a token"
        if self.init_error:
            return f"{sent}; failed to initialise"
        effects = sorted(_effects(self.invocation.response))
        effect = f"; effect {'/'.join(effects)}" if effects else ""
        return f"{sent}; {self.invocation.answer_kind()}{effect}"


@dataclass
class RouterRun:
    """One router invocation: the fleet the gate wrote, the round trip, and every request the router made
    to the management API (as the gate answered it)."""

    observation: Observation
    #: The items in the table when the router was invoked.
    given: list[TypedItem]
    attempts: list[Attempt]

    @property
    def invocation(self) -> Invocation:
        return self.observation.invocation

    @property
    def init_error(self) -> str | None:
        return self.observation.init_error

    def actual(self) -> dict[str, Any]:
        shown = self.observation.actual()
        shown["items_after"] = shown.pop("stored_items")
        shown["items_before"] = self.given
        shown["posts"] = [str(attempt) for attempt in self.attempts]
        return shown

    def behaviour(self) -> str:
        answers = sorted({f"{a.method} {'reset' if a.status == RESET else a.status}" for a in self.attempts})
        posted = f"requests answered {', '.join(answers)}" if answers else "no request to @connections"
        return f"{self.observation.behaviour()}; {posted}"


def behaviour_of(observed: Any) -> str:
    """The behaviour of what one step observed: an observation, or several in order (interleaved connects)."""
    if isinstance(observed, list):
        return " | then | ".join(behaviour_of(one) for one in observed)
    return str(observed.behaviour())
