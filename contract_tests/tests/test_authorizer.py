"""The reference authorizer called directly, connect tokens, and the authorizer's schemas.

The authorizers run as Lambda runs them (Python and Node.js) in test_authorizer_contract.py.
"""

from __future__ import annotations

import importlib
import json
import logging
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from contract_tests.contract_schemas import errors
from contract_tests.errors import HarnessError
from contract_tests.forgeries import FORGERIES, everyday_recipe, token_for
from contract_tests.tests.conftest import FIXTURES, load_json
from contract_tests.tokens import claims, mint

KEYS = {"2026-11": "current-secret-of-thirty-two-bytes", "2026-10": "previous-secret-still-accepted!!"}
METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/production/$connect"


@pytest.fixture
def authorizer(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.setenv("CONNECT_JWT_KEYS", json.dumps(KEYS))
    import reference_impl.authorizer as module

    yield importlib.reload(module)


def _event(token: str | None) -> dict[str, Any]:
    query = {} if token is None else {"token": token}
    return {"type": "REQUEST", "methodArn": METHOD_ARN, "queryStringParameters": query, "headers": {}}


def _token(kid: str = "2026-11", **changes: Any) -> str:
    payload = {**claims("agent-7", ["123456789012", "000000000042"], 600), **changes}
    return mint(payload, kid, KEYS.get(kid, "a key the ring of this test does not hold"))


def test_a_valid_token_is_allowed_on_exactly_the_method_arn(authorizer: ModuleType) -> None:
    answer = authorizer.lambda_handler(_event(_token()), None)
    assert answer == {
        "principalId": "agent-7",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": METHOD_ARN}],
        },
        "context": {"clientId": "agent-7", "accounts": "123456789012,000000000042"},
    }


def test_the_previous_key_of_the_ring_still_verifies(authorizer: ModuleType) -> None:
    assert authorizer.lambda_handler(_event(_token("2026-10")), None)["principalId"] == "agent-7"


def test_clock_skew_within_the_leeway_is_tolerated(authorizer: ModuleType) -> None:
    now = int(time.time())
    assert authorizer.lambda_handler(_event(_token(exp=now - 50)), None)
    assert authorizer.lambda_handler(_event(_token(nbf=now + 50)), None)


RECIPE = everyday_recipe("2026-11")


def _forged(kind: str) -> str | None:
    return token_for({**RECIPE, "kind": kind}, KEYS, int(time.time()))


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_forgery_is_unauthorized(authorizer: ModuleType, forgery: str) -> None:
    with pytest.raises(authorizer.Unauthorized, match=r"^Unauthorized$"):
        authorizer.lambda_handler(_event(_forged(forgery)), None)


def test_a_malformed_key_ring_allows_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    import reference_impl.authorizer as module

    for ring in ("", "not json", '["a"]', '{"k": ""}', '{"k": 1}'):
        monkeypatch.setenv("CONNECT_JWT_KEYS", ring)
        reloaded = importlib.reload(module)
        with pytest.raises(reloaded.Unauthorized):
            reloaded.lambda_handler(_event(_token()), None)


