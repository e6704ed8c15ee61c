"""JSON the user hands the gate (``validate``'s documents, saved failure cases), read within bounds.

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
    """The file is not a regular JSON file within the bounds; the message says which bound."""


def read_json(path: Path, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON document in the regular file ``path``; InputFileError (or OSError) otherwise."""
    # O_NONBLOCK: opening a FIFO with no writer must not wait for one; regular files ignore the flag.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "not a regular file"
        raise InputFileError(f"{kind}; give a JSON file")
    with os.fdopen(descriptor, "rb") as source:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputFileError(f"larger than {max_bytes // (1024 * 1024)} MiB; no event or case is that large")
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InputFileError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
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
