"""A server the gate starts (DynamoDB Local, LocalStack) runs under a keeper, so it cannot outlive the gate.

The server runs in a session of its own, so that a Ctrl-C meant for the gate reaches it only through
the gate's orderly stop; but then a gate killed outright (SIGKILL: a cancelled CI job, the OOM killer)
would leave it running for good, holding a port, memory and a temporary directory. The keeper is the
server's parent. It holds the read end of a pipe whose write end only the gate holds: the kernel closes
that end when the gate's process ends, however it ends, and the keeper then ends every process below
it (a child subreaper, so LocalStack's JVM, in a session of its own, is still below it) and removes
the directories it was given. Closing the pipe is also how the gate stops the server.

No library does this: process supervisors (supervisord, systemd) outlive their client by design.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from contract_tests.process_tree import alive, descendants, family

PR_SET_CHILD_SUBREAPER = 36
#: What the keeper waits for the server's leftovers after each of SIGTERM and SIGKILL.
LEFTOVER_WAIT_S = 2.0
#: How long the gate waits for the keeper beyond the server's grace before it kills the keeper's group.
MARGIN_S = 3 * LEFTOVER_WAIT_S


class KeptServer:
    """A server started under its keeper: ``stop()``, or the gate's death, ends the server's whole tree."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        log: IO[bytes],
        grace_s: float,
        remove: Sequence[Path] = (),
    ) -> None:
        self.grace_s = grace_s
        read_end, self._lifeline = os.pipe()
        removals = [word for path in remove for word in ("--remove", str(path))]
        try:
            self._keeper = subprocess.Popen(
                [
                    *(sys.executable, "-m", "contract_tests.server_keeper", "--grace", str(grace_s), *removals),
                    *("--cwd", str(cwd), str(read_end), "--", *command),
                ],
                env=env,  # and the gate's working directory, from which it imported this module
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=[read_end],
                start_new_session=True,  # no Ctrl-C from the gate's terminal: the gate stops it in order
            )
        except BaseException:
            os.close(self._lifeline)
            raise
        finally:
            os.close(read_end)

    @property
    def keeper_pid(self) -> int:
        return self._keeper.pid

    def server_pids(self) -> set[int]:
        """The server and every process it started, however they regrouped themselves."""
        return descendants(self._keeper.pid)

    def poll(self) -> int | None:
        """None while the server runs; once it has ended, its exit status (128 + N: ended by signal N)."""
        return self._keeper.poll()

    def stop(self) -> None:
        """End the server's tree as the keeper does when the gate dies; idempotent."""
        if self._lifeline >= 0:
            os.close(self._lifeline)
            self._lifeline = -1
        try:
            self._keeper.wait(timeout=self.grace_s + MARGIN_S)
        except subprocess.TimeoutExpired:
            for pid in family(self._keeper.pid, self._keeper.pid):  # the keeper, its group and its tree
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self._keeper.wait()


# ---- the keeper's own process ---------------------------------------------------------------------


class _Tree:
    """The server the keeper started, every process below the keeper, and the server's exit status once
    it has been collected."""

    def __init__(self, server: int) -> None:
        self.server = server
        self.status: int | None = None

    def reap(self) -> None:
        """Collect every ended child (orphans are re-parented here), the server's status among them."""
        while True:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.server:
                self.status = os.waitstatus_to_exitcode(wait_status)

    def wait_for(self, pids: set[int], timeout_s: float) -> set[int]:
        """Those of ``pids`` still running after at most ``timeout_s`` seconds."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.reap()
            running = {pid for pid in pids if alive(pid)}
            if not running or time.monotonic() >= deadline:
                return running
            time.sleep(0.05)

    def end(self, grace_s: float) -> None:
        """The server first, to shut down in its own order; then whatever of the tree it left; then SIGKILL."""
        if self.status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.server, signal.SIGTERM)
            self.wait_for({self.server}, grace_s)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            left = descendants(os.getpid())
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            if not self.wait_for(left, LEFTOVER_WAIT_S):
                break
        self.reap()

    def exit_status(self) -> int:
        """The server's exit status as a shell reports it (128 + N: ended by signal N)."""
        if self.status is None:
            return 128 + signal.SIGKILL
        return self.status if self.status >= 0 else 128 - self.status


def _keep(lifeline: int, grace_s: float, remove: list[str], command: list[str]) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print(f"server keeper: PR_SET_CHILD_SUBREAPER failed (errno {ctypes.get_errno()})", file=sys.stderr)
    stop_asked = False

    def asked(_sig: int, _frame: object) -> None:
        nonlocal stop_asked
        stop_asked = True

    woken_read, woken_write = os.pipe()
    os.set_blocking(woken_write, False)
    signal.set_wakeup_fd(woken_write)  # a signal, a child's end included, wakes the select below
    signal.signal(signal.SIGCHLD, lambda *_: None)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, asked)
    # Not subprocess: the keeper reaps every child itself, the server's re-parented descendants included.
    tree = _Tree(
        os.posix_spawnp(
            command[0],
            command,
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_CLOSE, lifeline),
            ],
        )
    )
    while tree.status is None and not stop_asked:
        readable, _, _ = select.select([lifeline, woken_read], [], [])
        if lifeline in readable and not os.read(lifeline, 1):
            break  # the gate closed its end, or died
        if woken_read in readable:
            os.read(woken_read, 512)
        tree.reap()
    tree.end(grace_s)
    for path in remove:
        shutil.rmtree(path, ignore_errors=True)
    return tree.exit_status()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contract_tests.server_keeper")
    parser.add_argument("lifeline", type=int, help="read end of the pipe whose write end the gate holds")
    parser.add_argument("--grace", type=float, required=True, help="seconds the server gets to stop on SIGTERM")
    parser.add_argument("--remove", action="append", default=[], help="a directory to remove once it has stopped")
    parser.add_argument("--cwd", required=True, help="the server's working directory")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no server command after --")
    remove = [os.path.abspath(path) for path in args.remove]  # named from the gate's working directory
    os.chdir(args.cwd)
    return _keep(args.lifeline, args.grace, remove, command)


if __name__ == "__main__":
    sys.exit(main())
