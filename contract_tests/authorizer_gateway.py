"""A v4 route end to end: the authorizer under check in front of `$connect`, as API Gateway puts it there.

For each handshake the gate, as the client's issuer, mints a valid token for the client the
handshake speaks for (``gateway.identity_for``) — or the forged one a clause asks for — sends the
authorizer its REQUEST event, and passes `$connect` the event with the authorizer's own context only
when it answered an Allow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract_tests.clauses.authorizer_checks import allows
from contract_tests.forgeries import everyday_recipe
from contract_tests.gateway import TOKEN_PARAMETER, Delivery, identity_for, with_authorizer, with_token
from contract_tests.session import AuthorizerSession


class AuthorizerInFront:
    """The gateway of ``check --contract v4 --authorizer TARGET``."""

    guarded = True

    def __init__(self, session: AuthorizerSession, identity_sources: tuple[str, ...] = ()) -> None:
        self.session = session
        #: Its ``--template``'s ``IdentitySource`` (none: the contract's, the token in the query string).
        self.identity_sources = identity_sources

    def deliver(self, event: Any, token: Mapping[str, Any] | None = None) -> Delivery:
        if not isinstance(event, dict) or not isinstance(event.get("requestContext"), dict):
            return Delivery(event)  # no handshake API Gateway could have made: the handler gets it as it is
        missing = [source for source in self.identity_sources if not _carries(with_token(event, "-"), source)]
        if missing:
            answer = f"401 Unauthorized: the connect has no {missing[0]}, an identity source; the authorizer never ran"
            refused = (
                f"the template's IdentitySource asks for {missing[0]}, which a connect of the contract does not"
                f" carry (its token travels in the query string, route.request.querystring.{TOKEN_PARAMETER}), so"
                " the authorizer never ran"
            )
            return Delivery(event, refused=refused, authorizer_answer={"api_gateway": answer})
        identity = identity_for(event)
        recipe = {**everyday_recipe(self.session.kids[0]), "sub": identity.client_id}
        recipe["accounts"] = list(identity.accounts)
        call = self.session.call(dict(token) if token is not None else recipe, event)
        if not allows(call):
            why = call.init_error or call.invocation.summary()
            presented = f"a forged token ({token['kind']})" if token is not None else "a valid token"
            refused = f"the authorizer did not allow {presented} of {identity.client_id} ({why})"
            return Delivery(event, refused=refused, authorizer_answer=call.actual())
        answer = call.invocation.response
        assert call.token is not None and isinstance(answer, dict)  # an Allow is a dict answering a minted token
        context = answer.get("context")
        context = context if isinstance(context, dict) else {}
        delivered = with_authorizer(with_token(event, call.token), context, str(answer.get("principalId")))
        return Delivery(delivered)


def _carries(event: dict[str, Any], source: str) -> bool:
    """Whether ``event`` holds the identity source ``source`` non-empty, as API Gateway requires before it
    runs a REQUEST authorizer."""
    kind, _, name = source.removeprefix("route.request.").partition(".")
    fields = {"querystring": "queryStringParameters", "header": "headers"}
    if kind not in fields:
        return True  # a stage variable or a context value: the API's own
    found = event.get(fields[kind])
    if found is not None and not isinstance(found, dict):
        return True  # a map the gate broke on purpose (a malformed event's clause): not this check's
    # header names are case-insensitive, query parameter names are not
    same = (lambda key: str(key).lower() == name.lower()) if kind == "header" else (lambda key: key == name)
    value = next((value for key, value in (found or {}).items() if same(key)), None)
    return isinstance(value, str) and value != ""
