"""Files the user hands the gate (``validate``'s documents, saved failure cases, shard reports, a SAM
template, a key file), read within bounds.

A device (``/dev/zero``) would be read until memory runs out, a FIFO would block forever, and a
document nested thousands deep overflows the parser's stack: each is refused with one line instead.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

#: Larger than any event (API Gateway caps a `$connect` request far below it) or any saved case.
MAX_BYTES = 8 * 1024 * 1024
#: Deeper than any event or case the gate writes; far below the parser's recursion limit.
MAX_DEPTH = 64


class InputFileError(ValueError):
    """The file is not a regular file of the kind asked for, within the bounds; the message says which bound."""


def read_text(path: Path, max_bytes: int = MAX_BYTES, kind: str = "JSON") -> str:
    """The UTF-8 text of the regular file ``path``; InputFileError (or OSError) otherwise. ``kind`` names
    the file the gate expects, as the refusal says it."""
    # O_NONBLOCK: opening a FIFO with no writer must not wait for one; regular files ignore the flag.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        what = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "not a regular file"
        raise InputFileError(f"{what}; give a {kind} file")
    with os.fdopen(descriptor, "rb") as source:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        size = f"{max_bytes >> 20} MiB" if max_bytes >= 1 << 20 else f"{max_bytes >> 10} KiB"
        raise InputFileError(f"larger than {size}; no {kind} file the gate reads is that large")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputFileError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None


def read_json(path: Path, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON document in the regular file ``path``; InputFileError (or OSError) otherwise."""
    text = read_text(path, max_bytes)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputFileError(f"not JSON: {error}") from None
    except RecursionError:
        raise InputFileError(f"nested deeper than {max_depth} levels") from None
    if _depth(document) > max_depth:
        raise InputFileError(f"nested deeper than {max_depth} levels")
    return document


def _depth(document: Any) -> int:
    """How deeply arrays and objects nest in ``document`` (without recursion, so any depth is measured)."""
    deepest, pending = 0, [(document, 1)]
    while pending:
        value, level = pending.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                pending.append((child, level + 1))
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
    return deepest
