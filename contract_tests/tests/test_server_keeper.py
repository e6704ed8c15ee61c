"""A server under its keeper ends, with everything it started and the directories it was given, when the
gate stops it, when the gate is killed outright, and when it exits by itself."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests.server_keeper import KeptServer
from contract_tests.tests.conftest import gone, killed_gate

#: A server that leaves a process in a session of its own behind it, as LocalStack leaves its JVM.
DETACHING = ["sh", "-c", "setsid sleep 300 & exec sleep 301"]


def _tree(server: KeptServer, size: int) -> set[int]:
    deadline = time.monotonic() + 10
    while len(pids := server.server_pids()) < size and time.monotonic() < deadline:
        time.sleep(0.05)
    return {server.keeper_pid, *pids}


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    directory = tmp_path / "scratch"
    directory.mkdir()
    (directory / "left.tmp").write_text("a server's temporary file")
    return directory


@pytest.fixture
def kill_leftovers() -> Iterator[set[int]]:
    """Whatever the test fails on, nothing it started outlives it."""
    started: set[int] = set()
    yield started
    for pid in started:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _kept(command: list[str], tmp_path: Path, scratch: Path, grace_s: float = 5.0) -> KeptServer:
    with (tmp_path / "server.log").open("wb") as log:
        return KeptServer(command, cwd=tmp_path, env=dict(os.environ), log=log, grace_s=grace_s, remove=[scratch])


def test_stop_ends_the_server_what_it_detached_and_its_directories(
    tmp_path: Path, scratch: Path, kill_leftovers: set[int]
) -> None:
    server = _kept(DETACHING, tmp_path, scratch)
    kill_leftovers |= (tree := _tree(server, 2))
    assert len(tree) == 3
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5, "sleep ends on SIGTERM: no grace waited out"
    assert gone(tree, within_s=0) and not scratch.exists()
    assert server.poll() == 128 + signal.SIGTERM
    server.stop()  # again: nothing to do


def test_a_server_deaf_to_sigterm_is_killed_after_its_grace(
    tmp_path: Path, scratch: Path, kill_leftovers: set[int]
) -> None:
    server = _kept(["sh", "-c", "trap '' TERM; sleep 300 & wait"], tmp_path, scratch, grace_s=1.0)
    kill_leftovers |= (tree := _tree(server, 2))
    server.stop()
    assert gone(tree, within_s=0) and not scratch.exists()


def test_a_killed_gate_leaves_no_server(scratch: Path) -> None:
    """SIGKILL runs none of the gate's clean-up: the keeper acts when the kernel closes the gate's end of
    their pipe."""
    with killed_gate(
        "import os, sys, time",
        "from pathlib import Path",
        "from contract_tests.server_keeper import KeptServer",
        f"server = KeptServer({DETACHING!r}, cwd=Path.cwd(), env=dict(os.environ), log=sys.stderr.buffer,"
        f" grace_s=5.0, remove=[Path({str(scratch)!r})])",
        "time.sleep(1)",
        "print(server.keeper_pid, *server.server_pids(), flush=True)",
        "time.sleep(300)",
    ) as tree:
        assert len(tree) == 3
        assert gone(tree, within_s=10), "the server outlived the gate that started it"
    assert not scratch.exists()


def test_a_server_that_exits_takes_what_it_left_with_it(
    tmp_path: Path, scratch: Path, kill_leftovers: set[int]
) -> None:
    """A server that crashes leaves its detached process to the keeper, which ends it and reports the
    server's own exit status."""
    server = _kept(["sh", "-c", "setsid sleep 300 & sleep 1; exit 3"], tmp_path, scratch)
    kill_leftovers |= (tree := _tree(server, 2))
    assert gone(tree, within_s=10) and not scratch.exists()
    assert server.poll() == 3
