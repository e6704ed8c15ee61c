"""What an authorizer's answer means to API Gateway, and the judgements the authorizer clauses share."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from contract_tests.clauses.judgement import Violation
from contract_tests.contract_schemas import as_json, errors
from contract_tests.forgeries import Recipe
from contract_tests.observation import AuthorizerCall
from contract_tests.tokens import first_leaked, leaks

NOT_ALLOWED = "no Allow: raise Unauthorized (401) or answer a Deny policy (403)"
RESPONSE_SCHEMA = "v4/authorizer-response"
REFUSAL_SCHEMA = "v4/authorizer-refusal"
#: The errorMessage API Gateway answers 401 for; any other function error is its 500.
UNAUTHORIZED = "Unauthorized"


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(response: Any) -> list[dict[str, Any]]:
    document = response.get("policyDocument") if isinstance(response, dict) else None
    found = document.get("Statement") if isinstance(document, dict) else None
    return [s for s in _listed(found) if isinstance(s, dict)] if found is not None else []


def _covers(pattern: Any, value: str) -> bool:
    """IAM's matching: ``*`` any run of characters, ``?`` one, case-sensitive."""
    return isinstance(pattern, str) and fnmatchcase(value, pattern)


def allows(call: AuthorizerCall) -> bool:
    """Whether API Gateway would let the handshake through: an Allow of execute-api:Invoke on the methodArn.

    A function error, a malformed answer (API Gateway answers 500) or a Deny lets nothing through.
    """
    if call.init_error or call.invocation.error is not None:
        return False
    arn = call.event["methodArn"]
    policy = statements(call.invocation.response)
    matching = [
        s
        for s in policy
        if any(_covers(action, "execute-api:Invoke") for action in _listed(s.get("Action")))
        and any(_covers(resource, arn) for resource in _listed(s.get("Resource")))
    ]
    return any(s.get("Effect") == "Allow" for s in matching) and not any(s.get("Effect") == "Deny" for s in matching)


def require_not_allowed(call: AuthorizerCall, recipe: Recipe) -> None:
    if allows(call):
        raise Violation(f"the authorizer allowed a forged token ({recipe['kind']})", NOT_ALLOWED, call.actual())


def gateway_error(call: AuthorizerCall) -> str | None:
    """Why API Gateway answers a handshake the authorizer did not allow with 500 rather than 401 or 403;
    None when it answers 401 (an "Unauthorized" error) or 403 (a readable policy with no Allow)."""
    if call.init_error:
        return call.init_error
    invocation = call.invocation
    if invocation.error is not None:
        if invocation.error_message == UNAUTHORIZED:
            return None
        if invocation.error_message is None:
            return invocation.error  # a time-out or a crash: no errorMessage of the function's own
        return f"a function error whose message is {as_json(invocation.error_message)}, not exactly {UNAUTHORIZED!r}"
    problems = errors(REFUSAL_SCHEMA, invocation.response)
    return f"an answer API Gateway cannot read ({problems[0]})" if problems else None


def require_401_or_403(call: AuthorizerCall, recipe: Recipe) -> None:
    """A refused token is told so: 401 or 403, never API Gateway's 500 (the client would retry, not sign in)."""
    why = gateway_error(call)
    if why is not None:
        raise Violation(
            f"the authorizer refused a forged token ({recipe['kind']}) so that API Gateway answers 500: {why}",
            NOT_ALLOWED,
            call.actual(),
        )


def require_token_unlogged(call: AuthorizerCall) -> None:
    token = call.token
    leaked = [line for line in call.invocation.logs if token and leaks(line, token)]
    if leaked:
        raise Violation(
            f"a log line of the authorizer holds the token ({len(leaked)} of {len(call.invocation.logs)} lines); "
            "log why it was refused, never the token or the event",
            "the token in no log line",
            call.actual(),
        )
    late = late_token(call.environment_tokens, call.printed_since_previous or [])
    if late is not None:
        raise Violation(
            late, "the token in no log line", {**call.actual(), "environment_output": call.environment_output[-5:]}
        )


def late_token(tokens: list[str | None], lines: list[str]) -> str | None:
    """What leaked when any line an environment printed (after an answer, say) holds any token it was given."""
    number = first_leaked(tokens, lines)
    if number is None:
        return None
    return (
        f"a line the authorizer's environment printed after its answer holds the token of call {number}: "
        "a log line belongs to its environment, whenever it is written"
    )


def expected_allow(call: AuthorizerCall, recipe: Recipe) -> dict[str, Any]:
    return {
        "principalId": recipe["sub"],
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": call.event["methodArn"]}],
        },
        "context": {"clientId": recipe["sub"], "accounts": ",".join(recipe["accounts"])},
    }


def require_exact_allow(call: AuthorizerCall, recipe: Recipe) -> None:
    """A valid token: an Allow of exactly the event's methodArn, for exactly the token's client and accounts."""
    wanted = expected_allow(call, recipe)
    actual = call.actual()
    if call.init_error:
        raise Violation(call.init_error, wanted, actual)
    if call.invocation.error is not None:
        raise Violation(f"the authorizer refused a valid token: {call.invocation.error}", wanted, actual)
    response = call.invocation.response
    arn = call.event["methodArn"]
    resources = [r for s in statements(response) for r in _listed(s.get("Resource"))]
    other = [r for r in resources if r != arn]
    if other:
        raise Violation(
            f"the policy names {as_json(other[0])}, not exactly the event's methodArn: API Gateway matches a"
            " $connect only by its own ARN (a wildcard such as …/stage/*/* lets no valid client in)",
            wanted,
            actual,
        )
    problems = errors(RESPONSE_SCHEMA, response)
    if problems:
        raise Violation(f"the answer breaks {RESPONSE_SCHEMA}: " + "; ".join(problems), wanted, actual)
    if not allows(call):
        raise Violation("the authorizer answered a valid token without an Allow on its methodArn", wanted, actual)
    context = response["context"]
    differing = [
        name
        for name, same in (
            ("principalId", response["principalId"] == recipe["sub"]),
            ("context.clientId", context["clientId"] == recipe["sub"]),
            ("context.accounts", sorted(context["accounts"].split(",")) == sorted(recipe["accounts"])),
        )
        if not same
    ]
    if differing:
        raise Violation(
            f"the Allow is not the token's client: {', '.join(differing)} differ from its sub and accounts",
            wanted,
            actual,
        )
