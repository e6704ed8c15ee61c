"""SIGINT and SIGTERM as an exception that unwinds a check, so what it started is cleaned up, and that is
never lost.

Python drops an exception raised while it runs a garbage-collector callback or a ``__del__`` (it prints
"Exception ignored in ..." and goes on), and hypothesis runs a callback on every collection: a stop
that landed there let a check run on until it was killed. A dropped stop is delivered again.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: How soon a dropped stop is sent again: the collection it landed in is over by then.
REDELIVERY_S = 0.05


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM: unwinds like Ctrl-C (handlers never see it as their own error)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class StopSignals:
    """While installed, SIGINT and SIGTERM raise ``Interrupted`` in the main thread, again if it was dropped.

    ``once``: only the first stop raises; later ones (Ctrl-C reaches a whole process group, and a parent's
    own stop follows) must not cut the clean-up short. ``on_first`` runs when the first one arrives.
    """

    def __init__(self, *, once: bool = False, on_first: Callable[[], None] = lambda: None) -> None:
        self.once = once
        self.on_first = on_first
        self._raised = False
        self._told = False
        self._previous: dict[int, Any] = {}
        self._previous_hook = sys.unraisablehook
        self._installed = False

    def install(self) -> None:
        self._previous = {signum: signal.signal(signum, self._stop) for signum in SIGNALS}
        self._previous_hook, sys.unraisablehook = sys.unraisablehook, self._dropped
        self._installed = True

    def uninstall(self) -> None:
        self._installed = False
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        sys.unraisablehook = self._previous_hook

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        if self._raised and self.once:
            return
        self._raised = True
        if not self._told:
            self._told = True
            self.on_first()
        raise Interrupted(signum)

    def _dropped(self, unraisable: Any) -> None:
        error = unraisable.exc_value
        if isinstance(error, Interrupted):
            self._raised = False
            # Sent from another thread: raised from this hook, it would be dropped again right here.
            again = threading.Timer(REDELIVERY_S, self._again, (error.signum,))
            again.daemon = True
            again.start()
            return
        self._previous_hook(unraisable)

    def _again(self, signum: int) -> None:
        if self._installed:  # not once the check has ended: the signal's own default would kill the process
            signal.pthread_kill(threading.main_thread().ident or 0, signum)
