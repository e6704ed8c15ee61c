"""What the function's filesystem looks like inside its sandbox: all read-only, a private /tmp, and
no home, no ``/run`` (sockets of the machine's services), only what the function needs bound back."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: Lambda's /tmp is 512 MB by default; a tmpfs is counted against the machine's memory, so no more.
TMP_SIZE = "512m"
RUN_DIR = "/run/connect-contract"
CA_FILE = f"{RUN_DIR}/ca.pem"
HOSTS_FILE = f"{RUN_DIR}/hosts"
RESOLV_FILE = f"{RUN_DIR}/resolv.conf"


def _hidden(home: str) -> list[dict[str, Any]]:
    places: list[dict[str, Any]] = [
        {"path": "/tmp", "size": TMP_SIZE, "mode": "1777"},
        {"path": "/dev/shm", "size": "64m", "mode": "1777"},
        {"path": "/var/tmp", "size": "1m", "read_only": True},
        {"path": "/run", "size": "1m", "read_only": True},
        {"path": "/home", "size": "1m", "read_only": True},
        {"path": "/root", "size": "1m", "read_only": True},
    ]
    if home and not any(home == place["path"] or home.startswith(place["path"] + "/") for place in places):
        places.append({"path": home, "size": "1m", "read_only": True})
    return places


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def node_modules_above(folder: Path) -> list[str]:
    """``node_modules`` folders Node.js's resolution reaches from ``folder`` upwards."""
    found = []
    for parent in [folder, *folder.parents]:
        candidate = parent / "node_modules"
        if candidate.is_dir():
            found.append(str(candidate))
    return found


def filesystem(needed: Iterable[str], cwd: str) -> dict[str, Any]:
    """The mount plan the sandbox's first process carries out (see ``init.py``).

    ``needed``: what the function reads (its code, its interpreter's installation, the runtime
    client); the working directory is bound back read-only too, unless it holds a hidden place
    itself (a check run from the home folder must not bring ``~/.aws`` back).
    """
    home = os.path.realpath(os.path.expanduser("~"))
    hidden = _hidden(home)
    # An import path may hold a path hook's name (an editable install's finder): only folders count.
    keep = {os.path.realpath(path) for path in needed if path and os.path.isabs(path)}
    working = os.path.realpath(cwd)
    if not _under(home, working) and not any(_under(place["path"], working) for place in hidden):
        keep.add(working)
    # Bound back beneath a hidden place only; the widest first, so a narrower one is not hidden by it.
    kept = sorted(
        (path for path in keep if any(_under(path, place["path"]) for place in hidden)),
        key=lambda path: path.count("/"),
    )
    pruned = [path for path in kept if not any(other != path and _under(path, other) for other in kept)]
    return {
        "hide": hidden,
        "keep": pruned,
        "binds": {"/etc/hosts": HOSTS_FILE, "/etc/resolv.conf": RESOLV_FILE},
    }
