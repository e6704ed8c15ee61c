"""Where the harness keeps what outlives a check (LocalStack, hypothesis's caches): one directory."""

from __future__ import annotations

import os
from pathlib import Path


def state_home() -> Path:
    """``$CONNECT_CONTRACT_HOME``, else ``$XDG_CACHE_HOME/connect-contract`` (``~/.cache/...``)."""
    explicit = os.environ.get("CONNECT_CONTRACT_HOME")
    if explicit:
        return Path(explicit).expanduser().resolve()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "connect-contract"
