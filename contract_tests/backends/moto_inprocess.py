"""moto's in-process mock (``mock_aws``): the embedded default backend, no server, no network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contract_tests.backends import moto_model
from contract_tests.backends.base import Backend, BackendOptions
from contract_tests.backends.table import TypedItem

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class MotoInProcess(Backend):
    """Patches botocore in this process, so the handler's plain boto3 calls land in moto."""

    name = "moto"

    def __init__(self, options: BackendOptions) -> None:
        super().__init__(options)
        self._mock: Any = None

    def start(self) -> None:
        # Imported here: moto adds its botocore handlers when imported, and only a check may change that state.
        from moto import mock_aws

        self._mock = mock_aws()
        self._mock.start()

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

    def read_items(self, client: DynamoDBClient, name: str) -> list[TypedItem]:
        return moto_model.read_items(client, self.options.region, name)

    def delete_items(self, client: DynamoDBClient, name: str, items: list[TypedItem]) -> None:
        moto_model.delete_items(client, self.options.region, name, items)

    def put_item(self, client: DynamoDBClient, name: str, item: TypedItem) -> None:
        moto_model.write_item(client, self.options.region, name, item)
