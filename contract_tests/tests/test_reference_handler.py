"""The reference handler, called directly on moto: fixtures in, expected items out, one log line per refusal."""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from contract_tests.lambda_runtime import LambdaContext
from contract_tests.tests.conftest import FIXTURES, load_json

TABLE = "RemediationWebSocketConnections"


@pytest.fixture
def handler(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, Any]]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("CONNECTIONS_TABLE", TABLE)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(**load_json(FIXTURES / "tables" / "connections.json"))
        import reference_impl.handler as module

        yield importlib.reload(module), client


def _items(client: Any) -> list[dict[str, Any]]:
    return client.scan(TableName=TABLE)["Items"]


@pytest.mark.parametrize("path", sorted((FIXTURES / "events").glob("*.json")), ids=lambda p: p.stem)
def test_stores_the_expected_item(handler: tuple[ModuleType, Any], path: Path) -> None:
    module, client = handler
    before = time.time_ns() // 1_000_000
    response = module.lambda_handler(load_json(path), LambdaContext(region="us-east-1"))
    after = time.time_ns() // 1_000_000
    assert response == {"statusCode": 200, "body": "connected"}
    [item] = _items(client)
    expected = load_json(FIXTURES / "expected" / f"{path.stem}.item.json")
    assert before <= int(item.pop("createdAt")["N"]) <= after
    expected.pop("createdAt")
    assert item == expected


