"""Text a function wrote (its output, its errors, its answers) made inert for every report: one line,
control characters, ANSI sequences and lone surrogates shown as escapes.

A handler's ``\\x1b`` made JUnit XML unparsable, its newline followed by ``::stop-commands::`` turned
the gate's own GitHub annotations off, and a lone surrogate in its answer made the JSON report
unwritable. Reports are data, never markup.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: C0 controls, DEL, C1 controls (``\\x9b`` is a CSI on many terminals), line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: What ``json.dumps(ensure_ascii=False)`` leaves raw (it escapes C0 itself, and its indentation is C0).
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str) -> str:
    """``text`` on one line, every control character written as its escape."""
    return _CONTROL.sub(_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def inert_json(value: Any, **dumps: Any) -> str:
    """``json.dumps`` with non-ASCII kept readable but every control character (C1 too) and lone
    surrogate escaped: still valid JSON, and valid UTF-8 and XML wherever it is written."""
    return _RAW_IN_JSON.sub(_json_escape, json.dumps(value, ensure_ascii=False, **dumps))
