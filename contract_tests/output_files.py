"""Where the gate writes what the user asked for (reports, JUnit, pages, a pytest module, an example
database's folder): the folder made as pytest's ``--junitxml`` makes it, and a place that cannot be
written said in one line (exit 2), before a long check is spent when it can be told then, and again if
the write itself fails."""

from __future__ import annotations

import os
from pathlib import Path

from contract_tests.errors import HarnessError


def prepare(option: str, path: Path, *, folder: bool = False) -> None:
    """Make the folder ``path`` is written into (``path`` itself with ``folder``); HarnessError naming
    ``option`` when it cannot be made or written."""
    where = path if folder else path.parent
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HarnessError(f"{option} {path}: cannot make the folder {where} ({error.strerror or error})") from None
    if not folder and path.is_dir():
        raise HarnessError(f"{option} {path}: a folder; give the path of a file")
    if not os.access(where, os.W_OK | os.X_OK):
        raise HarnessError(f"{option} {path}: the folder {where} is not writable")


def write_text(option: str, path: Path, text: str) -> None:
    """``text`` in ``path``, its folder made; HarnessError in one line when it cannot be written."""
    prepare(option, path)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise HarnessError(f"{option} {path}: cannot write it ({error.strerror or error})") from None
