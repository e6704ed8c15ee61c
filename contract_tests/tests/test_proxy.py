"""The observing proxy: what it records of any SDK's calls, how it fails them, and how it signs for AWS."""

from __future__ import annotations

import datetime
import http.client
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

import boto3
import botocore.auth
import pytest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError, EndpointConnectionError

from contract_tests.aws_calls import tables_named
from contract_tests.backends import BackendOptions, make_backend
from contract_tests.loopback import QuietServer, read_body
from contract_tests.observers.proxy import FAULTS, ProxyChannel, resigned

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with make_backend("moto-server", BackendOptions()) as backend:
        endpoint = backend.endpoint_url()
        assert endpoint
        client = boto3.client(
            "dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        client.create_table(
            TableName="proxied",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "connectionId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "connectionId", "KeyType": "HASH"}],
        )
        yield endpoint


def _client(service: str, channel: ProxyChannel) -> Any:
    return boto3.client(
        service,
        endpoint_url=channel.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=NO_RETRIES,
    )


def test_calls_are_recorded_with_their_tables_and_outcomes(moto_endpoint: str) -> None:
    channel = ProxyChannel(moto_endpoint)
    dynamodb, sts = _client("dynamodb", channel), _client("sts", channel)
    try:
        with channel.recording() as calls:
            dynamodb.put_item(TableName="proxied", Item={"connectionId": {"S": "a"}})
            with pytest.raises(ClientError):
                dynamodb.put_item(TableName="proxied", Item={"connectionId": {"S": ""}})
            dynamodb.batch_write_item(
                RequestItems={"proxied": [{"PutRequest": {"Item": {"connectionId": {"S": "b"}}}}]}
            )
            sts.get_caller_identity()
    finally:
        channel.close()
    assert [(c.service, c.operation, c.table) for c in calls] == [
        ("dynamodb", "PutItem", "proxied"),
        ("dynamodb", "PutItem", "proxied"),
        ("dynamodb", "BatchWriteItem", "proxied"),
        ("sts", "GetCallerIdentity", None),
    ]
    assert [c.outcome for c in calls] == ["ok", "ValidationException", "ok", "ok"]


def test_a_call_after_its_window_belongs_to_the_last_invocation(moto_endpoint: str) -> None:
    channel = ProxyChannel(moto_endpoint)
    dynamodb = _client("dynamodb", channel)
    try:
        with channel.recording() as first:
            pass
        dynamodb.get_item(TableName="proxied", Key={"connectionId": {"S": "a"}})
        with channel.recording() as second:
            pass
    finally:
        channel.close()
    assert [c.operation for c in first] == ["GetItem"] and second == []


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_faults_look_like_dynamodb_to_the_sdk(moto_endpoint: str, fault: Any) -> None:
    channel = ProxyChannel(moto_endpoint)
    dynamodb = _client("dynamodb", channel)
    try:
        with channel.recording() as calls, channel.failing(fault):
            expected = EndpointConnectionError if fault.http_status == 0 else ClientError
            with pytest.raises((expected, ConnectionError, botocore.exceptions.ConnectionClosedError)) as raised:
                dynamodb.put_item(TableName="proxied", Item={"connectionId": {"S": "x"}})
    finally:
        channel.close()
    if isinstance(raised.value, ClientError):
        assert raised.value.response["Error"]["Code"] == fault.error_code
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == fault.http_status
    assert [c.outcome for c in calls] == [fault.error_code]


def test_nested_tables_of_transactions_are_named() -> None:
    params = {
        "TransactItems": [
            {"Put": {"TableName": "a", "Item": {}}},
            {"Update": {"TableName": "b", "Key": {}}},
            {"ConditionCheck": {"TableName": "a", "Key": {}}},
        ]
    }
    assert tables_named("TransactWriteItems", params) == ["a", "b"]
    assert tables_named("ListTables", {}) == [None]


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        self.seen.append((dict(self.headers.items()), read_body(self)))
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def test_forwarded_calls_are_signed_again_with_the_real_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    upstream = QuietServer(_Recorder)
    upstream.serve("upstream")
    real = Credentials("AKIAREALKEY", "real-secret", "real-token")
    channel = ProxyChannel(f"http://127.0.0.1:{upstream.server_address[1]}", real)
    try:
        _client("dynamodb", channel).list_tables()
    finally:
        channel.close()
        upstream.shutdown()
    headers, body = _Recorder.seen[-1]
    assert "Credential=AKIAREALKEY/" in headers["Authorization"]
    assert headers["X-Amz-Security-Token"] == "real-token"
    # The signature is the one SigV4 gives for these headers at that instant, with the real secret.
    stamp = datetime.datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")

    class Frozen(datetime.datetime):
        @classmethod
        def utcnow(cls) -> datetime.datetime:  # type: ignore[override]
            return stamp

        @classmethod
        def now(cls, tz: Any = None) -> datetime.datetime:  # type: ignore[override]
            return stamp.replace(tzinfo=tz) if tz else stamp

    monkeypatch.setattr(botocore.auth.datetime, "datetime", Frozen)
    unsigned = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "x-amz-date")}
    url = f"http://127.0.0.1:{upstream.server_address[1]}/"
    again = resigned("POST", url, unsigned, body, real.get_frozen_credentials(), "dynamodb", "us-east-1")
    assert again["Authorization"] == headers["Authorization"]


