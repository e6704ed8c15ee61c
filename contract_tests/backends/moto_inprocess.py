"""moto's in-process mock (``mock_aws``): the embedded default backend, no server, no network."""

from __future__ import annotations

from typing import Any

from contract_tests.backends.base import Backend, BackendOptions


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