@pytest.mark.parametrize("path", sorted((FIXTURES / "events" / "malformed").glob("*.json")), ids=lambda p: p.stem)
def test_refuses_malformed_events_with_one_log_line(
    handler: tuple[ModuleType, Any], path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    module, client = handler
    with caplog.at_level(logging.INFO):
        response = module.lambda_handler(load_json(path), LambdaContext(region="us-east-1"))
    assert response["statusCode"] == 400
    assert _items(client) == []
    assert len(caplog.records) == 1 and caplog.records[0].levelno == logging.ERROR
    assert "malformed $connect event" in caplog.records[0].getMessage()


def test_refuses_when_the_table_is_unset(
    handler: tuple[ModuleType, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    module, client = handler
    monkeypatch.delenv("CONNECTIONS_TABLE")
    with caplog.at_level(logging.INFO):
        response = module.lambda_handler(load_json(FIXTURES / "events" / "no-query-string.json"), None)
    assert response["statusCode"] == 500
    assert _items(client) == []
    assert [r.getMessage() for r in caplog.records] == ["connect refused (500): CONNECTIONS_TABLE is not set"]


def test_refuses_when_the_table_is_missing(
    handler: tuple[ModuleType, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    module, _ = handler
    monkeypatch.setenv("CONNECTIONS_TABLE", "no-such-table")
    with caplog.at_level(logging.INFO):
        response = module.lambda_handler(load_json(FIXTURES / "events" / "no-query-string.json"), None)
    assert response["statusCode"] == 500
    assert len(caplog.records) == 1 and "ResourceNotFoundException" in caplog.records[0].getMessage()


def test_builds_its_boto3_resource_once_per_container(handler: tuple[ModuleType, Any]) -> None:
    module, _ = handler
    event = load_json(FIXTURES / "events" / "no-query-string.json")
    with mock.patch("boto3.resource") as resource, mock.patch("boto3.client") as new_client:
        for _ in range(3):
            assert module.lambda_handler(event, None)["statusCode"] == 200
    resource.assert_not_called()
    new_client.assert_not_called()


# ---- v4: behind the reference authorizer ---------------------------------------------------------

AUTHORIZED = {"clientId": "agent-7", "accounts": "123456789012,000000000042", "principalId": "agent-7"}


def _v4_event(query: dict[str, str], authorizer: dict[str, Any] | None = AUTHORIZED) -> dict[str, Any]:
    event = load_json(FIXTURES / "events" / "no-query-string.json")
    event["queryStringParameters"] = dict(query)
    event["multiValueQueryStringParameters"] = {name: [value] for name, value in query.items()}
    if authorizer is not None:
        event["requestContext"]["authorizer"] = dict(authorizer)
    return event


def test_v4_stores_the_authenticated_client_and_never_the_token(
    handler: tuple[ModuleType, Any], caplog: pytest.LogCaptureFixture
) -> None:
    module, client = handler
    query = {"token": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl", "account": "000000000042", "region": "eu-west-1"}
    with caplog.at_level(logging.DEBUG):
        assert module.lambda_handler_v4(_v4_event(query), None) == {"statusCode": 200, "body": "connected"}
    (item,) = _items(client)
    assert item["clientId"] == {"S": "agent-7"} and item["account"] == {"S": "000000000042"}
    assert set(item) == {"connectionId", "createdAt", "clientId", "account", "region", "expiresAt"}
    assert all(query["token"] not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("query", "authorizer", "status"),
    [
        ({"token": "t"}, None, 401),
        ({"token": "t"}, {"principalId": "agent-7"}, 401),
        ({"token": "t", "clientId": "agent-8"}, AUTHORIZED, 403),
        ({"token": "t", "account": "999999999999"}, AUTHORIZED, 403),
        ({"token": "t", "account": "12345678901"}, AUTHORIZED, 400),
    ],
    ids=["no-authorizer", "no-context", "another-client", "another-account", "invalid-account"],
)
def test_v4_refuses_what_the_authenticated_client_may_not_do(
    handler: tuple[ModuleType, Any], query: dict[str, str], authorizer: dict[str, Any] | None, status: int
) -> None:
    module, client = handler
    assert module.lambda_handler_v4(_v4_event(query, authorizer), None)["statusCode"] == status
    assert _items(client) == []


def test_v4_accepts_the_clients_own_id_repeated_in_the_query(handler: tuple[ModuleType, Any]) -> None:
    module, client = handler
    assert module.lambda_handler_v4(_v4_event({"token": "t", "clientId": "agent-7"}), None)["statusCode"] == 200
    assert _items(client)[0]["clientId"] == {"S": "agent-7"}


def test_v4_behind_the_reference_authorizer(handler: tuple[ModuleType, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A minted token through the authorizer, its context passed on as API Gateway does, stored by v4."""
    from contract_tests.tokens import claims, mint

    module, client = handler
    monkeypatch.setenv("CONNECT_JWT_KEYS", '{"k1": "a-secret-of-at-least-thirty-two-bytes"}')
    import reference_impl.authorizer as authorizer_module

    authorizer = importlib.reload(authorizer_module)
    token = mint(claims("agent-9", ["210987654321"], 300), "k1", "a-secret-of-at-least-thirty-two-bytes")
    allow = authorizer.lambda_handler(
        {"methodArn": "arn:aws:execute-api:x", "queryStringParameters": {"token": token}}, None
    )
    context = {**allow["context"], "principalId": allow["principalId"]}
    event = _v4_event({"token": token, "account": "210987654321"}, context)
    assert module.lambda_handler_v4(event, None)["statusCode"] == 200
    (item,) = _items(client)
    assert item["clientId"] == {"S": "agent-9"} and item["account"] == {"S": "210987654321"}


def test_the_reference_router_posts_once_to_each_throttled_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """It posts one connection after another: with the SDK's default retries (three attempts a post here,
    after random waits that double) five throttled connections took 8 s, past its 3 s timeout. One
    attempt each, the throttled ones counted failed."""
    from contract_tests.management_api import ManagementApi

    api = ManagementApi()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("CONNECTIONS_TABLE", TABLE)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    router = importlib.import_module("reference_impl.router")
    fleet = [f"agent-{n}=" for n in range(5)]
    monkeypatch.setattr(router, "live_connections", lambda account, region, now_ms: fleet)
    monkeypatch.setattr(router, "_management", None)
    try:
        monkeypatch.setenv("CONNECTIONS_ENDPOINT", api.url(sandboxed=False))
        event = {"account": "123456789012", "region": "us-east-1", "message": {}}
        with api.scripting({connection: [429] for connection in fleet}) as attempts:
            counts = router.lambda_handler(event, LambdaContext(region="us-east-1"))
    finally:
        api.close()
    assert counts == {"delivered": 0, "pruned": 0, "failed": len(fleet)}
    assert [(attempt.method, attempt.connection_id) for attempt in attempts] == [("POST", c) for c in fleet]
