"""LocalStack's DynamoDB (DynamoDB Local inside LocalStack), started and owned by the harness."""

from __future__ import annotations

import os
import urllib.error
import urllib.request

from contract_tests.backends.base import Backend, BackendOptions
from contract_tests.errors import BackendError
from contract_tests.localstack.layout import Layout
from contract_tests.localstack.process import LocalStackProcess, require_running

EXPIRY_PATH = "/_aws/dynamodb/expired"


class LocalStack(Backend):
    """Starts LocalStack on a free port, or reuses ``--endpoint`` / ``$LOCALSTACK_ENDPOINT``."""

    shareable = True

    name = "localstack"
    capabilities = frozenset({"network-outage", "ttl-expiry"})

    def __init__(self, options: BackendOptions, layout: Layout | None = None) -> None:
        super().__init__(options)
        self.layout = layout or Layout.default()
        self.reused_endpoint = options.endpoint or os.environ.get("LOCALSTACK_ENDPOINT") or None
        self.process: LocalStackProcess | None = None

    def endpoint_url(self) -> str | None:
        if self.reused_endpoint:
            return self.reused_endpoint.rstrip("/")
        return self.process.endpoint if self.process else None

    def sweep_expired_items(self) -> None:
        """LocalStack keeps TTL settings itself and deletes expired items only when asked (or hourly)."""
        endpoint = self.endpoint_url()
        request = urllib.request.Request(f"{endpoint}{EXPIRY_PATH}", method="DELETE")
        try:
            urllib.request.urlopen(request, timeout=30).close()
        except (OSError, urllib.error.URLError) as error:
            raise BackendError(f"LocalStack at {endpoint} did not sweep expired items: {error}") from error

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
