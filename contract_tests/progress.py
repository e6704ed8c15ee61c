"""Progress while a check runs: on a terminal one live line for the clause under way (rewritten in
place), in CI a plain line every few seconds (logs keep every line, so no carriage returns), else
nothing. It writes only to the terminal stream; the report is rendered apart and never holds it."""

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
        self._clause: Clause | None = None
        self._started = 0.0
        self._done = 0
        self._planned = 0
        self._shown = False
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __call__(self, event: Event) -> None:
        if self.mode == "off":
            return
        with self._lock:
            if isinstance(event, ClauseStarted):
                self._clause, self._started, self._done, self._planned = event.clause, time.monotonic(), 0, 0
                self._start_ticker()
            elif isinstance(event, ExampleDone):
                self._done, self._planned = event.done, event.planned
            elif isinstance(event, ClauseFinished):
                self._clause = None
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
                if self._clause is not None:
                    self._show()

    def _line(self) -> str:
        assert self._clause is not None
        elapsed = time.monotonic() - self._started
        done = f"{self._done} of about {self._planned} examples" if self._planned else "under way"
        return f"  ... {self._clause.number} {self._clause.id}: {done}, {elapsed:.0f}s"

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


def mode_for(stream: TextIO, quiet: bool, ci: bool) -> str:
    """Live on a terminal, periodic lines in CI, nothing when asked to be quiet or written to a file."""
    if quiet:
        return "off"
    if stream.isatty():
        return "live"
    return "periodic" if ci else "off"
