"""The backend interface: start, give the handler its SDK environment, answer observation calls."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@dataclass(frozen=True)
class BackendOptions:
    """What every backend is told: the region, and an endpoint to reuse instead of starting one."""

    region: str = "us-east-1"
    endpoint: str | None = None


class Backend(abc.ABC):
    """A place DynamoDB lives for the length of one check."""

    name: str = ""
    #: Things the backend can observe that others cannot (e.g. ``"ttl-expiry"``).
    capabilities: frozenset[str] = frozenset()

    def __init__(self, options: BackendOptions) -> None:
        self.options = options

    @abc.abstractmethod
    def start(self) -> None:
        """Make DynamoDB reachable; raise BackendError with a next step when it cannot be."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Release everything ``start`` took; safe to call twice."""

    def handler_environment(self) -> dict[str, str]:
        """Variables the handler's SDK needs to reach this backend (region and credentials aside)."""
        return {**DUMMY_CREDENTIALS}

    def endpoint_url(self) -> str | None:
        """The HTTP endpoint, for backends reached over the wire."""
        return None

    def client(self) -> DynamoDBClient:
        """A low-level client for the harness's own observations, outside any recording window."""
        env = self.handler_environment()
        return boto3.session.Session().client(
            "dynamodb",
            region_name=self.options.region,
            endpoint_url=self.endpoint_url(),
            aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=env.get("AWS_SESSION_TOKEN"),
            config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30),
        )

    def __enter__(self) -> Backend:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
