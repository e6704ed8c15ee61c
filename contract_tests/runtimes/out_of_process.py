"""An execution environment in a process of its own, driven through the Lambda Runtime API.

Lambda's failure semantics are kept: past the deadline the whole process group is killed ("Task
timed out"), a process that exits without answering is "Runtime exited", memory beyond the
function's setting is Lambda's out-of-memory error, and stopping an instance ends everything the
function started, however it detached itself.
"""

from __future__ import annotations

import abc
import contextlib
import functools
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from contract_tests.errors import TargetError
from contract_tests.lambda_runtime import function_arn
from contract_tests.process_tree import alive, family, marked, rss_bytes, signal_group
from contract_tests.runtimes.base import (
    INIT_ERROR_PREFIX,
    HandlerInitError,
    Instance,
    Invocation,
    Runtime,
    timed_out,
)
from contract_tests.runtimes.output import BoundedOutput, read_line
from contract_tests.runtimes.runtime_api import Answer, PendingEvent, RuntimeApi
from contract_tests.sandbox.addresses import LOOPBACK, RUNTIME_API_PORT, Listener
from contract_tests.sandbox.certificates import authority_pem
from contract_tests.sandbox.hostnames import endpoint_names, management_host
from contract_tests.sandbox.layout import CA_FILE, HOSTS_FILE, RESOLV_FILE, filesystem, node_modules_above
from contract_tests.sandbox.process import SandboxedProcess

#: Lambda gives a function's initialisation 10 s before it gives up on the environment.
INIT_TIMEOUT_S = 10.0
#: Printed by the harness's runtime clients after the function's own output, before each answer.
END_OF_OUTPUT = "\x1econnect-contract:end "
MEMORY_POLL_S = 0.05
#: Inherited by everything the function starts, so a daemon that left the process tree is still found.
INSTANCE_MARK = "CONNECT_CONTRACT_INSTANCE"


class _PlainProcess:
    """The function's process tree on the gate's own machine, found by its group and by its mark."""

    def __init__(self, command: Sequence[str], environment: Mapping[str, str], cwd: str) -> None:
        self.mark = uuid.uuid4().hex
        self._popen = subprocess.Popen(
            list(command),
            cwd=cwd,
            env={**environment, INSTANCE_MARK: self.mark},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.stdout = self._popen.stdout
        self.pid = self._popen.pid

    def wait(self) -> int:
        return self._popen.wait()

    def pids(self) -> set[int]:
        return family(self.pid, self.pid)

    def kill(self) -> None:
        """SIGKILL the process group and everything carrying this instance's mark, however it detached itself."""
        for _ in range(5):
            members = family(self.pid, self.pid) | marked(INSTANCE_MARK, self.mark)
            signal_group(self.pid, signal.SIGKILL)
            for member in members:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(member, signal.SIGKILL)
            if not any(alive(member) for member in members):
                break
            time.sleep(0.02)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout=5)


@dataclass(frozen=True)
class SandboxPlan:
    """What a sandboxed environment is given besides its command: its filesystem, files and variables."""

    layout: Mapping[str, Any]
    files: Mapping[str, str]
    environment: Mapping[str, str]


