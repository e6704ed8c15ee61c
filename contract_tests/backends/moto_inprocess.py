"""moto's in-process mock (``mock_aws``): the embedded default backend, no server, no network."""

from __future__ import annotations

from moto import mock_aws

from contract_tests.backends.base import Backend, BackendOptions


class MotoInProcess(Backend):
    """Patches botocore in this process, so the handler's plain boto3 calls land in moto."""

    name = "moto"

    def __init__(self, options: BackendOptions) -> None:
        super().__init__(options)
        self._mock: mock_aws | None = None  # type: ignore[valid-type]

    def start(self) -> None:
        self._mock = mock_aws()
        self._mock.start()

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
