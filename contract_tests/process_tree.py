"""Processes by their tree, read from /proc: what a started process left running, and how much memory it holds."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)


def stop_group(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """SIGTERM the group ``process`` leads; SIGKILL it if the leader has not exited within ``timeout_s``."""
    signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        signal_group(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout_s)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name: state, ppid, pgrp, … (rss is index 21)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cmdline(pid: int) -> bytes:
    """The NUL-separated command line of ``pid``, empty once it is gone."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not count)."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def _all_stats() -> dict[int, list[str]]:
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat(int(entry.name))
        if fields is not None:
            stats[int(entry.name)] = fields
    return stats


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` in the process tree, however they regrouped themselves."""
    parents = {child: int(fields[1]) for child, fields in _all_stats().items()}
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def family(pid: int, group: int) -> set[int]:
    """``pid``, its descendants, and whatever else still runs in its process group."""
    stats = _all_stats()
    members = {other for other, fields in stats.items() if int(fields[2]) == group and fields[0] != "Z"}
    return ({pid} | descendants(pid) | members) & set(stats)


def rss_bytes(pids: set[int]) -> int:
    """Resident memory of ``pids`` together, as Lambda counts a function's memory."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None and len(fields) > 21:
            total += int(fields[21]) * PAGE_SIZE
    return total


def marked(name: str, value: str) -> set[int]:
    """Processes whose environment (as they were started) holds ``name=value``."""
    needle = f"{name}={value}".encode()
    found: set[int] = set()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            variables = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if needle in variables:
            found.add(int(entry.name))
    return found
