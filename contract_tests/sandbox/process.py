"""A function's process tree inside its own sandbox, seen from the gate.

``unshare`` (util-linux, on every Linux CI image) makes the namespaces; ``init.py`` is their first
process. The gate keeps one end of a Unix socket pair: over it the sandbox's listeners arrive and
the function's wait status comes back, and closing it (or the gate's death, SIGKILL included) ends
the sandbox and every process in it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import IO, Any

from contract_tests.errors import HarnessError
from contract_tests.process_tree import descendants

INIT = resources.files("contract_tests.sandbox") / "init.py"
NAMESPACES = ["--user", "--map-root-user", "--pid", "--fork", "--kill-child", "--net", "--mount", "--mount-proc"]
NAMESPACES += ["--ipc", "--uts"]
#: The function keeps no capability, in its user namespace or any it makes, and cannot gain one.
DROP = ["--no-new-privs", "--bounding-set=-all", "--inh-caps=-all"]
#: What the first process prints when it cannot lay out the sandbox.
SETUP_FAILED = 125

#: What the sandbox's first process sends once it is laid out, with the listeners' sockets.
HANDSHAKE = b"listeners"


class SandboxError(HarnessError):
    """The sandbox could not be made on this machine."""


def tools() -> tuple[str, str]:
    """``unshare`` and ``setpriv``, or SandboxError naming what is missing."""
    found = shutil.which("unshare"), shutil.which("setpriv")
    if None in found:
        raise SandboxError("util-linux's unshare and setpriv are not on PATH")
    return found  # type: ignore[return-value]


class SandboxedProcess:
    """The function, started inside new user, PID, network, mount, IPC and UTS namespaces.

    ``listen``: addresses on the sandbox's loopback whose listening sockets the gate serves
    (in :attr:`listeners`, in the same order); nothing else is reachable from inside.
    """

    def __init__(
        self,
        command: Sequence[str],
        environment: Mapping[str, str],
        cwd: str,
        *,
        listen: Sequence[dict[str, Any]],
        layout: Mapping[str, Any],
        files: Mapping[str, str],
    ) -> None:
        unshare, setpriv = tools()
        ours, theirs = socket.socketpair()
        self._control = ours
        self._status: int | None = None
        try:
            self._popen = subprocess.Popen(
                [unshare, *NAMESPACES, sys.executable, "-I", "-S", str(INIT), str(theirs.fileno())],
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            theirs.close()
        config = {
            **layout,
            "listen": list(listen),
            "files": dict(files),
            "setpriv": setpriv,
            "drop": DROP,
            "cwd": cwd,
            "command": list(command),
            "environment": dict(environment),
        }
        data = json.dumps(config).encode()
        try:
            try:
                ours.sendall(struct.pack("!I", len(data)) + data)
                # Exactly the handshake: the socket is a stream, and a function that ends at once has its
                # "exit …" line sent right behind it (read together, the handshake looked failed).
                said, fds, _, _ = socket.recv_fds(ours, len(HANDSHAKE), max(1, len(listen)), socket.MSG_WAITALL)
            except OSError:
                said, fds = b"", []
            if said != HANDSHAKE or len(fds) != len(listen):
                for fd in fds:
                    os.close(fd)
                raise SandboxError(f"the sandbox could not be laid out: {self._last_words()}")
        except BaseException:  # an interrupt too: nothing of a half-made sandbox may outlive the gate's start
            self.kill()
            raise
        self.listeners = [socket.socket(fileno=fd) for fd in fds]
        self.pid = self._popen.pid

    def _last_words(self) -> str:
        """What the first process printed before it ended (it ends once its end of the socket closes)."""
        with contextlib.suppress(OSError):
            self._control.shutdown(socket.SHUT_RDWR)
        try:
            output, _ = self._popen.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            return "its first process did not answer"
        return output.decode(errors="replace").strip() or "its first process ended"

    @property
    def stdout(self) -> IO[bytes] | None:
        return self._popen.stdout

    def wait(self) -> int:
        """The function's exit status as ``Popen.returncode`` has it (negative: the signal that ended it)."""
        if self._status is None:
            message = b""
            with contextlib.suppress(OSError):
                while not message.endswith(b"\n"):
                    chunk = self._control.recv(64)
                    if not chunk:
                        break
                    message += chunk
            self._popen.wait()
            if message.startswith(b"exit "):
                self._status = os.waitstatus_to_exitcode(int(message.split()[1]))
            else:
                self._status = -signal.SIGKILL  # the sandbox was ended from outside
        return self._status

    def pids(self) -> set[int]:
        """The function's processes (the sandbox's first process, the gate's, is not the function's)."""
        inner = descendants(self._popen.pid)
        first = {pid for pid in inner if _parent(pid) == self._popen.pid}
        return inner - first

    def kill(self) -> None:
        """End the sandbox: its first process dies (``--kill-child``), and the kernel ends every other."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._popen.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self._control.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout=5)
        for listener in getattr(self, "listeners", []):
            listener.close()


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1
