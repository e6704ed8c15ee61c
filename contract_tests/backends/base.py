"""The backend interface: start, give the handler its SDK environment, answer observation calls."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, cast

import botocore.session
from botocore.config import Config
from botocore.credentials import Credentials

from contract_tests.backends.table import TypedItem, clear_table, put_item, scan_items
from contract_tests.contracts.clause import CAPABILITIES
from contract_tests.loopback import DeadPort
from contract_tests.sdk_models import shared_loader
from contract_tests.table_definition import TableDefinition

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
# The harness's own calls fail fast: a dead backend must end the check, not stall it in retries.
OBSERVER_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30)


def plain_client(endpoint: str | None, region: str, credentials: dict[str, str] | None = None) -> DynamoDBClient:
    """A DynamoDB client of the harness's own, on its own session (never the handler's)."""
    creds = DUMMY_CREDENTIALS if credentials is None else credentials
    session = botocore.session.Session()
    session.register_component("data_loader", shared_loader())
    client = session.create_client(
        "dynamodb",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=creds.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=creds.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=creds.get("AWS_SESSION_TOKEN"),
        config=OBSERVER_CONFIG,
    )
    return cast("DynamoDBClient", client)


@dataclass(frozen=True)
class BackendOptions:
    """What every backend is told: the region, an endpoint to reuse, and consent to create real tables."""

    region: str = "us-east-1"
    endpoint: str | None = None
    create_real_table: bool = False


class Backend(abc.ABC):
    """A place DynamoDB lives for the length of one check."""

    name: str = ""
    #: What this backend can show that others cannot: ``"network-outage"`` (a real dead endpoint),
    #: ``"ttl-expiry"`` (it really deletes items whose TTL attribute has passed).
    capabilities: frozenset[str] = frozenset()
    #: A server other processes can reuse at its endpoint (``--endpoint``): ``--jobs`` workers share one.
    shareable: bool = False

    def __init__(self, options: BackendOptions) -> None:
        self.options = options
        self._dead_port: DeadPort | None = None

    def capabilities_for(self, table: TableDefinition) -> dict[str, str | None]:
        """Every capability of ``CAPABILITIES``, and where and why this backend lacks it for ``table`` (None:
        it has it), e.g. "on this backend: moto does not …"."""
        return {
            name: None if name in self.capabilities else f"on this backend: {self.name} does not {what}"
            for name, what in CAPABILITIES.items()
        }

    @abc.abstractmethod
    def start(self) -> None:
        """Make DynamoDB reachable; raise BackendError with a next step when it cannot be."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Release everything ``start`` took; safe to call twice."""

    def endpoint_url(self) -> str | None:
        """The HTTP endpoint, for backends reached over the wire."""
        return None

    def handler_environment(self) -> dict[str, str]:
        """Variables the handler's SDK needs to reach this backend: endpoint and credentials."""
        endpoint = self.endpoint_url()
        routing = {"AWS_ENDPOINT_URL_DYNAMODB": endpoint, "AWS_ENDPOINT_URL": endpoint} if endpoint else {}
        return {**DUMMY_CREDENTIALS, **routing}

    def unreachable_endpoint(self) -> str | None:
        """Where a function's calls meet a real outage (a loopback port nothing listens on), for the
        backends a function reaches over HTTP; ``None`` where it has no endpoint to lose.

        The same port for the backend's whole life, held so that nothing else can listen on it.
        """
        if "network-outage" not in self.capabilities:
            return None
        if self._dead_port is None:
            self._dead_port = DeadPort()
        return self._dead_port.url

    def take_notes(self) -> list[str]:
        """What the backend did that a report must say, since the last time it was asked (its own failures)."""
        return []

    def sweep_expired_items(self) -> None:  # noqa: B027 - optional: only LocalStack must be asked
        """Ask the backend to delete expired items now; a backend that sweeps on its own needs nothing."""

    def signing_credentials(self) -> Credentials | None:
        """Credentials the observing proxy signs forwarded calls with: only a backend that checks signatures."""
        return None

    def client(self) -> DynamoDBClient:
        """A low-level client for the harness's own observations, outside any recording window."""
        return plain_client(self.endpoint_url(), self.options.region)

    def read_items(self, client: DynamoDBClient, name: str) -> list[TypedItem]:
        """Every item of table ``name`` (TableGone when it was deleted): a strongly consistent Scan."""
        return scan_items(client, name)

    def delete_items(self, client: DynamoDBClient, name: str, items: list[TypedItem]) -> None:
        """Delete ``items``, as ``read_items`` returned them, so the next example starts from an empty table."""
        clear_table(client, name, items)

    def put_item(self, client: DynamoDBClient, name: str, item: TypedItem) -> None:
        """Write an item of the harness's own (a connection already there, a router's agent): a PutItem."""
        put_item(client, name, item)

    def __enter__(self) -> Backend:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        try:
            self.stop()
        finally:
            if self._dead_port is not None:
                self._dead_port.close()
                self._dead_port = None
