"""What the gate keeps of an execution environment's output: the first and the last 256 KB, and a count of
the rest, so a function that prints gigabytes costs the gate megabytes (Lambda's own logs are bounded too)."""

from __future__ import annotations

from collections import deque
from typing import IO

HEAD_BYTES = 256 * 1024
TAIL_BYTES = 256 * 1024
#: A longer line is cut there: a handler's one-line megabyte must not be held whole to be read.
LINE_BYTES = 16 * 1024


def read_line(stream: IO[bytes]) -> tuple[str, bool] | None:
    """The next line of ``stream`` (decoded, without its end) and whether it was cut; None at the end.

    Never holds more than LINE_BYTES of one line: the rest of a longer one is read and dropped.
    """
    raw = stream.readline(LINE_BYTES + 1)
    if not raw:
        return None
    cut = len(raw) > LINE_BYTES and not raw.endswith(b"\n")
    while cut:
        rest = stream.readline(LINE_BYTES)
        if not rest or rest.endswith(b"\n"):
            break
    return raw[:LINE_BYTES].decode("utf-8", errors="replace").rstrip("\r\n"), cut


class BoundedOutput:
    """Lines numbered as printed; the first HEAD_BYTES and the last TAIL_BYTES kept, the middle counted."""

    def __init__(self, head_bytes: int = HEAD_BYTES, tail_bytes: int = TAIL_BYTES) -> None:
        self._head: list[str] = []
        self._head_room = head_bytes
        self._tail: deque[tuple[int, str]] = deque()
        self._tail_bytes, self._tail_room = 0, tail_bytes
        self.count = 0

    def add(self, line: str) -> None:
        size = len(line.encode("utf-8", errors="replace")) + 1
        self.count += 1
        if not self._tail and size <= self._head_room:
            self._head.append(line)
            self._head_room -= size
            return
        self._tail.append((self.count - 1, line))
        self._tail_bytes += size
        while self._tail_bytes > self._tail_room and len(self._tail) > 1:
            _, gone = self._tail.popleft()
            self._tail_bytes -= len(gone.encode("utf-8", errors="replace")) + 1

    def since(self, first: int) -> list[str]:
        """The kept lines numbered ``first`` or later, a note where lines between them were dropped."""
        lines = self._head[first:]
        tail = [(number, line) for number, line in self._tail if number >= first]
        if tail:
            skipped = tail[0][0] - max(first, len(self._head))
            if skipped > 0:
                lines.append(f"[connect-contract: {skipped} lines of output not kept]")
            lines += [line for _, line in tail]
        return lines

    def between(self, first: int, last: int) -> list[str]:
        """The kept lines numbered from ``first`` up to (not including) ``last``."""
        return [line for number, line in self._numbered() if first <= number < last]

    def _numbered(self) -> list[tuple[int, str]]:
        return [*enumerate(self._head), *self._tail]

    def last(self, how_many: int) -> list[str]:
        return self.since(max(0, self.count - how_many))