class ProcessInstance(Instance):
    """One function process (in its sandbox, given a ``sandbox`` plan), its Runtime API, and what it printed."""

    def __init__(
        self,
        command: Sequence[str],
        environment: Mapping[str, str],
        cwd: str,
        memory_mb: int,
        *,
        marks_output: bool,
        spec: str,
        sandbox: SandboxPlan | None = None,
        listeners: Sequence[Listener] = (),
    ) -> None:
        self.spec = spec
        self.memory_mb = memory_mb
        self._marks_output = marks_output
        self._region = environment.get("AWS_REGION", "us-east-1")
        self._function = environment.get("AWS_LAMBDA_FUNCTION_NAME", "function")
        self._output = BoundedOutput()
        self._ends: set[str] = set()
        self._dead = False
        self._last_answer = time.monotonic()
        self.exit_status: int | None = None
        self.process: _PlainProcess | SandboxedProcess
        if sandbox is None:
            self.api = RuntimeApi()
            self.process = _PlainProcess(command, {**environment, "AWS_LAMBDA_RUNTIME_API": self.api.address}, cwd)
        else:
            self.process = SandboxedProcess(
                command,
                {**environment, **sandbox.environment, "AWS_LAMBDA_RUNTIME_API": f"{LOOPBACK}:{RUNTIME_API_PORT}"},
                cwd,
                listen=[
                    {"host": LOOPBACK, "port": RUNTIME_API_PORT},
                    *({"host": LOOPBACK, "port": listener.port, "udp": listener.udp} for listener in listeners),
                ],
                layout=sandbox.layout,
                files=sandbox.files,
            )
            api_socket, *served = self.process.listeners
            self.api = RuntimeApi(api_socket)
            for listener, listening in zip(listeners, served, strict=True):
                listener.serve(listening)
        self._reader = threading.Thread(target=self._read_output, name="lambda-output", daemon=True)
        self._reader.start()
        self._waiter = threading.Thread(target=self._wait_exit, name="lambda-exit", daemon=True)
        self._waiter.start()
        self._wait_ready(INIT_TIMEOUT_S)

    # ---- output and exit, watched from threads --------------------------------------------------

    def _read_output(self) -> None:
        assert self.process.stdout is not None
        while (read := read_line(self.process.stdout)) is not None:
            line, cut = read
            with self.api.changed:
                if line.startswith(END_OF_OUTPUT) and not cut:
                    self._ends.add(line.removeprefix(END_OF_OUTPUT))
                elif line.strip():
                    self._output.add(line + (" [connect-contract: line cut]" if cut else ""))
                self.api.changed.notify_all()

    def _wait_exit(self) -> None:
        status = self.process.wait()
        with self.api.changed:
            self.exit_status = status
            self.api.changed.notify_all()

    def _exit_reason(self) -> str:
        status = self.exit_status
        if status is not None and status < 0:
            return f"Runtime exited with error: signal: {(signal.strsignal(-status) or str(-status)).lower()}"
        if status:
            return f"Runtime exited with error: exit status {status}"
        return "Runtime exited without providing a reason"

    # ---- initialisation --------------------------------------------------------------------------

    def _wait_ready(self, timeout_s: float) -> None:
        api = self.api
        api.wait(lambda: api.ready or api.init_error is not None or self.exit_status is not None, timeout_s)
        if api.ready and api.init_error is None:
            return
        if api.init_error is not None:
            error = api.init_error
            if error.get("errorType") == "Runtime.HandlerNotFound":
                self.stop()
                raise TargetError(f"--handler {self.spec!r}: {error.get('errorMessage')}")
            reason = f"{error.get('errorType')}: {error.get('errorMessage')}{_where(error)}"
        elif self.exit_status is not None:
            reason = self._exit_reason()
        else:
            reason = f"Runtime.InitTimeout: the function did not finish initialising within {timeout_s:.0f} s"
        output = "; ".join(self._output.last(3))
        self.stop()
        raise HandlerInitError(INIT_ERROR_PREFIX + reason + (f" — its last output: {output}" if output else ""))

    # ---- invocations ---------------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        return not self._dead and self.exit_status is None

    def invoke(self, event: Any, timeout_s: float) -> Invocation:
        api = self.api
        request_id = str(uuid.uuid4())
        first_line = self._output.count
        result = Invocation()
        result.started_ms = time.time_ns() // 1_000_000
        deadline = time.monotonic() + timeout_s
        api.send(
            PendingEvent(
                request_id,
                json.dumps(event).encode(),
                result.started_ms + int(timeout_s * 1000),
                function_arn(self._region, self._function),
            )
        )

        def settled() -> bool:
            return request_id in api.answers or self.exit_status is not None

        over_memory = False
        while not settled() and time.monotonic() < deadline:
            api.wait(settled, min(MEMORY_POLL_S, max(0.0, deadline - time.monotonic())))
            if not settled() and self._memory_used() > self.memory_mb * 1024 * 1024:
                over_memory = True
                break
        result.finished_ms = -(-time.time_ns() // 1_000_000)
        self._last_answer = time.monotonic()
        answer = api.answers.get(request_id)
        if answer is not None:
            self._take_answer(result, answer)
            # Output printed before the answer may still be in the pipe: wait for the client's mark.
            if self._marks_output:
                api.wait(lambda: request_id in self._ends or self.exit_status is not None, 1.0)
            else:
                time.sleep(0.02)
        elif over_memory:
            self.stop()
            result.error = (
                f"Runtime.OutOfMemory: the function used more than its {self.memory_mb} MB "
                "(Runtime exited with error: signal: killed)"
            )
        elif self.exit_status is not None:
            self._dead = True
            self._reader.join(timeout=1)  # what it printed on its way out
            result.error = self._exit_reason()
        else:
            self.stop()
            result.error = timed_out(timeout_s)
        result.logs = self._output.since(first_line)
        return result

    def output(self, first: int = 0, last: int | None = None) -> list[str]:
        with self.api.changed:
            return self._output.since(first) if last is None else self._output.between(first, last)

    @property
    def printed(self) -> int:
        return self._output.count

    def settle(self, quiet_s: float, linger_s: float, limit_s: float) -> None:
        deadline = time.monotonic() + limit_s
        lingered = self._last_answer + linger_s
        seen = -1
        while self.alive and time.monotonic() < deadline:
            if self._output.count == seen and time.monotonic() >= lingered:
                return
            seen = self._output.count
            quiet = max(quiet_s, lingered - time.monotonic())
            self.api.wait(self._printed_since(seen), min(quiet, max(0.0, deadline - time.monotonic())))

    def _printed_since(self, count: int) -> Callable[[], bool]:
        return lambda: self._output.count != count

    @staticmethod
    def _take_answer(result: Invocation, answer: Answer) -> None:
        if answer.kind == "error":
            try:
                error = json.loads(answer.body or b"{}")
            except ValueError:
                error = {"errorMessage": answer.body.decode(errors="replace")}
            error = error if isinstance(error, dict) else {"errorMessage": str(error)}
            kind = error.get("errorType") or answer.error_type or "Error"
            result.error = f"{kind}: {error.get('errorMessage', '')}{_where(error)}"
            result.error_message = str(error.get("errorMessage", ""))
            return
        try:
            result.response = json.loads(answer.body) if answer.body else None
        except ValueError:
            result.error = "Runtime.InvalidResponse: the function's response is not JSON"

    def _memory_used(self) -> int:
        return rss_bytes(self.process.pids())

    # ---- the end -------------------------------------------------------------------------------

    def stop(self) -> None:
        """End the environment and everything the function started in it, however it detached itself."""
        self._dead = True
        self.process.kill()
        self._reader.join(timeout=1)
        self.api.close()


def _where(error: dict[str, Any]) -> str:
    """The innermost frame a runtime client reported, if it did."""
    trace = error.get("stackTrace")
    if isinstance(trace, list) and trace:
        return f" at {str(trace[-1]).strip().splitlines()[0]}"
    return ""


#: What the function's process keeps of the harness's own environment: where programs are, and text encoding.
KEPT_VARIABLES = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")
#: Where SDKs and TLS libraries look for the certificates they trust: botocore, Node.js, OpenSSL (Go, Rust), requests.
CA_VARIABLES = ("AWS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
#: The runtime clients the harness runs functions with.
CLIENTS = resources.files("contract_tests.runtimes") / "clients"


class ProcessRuntime(Runtime):
    """A runtime whose instances are processes started from :meth:`command`."""

    #: Whether the runtime client prints END_OF_OUTPUT before each answer (the harness's own clients do).
    marks_output = True

    @abc.abstractmethod
    def command(self) -> list[str]:
        """The program that starts the function and speaks the Runtime API."""

    def program_paths(self) -> list[str]:
        """What the program that runs the function reads besides the code (its interpreter's installation)."""
        return []

    @functools.cached_property
    def _plans(self) -> dict[str, SandboxPlan]:
        return {}

    def sandbox_plan(self, region: str) -> SandboxPlan:
        """The filesystem, files and variables of this function's sandboxes, made once per region: every
        environment start needs it, and it does not change during a check."""
        if region not in self._plans:
            self._plans[region] = self._new_sandbox_plan(region)
        return self._plans[region]

    def _new_sandbox_plan(self, region: str) -> SandboxPlan:
        task_root = self.task_root.resolve()
        needed = [str(task_root), str(CLIENTS), *self.program_paths(), *node_modules_above(task_root)]
        names = ["localhost", *endpoint_names(region), management_host(region)]
        hosts = "".join(f"{LOOPBACK} {name}\n" for name in names)
        return SandboxPlan(
            layout=filesystem(needed, os.getcwd()),
            files={
                CA_FILE: authority_pem(),
                HOSTS_FILE: hosts + "::1 localhost\n",
                RESOLV_FILE: "nameserver 127.0.0.1\n",
            },
            environment={name: CA_FILE for name in CA_VARIABLES},
        )

    def start(self, environment: Mapping[str, str], listeners: Sequence[Listener] = ()) -> ProcessInstance:
        kept = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
        contained = self.containment.contained
        return ProcessInstance(
            self.command(),
            {**kept, **environment},
            str(self.task_root),
            self.options.memory_mb,
            marks_output=self.marks_output,
            spec=self.target.spec,
            sandbox=self.sandbox_plan(environment.get("AWS_REGION", "us-east-1")) if contained else None,
            listeners=listeners if contained else (),
        )
