"""The reference authorizer (contract v4) and connect tokens: valid tokens allowed exactly, forgeries never."""

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
from contract_tests.lambda_runtime import lambda_environment
from contract_tests.runtimes import Invocation, RuntimeOptions, make_runtime
from contract_tests.targets import parse_target
from contract_tests.tests.conftest import FIXTURES, HANDLERS, load_json
from contract_tests.tokens import b64url, claims, mint, signed

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


def _header(kid: str = "2026-11", alg: str = "HS256") -> dict[str, object]:
    return {"alg": alg, "typ": "JWT", "kid": kid}


def _payload(**changes: Any) -> dict[str, object]:
    return {**claims("agent-7", ["123456789012"], 600), **changes}


def _swap_payload(token: str, **changes: Any) -> str:
    header, _, signature = token.split(".")
    return ".".join([header, b64url(json.dumps(_payload(**changes)).encode()), signature])


def _flip_last_signature_character(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


FORGERIES = {
    "expired beyond the leeway": lambda: _token(exp=int(time.time()) - 61),
    "not yet valid beyond the leeway": lambda: _token(nbf=int(time.time()) + 120),
    "another audience": lambda: _token(aud="dashboard"),
    "an unknown kid": lambda: _token("2025-01"),
    "no kid": lambda: signed({"alg": "HS256", "typ": "JWT"}, _payload(), KEYS["2026-11"]),
    "another key's signature under this kid": lambda: signed(_header("2026-11"), _payload(), KEYS["2026-10"]),
    "alg none": lambda: signed(_header(alg="none"), _payload(), "").rsplit(".", 1)[0] + ".",
    "alg HS512": lambda: signed(_header(alg="HS512"), _payload(), KEYS["2026-11"], "sha512"),
    "alg RS256 over an HMAC": lambda: signed(_header(alg="RS256"), _payload(), KEYS["2026-11"]),
    "another sub under the old signature": lambda: _swap_payload(_token(), sub="admin"),
    "widened accounts under the old signature": lambda: _swap_payload(
        _token(), accounts=["123456789012", "999999999999"]
    ),
    "a flipped signature bit": lambda: _flip_last_signature_character(_token()),
    "truncated": lambda: _token()[:-10],
    "padded base64": lambda: _token() + "==",
    "empty": lambda: "",
    "no exp": lambda: signed(_header(), {k: v for k, v in _payload().items() if k != "exp"}, KEYS["2026-11"]),
    "a sub that is not a clientId": lambda: _token(sub="agent 7"),
    "accounts not 12 digits": lambda: _token(accounts=["12345"]),
    "accounts empty": lambda: _token(accounts=[]),
    "accounts a string": lambda: _token(accounts="123456789012"),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forgery_is_unauthorized(authorizer: ModuleType, forgery: str) -> None:
    with pytest.raises(authorizer.Unauthorized, match=r"^Unauthorized$"):
        authorizer.lambda_handler(_event(FORGERIES[forgery]()), None)


def test_no_token_is_unauthorized(authorizer: ModuleType) -> None:
    with pytest.raises(authorizer.Unauthorized):
        authorizer.lambda_handler(_event(None), None)


def test_a_malformed_key_ring_allows_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    import reference_impl.authorizer as module

    for ring in ("", "not json", '["a"]', '{"k": ""}', '{"k": 1}'):
        monkeypatch.setenv("CONNECT_JWT_KEYS", ring)
        reloaded = importlib.reload(module)
        with pytest.raises(reloaded.Unauthorized):
            reloaded.lambda_handler(_event(_token()), None)


def test_the_token_is_never_logged(authorizer: ModuleType, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for forgery in FORGERIES.values():
        token = forgery()
        with pytest.raises(authorizer.Unauthorized):
            authorizer.lambda_handler(_event(token), None)
        assert not token or all(token not in record.getMessage() for record in caplog.records)
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


# ---- the same tokens through the Lambda runtimes: the reference in Python, jose in Node.js -------

AUTHORIZERS = {
    "python": "reference_impl.authorizer:lambda_handler",
    "nodejs": f"{HANDLERS / 'nodejs' / 'authorizer.mjs'}:handler",
}


@pytest.fixture(params=list(AUTHORIZERS), scope="module")
def running_authorizer(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One warm execution environment of each authorizer, started as Lambda starts it (out of process)."""
    if request.param == "nodejs":
        request.getfixturevalue("node_modules")
    target = parse_target(AUTHORIZERS[request.param])
    runtime = make_runtime(None, target, RuntimeOptions())
    environment = {
        **lambda_environment("eu-west-1", target.lambda_handler_setting, str(runtime.task_root), runtime.execution_env),
        "CONNECT_JWT_KEYS": json.dumps(KEYS),
    }
    instance = runtime.start(environment)
    yield instance
    instance.stop()


def _answer(instance: Any, token: str) -> Invocation:
    return instance.invoke(_request_with(token), 10.0)


def test_each_runtime_allows_a_valid_token_exactly(running_authorizer: Any) -> None:
    invocation = _answer(running_authorizer, _token())
    assert invocation.error is None, invocation.logs
    assert errors("v4/authorizer-response", invocation.response) == []
    assert invocation.response["principalId"] == "agent-7"
    assert invocation.response["context"] == {"clientId": "agent-7", "accounts": "123456789012,000000000042"}
    assert invocation.response["policyDocument"]["Statement"][0]["Resource"] == load_json(REQUEST)["methodArn"]


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_each_runtime_answers_a_forgery_unauthorized(running_authorizer: Any, forgery: str) -> None:
    token = FORGERIES[forgery]()
    invocation = _answer(running_authorizer, token)
    assert invocation.response is None and invocation.error is not None, invocation.summary()
    message = invocation.error.partition(": ")[2]
    assert message.split(" at ")[0] == "Unauthorized", invocation.error
    assert not token or all(token not in line for line in invocation.logs)
