"""Reference Lambda REQUEST authorizer for the WebSocket ``$connect`` route (contract v4).

Browsers cannot set headers on a WebSocket handshake, so the token travels in the query string
(identity source ``route.request.querystring.token``). It is a JWT signed HS256 with the key of
``CONNECT_JWT_KEYS`` (a JSON object ``{kid: secret}``, so keys rotate) that its header's ``kid`` names.
Allowed: ``principalId`` = ``sub``, ``execute-api:Invoke`` on exactly the event's ``methodArn``, and
a context of scalars (API Gateway passes no lists): ``clientId`` and the comma-joined ``accounts``.
Anything else raises ``Unauthorized`` (API Gateway answers 401). The token is never logged.
"""

from __future__ import annotations

import json
import logging
import os
import re
from typing import Any

import jwt

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

ALGORITHM = "HS256"
AUDIENCE = "connect"
#: Clock skew tolerated on exp, nbf and iat.
LEEWAY_S = 60
#: v3's clientId rule: the token's subject is stored as the connection's clientId.
CLIENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}")
ACCOUNT = re.compile(r"[0-9]{12}")


class Unauthorized(Exception):
    """Raised with the message ``Unauthorized``: API Gateway then refuses the handshake with 401."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def _key_ring(text: str | None) -> dict[str, str]:
    """``CONNECT_JWT_KEYS`` as ``{kid: secret}``; a missing or malformed ring allows nobody."""
    try:
        ring = json.loads(text or "")
    except ValueError:
        ring = None
    if not isinstance(ring, dict) or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in ring.items()):
        logger.error("CONNECT_JWT_KEYS is not a JSON object of non-empty strings: every connect is refused")
        return {}
    return ring


# Read once per container, as the function's configuration is fixed for its lifetime.
_KEYS = _key_ring(os.environ.get("CONNECT_JWT_KEYS"))


def _token(event: dict[str, Any]) -> str:
    query = event.get("queryStringParameters")
    token = query.get("token") if isinstance(query, dict) else None
    if not isinstance(token, str) or not token:
        raise ValueError("no token in the query string")
    return token


def _claims(token: str) -> tuple[str, list[str]]:
    """The token's subject and accounts, once its signature, key, audience and times are verified."""
    kid = jwt.get_unverified_header(token).get("kid")
    secret = _KEYS.get(kid) if isinstance(kid, str) else None
    if secret is None:
        raise ValueError("the token's kid names no key of the ring")
    claims = jwt.decode(
        token,
        secret,
        algorithms=[ALGORITHM],  # pinned: never the algorithm the token's header asks for
        audience=AUDIENCE,
        leeway=LEEWAY_S,
        options={"require": ["exp", "sub", "aud"]},
    )
    subject, accounts = claims.get("sub"), claims.get("accounts")
    if not isinstance(subject, str) or not CLIENT_ID.fullmatch(subject):
        raise ValueError("sub is not a valid clientId")
    if not isinstance(accounts, list) or not accounts:
        raise ValueError("accounts is not a non-empty list")
    if not all(isinstance(account, str) and ACCOUNT.fullmatch(account) for account in accounts):
        raise ValueError("accounts holds something other than 12-digit account ids")
    return subject, accounts


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        method_arn = event["methodArn"]
        subject, accounts = _claims(_token(event))
    except (KeyError, TypeError, ValueError, jwt.PyJWTError) as error:
        # The reason's kind, never the token: it is a bearer credential.
        logger.info("connect not authorized: %s", type(error).__name__ if isinstance(error, jwt.PyJWTError) else error)
        raise Unauthorized() from None
    return {
        "principalId": subject,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": method_arn}],
        },
        "context": {"clientId": subject, "accounts": ",".join(accounts)},
    }