class _LengthRecorder(_Recorder):
    lengths: ClassVar[list[list[str]]] = []

    def do_POST(self) -> None:
        self.lengths.append(self.headers.get_all("Content-Length") or [])
        super().do_POST()


def test_a_lower_case_content_length_is_forwarded_once() -> None:
    """The AWS SDK for JavaScript writes header names in lower case; two Content-Length headers made
    DynamoDB Local (Jetty) answer an HTML 400 to every call of a Node.js handler."""
    upstream = QuietServer(_LengthRecorder)
    upstream.serve("upstream")
    channel = ProxyChannel(f"http://127.0.0.1:{upstream.server_address[1]}")
    body = b'{"Limit": 1}'
    try:
        connection = http.client.HTTPConnection("127.0.0.1", int(channel.url.rsplit(":", 1)[1]), timeout=10)
        headers = {
            "content-length": str(len(body)),
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": "DynamoDB_20120810.ListTables",
            "authorization": "AWS4-HMAC-SHA256 Credential=testing/20261128/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0",
        }
        connection.request("POST", "/", body=body, headers=headers)
        assert connection.getresponse().status == 200
    finally:
        channel.close()
        upstream.shutdown()
    assert _LengthRecorder.lengths[-1] == [str(len(body))]


def _raw_request(channel: ProxyChannel, path: str, target: str, body: bytes, scope: str = "us-east-1/dynamodb") -> int:
    connection = http.client.HTTPConnection("127.0.0.1", int(channel.url.rsplit(":", 1)[1]), timeout=10)
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": target,
        "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20261203/{scope}/aws4_request, SignedHeaders=host, "
        "Signature=0",
    }
    connection.request("POST", path, body=body, headers=headers)
    try:
        response = connection.getresponse()
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return 0  # the proxy reset the connection: the backend could not be reached
    response.read()
    return response.status


def test_a_request_naming_two_operations_is_refused_and_recorded_as_such() -> None:
    """`POST /?Action=Scan` with the PutItem target: the proxy would record PutItem while a backend ran Scan."""
    upstream = QuietServer(_Recorder)
    upstream.serve("upstream")
    channel = ProxyChannel(f"http://127.0.0.1:{upstream.server_address[1]}")
    seen_before = len(_Recorder.seen)
    try:
        with channel.recording() as calls:
            status = _raw_request(channel, "/?Action=Scan", "DynamoDB_20120810.PutItem", b'{"TableName": "t"}')
            plain = _raw_request(channel, "/", "DynamoDB_20120810.PutItem", b'{"TableName": "t"}')
    finally:
        channel.close()
        upstream.shutdown()
    assert status == 400
    assert plain == 200
    assert len(_Recorder.seen) == seen_before + 1, "the ambiguous request never reached the backend"
    assert calls[0].operation == "PutItem" and calls[0].table == "t"
    assert calls[0].outcome.startswith("refused by the gate: ambiguous request: it names the operations PutItem, Scan")
    assert calls[1].succeeded


def test_every_table_a_request_names_is_recorded() -> None:
    upstream = QuietServer(_Recorder)
    upstream.serve("upstream")
    channel = ProxyChannel(f"http://127.0.0.1:{upstream.server_address[1]}")
    batch = {"RequestItems": {"a": [], "b": []}}
    transaction = {"TransactItems": [{"Put": {"TableName": "c"}}, {"Delete": {"TableName": "d"}}]}
    try:
        with channel.recording() as calls:
            _raw_request(channel, "/", "DynamoDB_20120810.BatchWriteItem", json.dumps(batch).encode())
            _raw_request(channel, "/", "DynamoDB_20120810.TransactWriteItems", json.dumps(transaction).encode())
    finally:
        channel.close()
        upstream.shutdown()
    assert [call.table for call in calls] == ["a", "b", "c", "d"]


def test_aws_itself_is_reached_at_the_gates_region_never_at_a_host_the_request_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A signature scope is the handler's to write: `evil.example#` in it once chose where the re-signed
    request (with the user's key id and session token) went."""
    hosts: list[str] = []

    class Unreachable:
        def __init__(self, host: str, port: int | None = None, timeout: float = 0) -> None:
            self.host = host

        def request(self, *args: Any, **kwargs: Any) -> None:
            hosts.append(self.host)
            raise OSError("no network in this test")

        def close(self) -> None:
            """Nothing was opened."""

    monkeypatch.setattr(http.client, "HTTPSConnection", Unreachable)
    channel = ProxyChannel(None, Credentials("AKIAREALKEY", "real-secret", "real-token"), region="eu-west-1")
    try:
        with channel.recording() as calls:
            _raw_request(channel, "/", "DynamoDB_20120810.GetItem", b"{}", scope="evil.example#/dynamodb")
            status = _raw_request(channel, "/", "AWSSecurityTokenServiceV20110615.GetCallerIdentity", b"{}", "x/sts")
    finally:
        channel.close()
    assert hosts == ["dynamodb.eu-west-1.amazonaws.com"]
    assert status == 400
    assert calls[1].outcome == "refused by the gate: the gate forwards DynamoDB calls to AWS, not sts calls"
