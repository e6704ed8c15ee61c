"""Progress while a check runs: on a terminal one live line for the clauses under way (rewritten in
place; several with ``--jobs``), in CI a plain line every few seconds (logs keep every line, so no
carriage returns), else nothing. It writes only to the terminal stream; the report is rendered apart
and never holds it."""

from __future__ import annotations

import threading
import time
from typing import TextIO

from contract_tests.contracts.clause import Clause
from contract_tests.engine.events import ClauseFinished, ClauseStarted, Event, ExampleDone

#: How often a CI log gets a progress line, and how often a terminal's line is redrawn.
CI_EVERY_S = 5.0
LIVE_EVERY_S = 0.25
CLEAR = "\r\x1b[K"


class Progress:
    """Told the engine's events; ``mode`` is "live" (a terminal), "periodic" (CI) or "off"."""

    def __init__(self, stream: TextIO, mode: str) -> None:
        self.stream = stream
        self.mode = mode
        self._lock = threading.Lock()
        #: The clauses under way by number: the clause, when it started, and its latest ExampleDone.
        self._under_way: dict[int, tuple[Clause, float, ExampleDone | None]] = {}
        self._shown = False
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __call__(self, event: Event) -> None:
        if self.mode == "off":
            return
        with self._lock:
            if isinstance(event, ClauseStarted):
                self._under_way[event.clause.number] = (event.clause, time.monotonic(), None)
                self._start_ticker()
            elif isinstance(event, ExampleDone) and event.clause.number in self._under_way:
                clause, started, _ = self._under_way[event.clause.number]
                self._under_way[event.clause.number] = (clause, started, event)
            elif isinstance(event, ClauseFinished):
                self._under_way.pop(event.result.clause.number, None)
                self._clear()

    def clear(self) -> None:
        """Take the live line off the terminal, so that a line printed next starts clean."""
        with self._lock:
            self._clear()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        self.clear()

    def _start_ticker(self) -> None:
        if self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        every = LIVE_EVERY_S if self.mode == "live" else CI_EVERY_S
        while not self._stop.wait(every):
            with self._lock:
                if self._under_way:
                    self._show()

    def _line(self) -> str:
        parts = []
        for number in sorted(self._under_way):
            clause, started, done = self._under_way[number]
            elapsed = time.monotonic() - started
            parts.append(f"{clause.number} {clause.id}: {_so_far(done, elapsed)}, {elapsed:.0f}s")
        return "  ... " + "; ".join(parts)

    def _show(self) -> None:
        if self.mode == "live":
            self.stream.write(CLEAR + self._line())
            self._shown = True
        else:
            self.stream.write(self._line() + "\n")
        self.stream.flush()

    def _clear(self) -> None:
        if self._shown:
            self.stream.write(CLEAR)
            self.stream.flush()
            self._shown = False


def _so_far(done: ExampleDone | None, elapsed: float) -> str:
    if done is None:
        return "under way"
    if done.share_s is None:
        return f"{done.done} of about {done.planned} examples"
    rate = done.done / elapsed if elapsed else 0.0
    return f"{done.done} examples ({rate:.0f}/s), {done.behaviours} behaviours, campaign share {done.share_s:.0f}s"


def mode_for(stream: TextIO, quiet: bool, ci: bool) -> str:
    """Live on a terminal, periodic lines in CI, nothing when asked to be quiet or written to a file."""
    if quiet:
        return "off"
    if stream.isatty():
        return "live"
    return "periodic" if ci else "off"
