"""LocalStack's DynamoDB (DynamoDB Local inside LocalStack), started and owned by the harness."""

from __future__ import annotations

import os

from contract_tests.backends.base import Backend, BackendOptions
from contract_tests.localstack.layout import Layout
from contract_tests.localstack.process import LocalStackProcess, require_running


class LocalStack(Backend):
    """Starts LocalStack on a free port, or reuses ``--endpoint`` / ``$LOCALSTACK_ENDPOINT``."""

    name = "localstack"
    capabilities = frozenset({"network-outage"})

    def __init__(self, options: BackendOptions, layout: Layout | None = None) -> None:
        super().__init__(options)
        self.layout = layout or Layout.default()
        self.reused_endpoint = options.endpoint or os.environ.get("LOCALSTACK_ENDPOINT") or None
        self.process: LocalStackProcess | None = None

    def endpoint_url(self) -> str | None:
        if self.reused_endpoint:
            return self.reused_endpoint.rstrip("/")
        return self.process.endpoint if self.process else None

    def start(self) -> None:
        if self.reused_endpoint:
            require_running(self.reused_endpoint.rstrip("/"))
            return
        self.process = LocalStackProcess(self.layout)
        self.process.start()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.stop()
