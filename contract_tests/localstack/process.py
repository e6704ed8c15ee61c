"""Start LocalStack on a free loopback port, wait until DynamoDB is running, and stop it with its JVM."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from contract_tests.errors import BackendError
from contract_tests.localstack.jvm import java_tool_options
from contract_tests.localstack.layout import Layout
from contract_tests.loopback import free_loopback_port
from contract_tests.process_tree import cmdline
from contract_tests.server_keeper import KeptServer

HEALTH_PATH = "/_localstack/health"
START_TIMEOUT_S = 90.0
#: A stop takes under a second, but some hang in "Stopping all services" past 15 s (LocalStack 4.8.1, measured
#: here: 1 of 6 stops alone, 3 of 10 in a loaded test run); then the keeper ends the tree. A kill loses
#: nothing (the scratch directory is removed either way), so a hang costs this long and no more.
STOP_TIMEOUT_S = 5.0


def localstack_environment(layout: Layout, port: int, scratch: Path) -> dict[str, str]:
    """The settings that keep host-mode LocalStack on loopback, offline, and inside ``layout``.

    ``scratch`` is this process's temporary directory, removed when it stops.
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # Java ignores TMPDIR: without the property, DynamoDB Local's JVM unpacks a native library of
    # ~900 KB into the system's temporary directory on every start and never removes it.
    java_options = java_tool_options(inherited.get("JAVA_TOOL_OPTIONS", ""), f"-Djava.io.tmpdir={scratch}")
    return {
        **inherited,
        "TMPDIR": str(scratch),
        "JAVA_TOOL_OPTIONS": java_options,
        "OVERRIDE_IN_DOCKER": "0",  # a /.dockerenv file would otherwise make it act as its own container
        "DNS_ADDRESS": "0",  # as root it would serve DNS on :53 and rewrite /etc/resolv.conf
        "GATEWAY_SERVER": "hypercorn",  # the default server ignores the host part and binds 0.0.0.0
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "LOCALSTACK_HOST": f"127.0.0.1:{port}",
        "FILESYSTEM_ROOT": str(layout.filesystem_root),
        "SERVICES": "dynamodb,sts",
        "EAGER_SERVICE_LOADING": "1",
        "DISABLE_EVENTS": "1",
        "SKIP_SSL_CERT_DOWNLOAD": "1",
        "DYNAMODB_IN_MEMORY": "1",
        "DYNAMODB_REMOVE_EXPIRED_ITEMS": "1",
    }


def dynamodb_state(endpoint: str, timeout: float = 2.0) -> str | None:
    """DynamoDB's state in LocalStack's health report, or None when nothing answers."""
    try:
        with urllib.request.urlopen(endpoint + HEALTH_PATH, timeout=timeout) as answer:
            report = json.load(answer)
    except (OSError, ValueError, urllib.error.URLError):
        return None
    state = report.get("services", {}).get("dynamodb")
    return str(state) if state is not None else None


def require_running(endpoint: str) -> None:
    """Raise BackendError unless ``endpoint`` is a LocalStack whose DynamoDB is up."""
    state = dynamodb_state(endpoint)
    if state not in ("running", "available"):
        seen = "nothing answers there" if state is None else f"its DynamoDB is {state!r}"
        raise BackendError(f"no usable LocalStack at {endpoint}: {seen}")


def is_localstack(pid: int) -> bool:
    """Whether ``pid`` is LocalStack's own process (``python -m localstack.runtime.main``)."""
    return cmdline(pid).split(b"\0")[1:3] == [b"-m", b"localstack.runtime.main"]


class LocalStackProcess:
    """One LocalStack process (and its DynamoDB Local JVM) under a keeper that ends both with the gate."""

    def __init__(self, layout: Layout, port: int | None = None) -> None:
        self.layout = layout
        self.port = port or free_loopback_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = layout.logs / f"localstack-{self.port}.log"
        self.started_in_s = 0.0
        self._server: KeptServer | None = None
        self.scratch: Path | None = None

    def start(self) -> None:
        if not self.layout.is_installed():
            raise BackendError(
                f"LocalStack is not installed in {self.layout.root}; run `connect-contract localstack install` first"
            )
        self.layout.logs.mkdir(parents=True, exist_ok=True)
        self.layout.scratch.mkdir(parents=True, exist_ok=True)
        self.scratch = Path(tempfile.mkdtemp(prefix=f"localstack-{self.port}-", dir=self.layout.scratch))
        started = time.perf_counter()
        with self.log_path.open("wb") as log:
            self._server = KeptServer(
                [str(self.layout.python), "-m", "localstack.runtime.main"],
                cwd=self.layout.root,
                env=localstack_environment(self.layout, self.port, self.scratch),
                log=log,
                grace_s=STOP_TIMEOUT_S,
                remove=[self.scratch],  # by the keeper, even if the gate is killed
            )
        deadline = started + START_TIMEOUT_S
        while time.perf_counter() < deadline:
            if dynamodb_state(self.endpoint, timeout=1.0) == "running":
                self.started_in_s = time.perf_counter() - started
                return
            if self._server.poll() is not None:
                self.stop()
                raise BackendError(f"LocalStack exited during start-up; last lines of {self.log_path}:\n{self.tail()}")
            time.sleep(0.1)
        self.stop()
        raise BackendError(f"LocalStack was not healthy after {START_TIMEOUT_S:.0f} s; see {self.log_path}")

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    @property
    def pid(self) -> int | None:
        """LocalStack's own process (the keeper's child), once started."""
        server = self._server
        if server is None:
            return None
        return next((pid for pid in server.server_pids() if is_localstack(pid)), None)

    @property
    def family(self) -> set[int]:
        """LocalStack's keeper, LocalStack and its descendants (DynamoDB Local's JVM runs in a session of its own)."""
        server = self._server
        return {server.keeper_pid, *server.server_pids()} if server is not None else set()

    def stop(self) -> None:
        """End LocalStack, then every descendant still running: no orphaned JVM, no temporary files."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()
        scratch, self.scratch = self.scratch, None
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
