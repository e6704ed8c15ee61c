"""Where the harness keeps what outlives a check (LocalStack, hypothesis's caches): one directory."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def state_home() -> Path:
    """``$CONNECT_CONTRACT_HOME``, else ``$XDG_CACHE_HOME/connect-contract`` (``~/.cache/...``)."""
    explicit = os.environ.get("CONNECT_CONTRACT_HOME")
    if explicit:
        return Path(explicit).expanduser().resolve()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "connect-contract"


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One maker at a time: parallel checks (``--jobs``, a test suite's workers) wait for the first."""
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def made_once(folder: Path, make: Callable[[Path], str]) -> str:
    """Make ``folder`` with ``make`` (given a scratch folder; it returns why it failed, or "") unless it
    exists; whole or not at all, so a check never sees half of one. Why it could not be made, or ""."""
    if folder.is_dir():
        return ""
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with _locked(parent):
            if folder.is_dir():
                return ""
            scratch = Path(tempfile.mkdtemp(prefix=".making-", dir=parent))
            try:
                problem = make(scratch)
                if not problem:
                    scratch.chmod(0o755)  # mkdtemp's is the maker's alone
                    scratch.rename(folder)
                return problem
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    except OSError as error:
        return str(error.strerror or error)