def test_the_token_is_never_logged(authorizer: ModuleType, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for kind in FORGERIES:
        token = _forged(kind)
        with pytest.raises(authorizer.Unauthorized):
            authorizer.lambda_handler(_event(token), None)
        assert not token or all(token not in record.getMessage() for record in caplog.records), kind
    assert caplog.records, "a refusal says why"


def test_claims_that_break_the_schema_are_not_minted() -> None:
    with pytest.raises(HarnessError, match="accounts"):
        claims("agent-7", [], 600)
    with pytest.raises(HarnessError, match="sub"):
        claims("agent 7", ["123456789012"], 600)


def test_token_mint_prints_a_token_the_authorizer_allows(run_cli: Any, authorizer: ModuleType, tmp_path: Any) -> None:
    (tmp_path / "key").write_text(KEYS["2026-11"] + "\n")
    argv = ["--kid", "2026-11", "--key-file", str(tmp_path / "key"), "--client-id", "agent-7"]
    result = run_cli("token", "mint", *argv, "--accounts", "123456789012,000000000042", "--ttl", "300")
    assert result.status == 0, result.err
    answer = authorizer.lambda_handler(_event(result.out.strip()), None)
    assert answer["context"] == {"clientId": "agent-7", "accounts": "123456789012,000000000042"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--accounts", "12345", "--ttl", "60"], 'accounts/0: "12345" breaks pattern'),
        (["--accounts", "", "--ttl", "60"], "accounts"),
        (["--accounts", "123456789012", "--ttl", "0"], "argument --ttl: must be at least 1"),
        (["--accounts", "123456789012", "--ttl", "60", "--key-file", "/nonexistent/key"], "cannot read it"),
    ],
)
def test_token_mint_refuses_bad_input_with_exit_2(run_cli: Any, tmp_path: Any, argv: list[str], message: str) -> None:
    (tmp_path / "key").write_text("k" * 32)
    base = ["token", "mint", "--kid", "k", "--key-file", str(tmp_path / "key"), "--client-id", "agent-7"]
    result = run_cli(*base, *argv)
    assert result.status == 2
    assert message in result.err and "Traceback" not in result.err


# ---- the authorizer's event and answer, as schemas ----------------------------------------------

REQUEST = FIXTURES / "authorizer" / "request.json"


def _request_with(token: str) -> dict[str, Any]:
    event = load_json(REQUEST)
    event["queryStringParameters"]["token"] = token
    event["multiValueQueryStringParameters"]["token"] = [token]
    return event


def test_the_request_fixture_is_an_authorizer_event_and_its_allow_an_authorizer_response(
    authorizer: ModuleType,
) -> None:
    event = _request_with(_token())
    assert errors("v4/authorizer-event", event) == []
    answer = authorizer.lambda_handler(event, None)
    assert errors("v4/authorizer-response", answer) == []
    assert answer["policyDocument"]["Statement"][0]["Resource"] == event["methodArn"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"methodArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/production/*"}, "not $connect"),
        ({"type": "TOKEN"}, "a TOKEN authorizer's event"),
        ({"queryStringParameters": {}}, "no token: API Gateway answers 401 itself"),
    ],
)
def test_authorizer_events_are_request_events_for_connect(change: dict[str, Any], why: str) -> None:
    assert errors("v4/authorizer-event", {**load_json(REQUEST), **change}), why


ALLOW = {
    "principalId": "agent-7",
    "policyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": METHOD_ARN}],
    },
    "context": {"clientId": "agent-7", "accounts": "123456789012,000000000042"},
}


@pytest.mark.parametrize(
    ("path", "value", "why"),
    [
        (("context", "accounts"), ["123456789012"], "API Gateway passes no lists in the context"),
        (("context", "accounts"), "123456789012, 000000000042", "comma-joined, no spaces"),
        (("context", "nested"), {"a": 1}, "no objects either"),
        (("policyDocument", "Version"), "2008-10-17", "the policy language version"),
        (("principalId",), "agent 7", "the principal is a clientId"),
    ],
)
def test_authorizer_responses_keep_to_what_api_gateway_passes_on(path: tuple[str, ...], value: Any, why: str) -> None:
    answer = json.loads(json.dumps(ALLOW))
    *parents, last = path
    target = answer
    for name in parents:
        target = target[name]
    target[last] = value
    assert errors("v4/authorizer-response", answer), why


def test_a_wildcard_resource_is_not_an_allow_for_connect() -> None:
    answer = json.loads(json.dumps(ALLOW))
    answer["policyDocument"]["Statement"][0]["Resource"] = (
        "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/production/*/*"
    )
    assert errors("v4/authorizer-response", answer)
