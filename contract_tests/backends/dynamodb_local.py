"""DynamoDB Local, AWS's own emulator, run directly: the one local backend that deletes expired items itself."""

from __future__ import annotations

import os
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

from contract_tests.backends.base import Backend, BackendOptions
from contract_tests.errors import BackendError
from contract_tests.localstack.jvm import java_tool_options
from contract_tests.localstack.layout import Layout
from contract_tests.loopback import free_loopback_port
from contract_tests.server_keeper import KeptServer
from contract_tests.table_definition import TableDefinition

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise BackendError("DynamoDB Local needs Java 17 or later on PATH (`java -version`); install a JRE first")
    return java


def _answers(endpoint: str) -> bool:
    """Any HTTP answer counts: DynamoDB Local answers a bare GET with 400 once it serves requests."""
    try:
        urllib.request.urlopen(endpoint, timeout=1).close()
    except urllib.error.HTTPError:
        return True
    except (OSError, urllib.error.URLError):
        return False
    return True


class DynamoDBLocal(Backend):
    """Starts DynamoDB Local (in memory) on a free loopback port, or reuses one at ``--endpoint``.

    The jar is the one ``connect-contract localstack install`` fetches, so one provisioning serves both.
    """

    shareable = True

    name = "dynamodb-local"
    capabilities = frozenset({"network-outage", "ttl-expiry"})

    def __init__(self, options: BackendOptions, layout: Layout | None = None) -> None:
        super().__init__(options)
        self.layout = layout or Layout.default()
        self.directory: Path = self.layout.dynamodb_local
        self._endpoint = options.endpoint.rstrip("/") if options.endpoint else None
        self._server: KeptServer | None = None
        self.log_path = self.layout.logs / "dynamodb-local.log"

    def endpoint_url(self) -> str | None:
        return self._endpoint

    def capabilities_for(self, table: TableDefinition) -> dict[str, str | None]:
        found = super().capabilities_for(table)
        if table.indexes:
            # Measured: on a table with a global secondary index its TTL sweep deletes only the expired
            # items the index holds; an item outside a sparse index outlives its TTL for good.
            found["ttl-expiry"] = (
                "on this backend: dynamodb-local never deletes expired items a table's sparse index leaves out"
            )
        return found

    def start(self) -> None:
        if self._endpoint is not None:
            if not _answers(self._endpoint):
                raise BackendError(f"no DynamoDB Local answers at {self._endpoint}")
            return
        jar = self.directory / "DynamoDBLocal.jar"
        if not jar.is_file():
            raise BackendError(
                f"DynamoDB Local is not installed ({jar} is missing); run `connect-contract localstack install` first"
            )
        port = free_loopback_port()
        self.log_path = self.layout.logs / f"dynamodb-local-{port}.log"
        self.layout.logs.mkdir(parents=True, exist_ok=True)
        endpoint = f"http://127.0.0.1:{port}"
        command = [
            _java(),
            f"-Djava.library.path={self.directory / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            "-inMemory",
            "-port",
            str(port),
        ]
        with self.log_path.open("wb") as log:
            self._server = KeptServer(
                command,
                cwd=self.directory,
                env={
                    **os.environ,
                    "DDB_LOCAL_TELEMETRY": "0",  # it would otherwise report its use to AWS
                    "JAVA_TOOL_OPTIONS": java_tool_options(os.environ.get("JAVA_TOOL_OPTIONS", "")),
                },
                log=log,
                grace_s=STOP_TIMEOUT_S,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if _answers(endpoint):
                self._endpoint = endpoint
                return
            if self._server.poll() is not None:
                self.stop()
                log_tail = self.log_path.read_text(errors="replace")[-2000:]
                raise BackendError(f"DynamoDB Local exited during start-up:\n{log_tail}")
            time.sleep(0.1)
        self.stop()
        raise BackendError(f"DynamoDB Local did not answer within {START_TIMEOUT_S:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._endpoint = None
        server.stop()
