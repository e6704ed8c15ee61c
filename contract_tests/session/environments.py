"""A function's execution environments: one kept warm per configuration (as Lambda keeps one), new ones
started ahead where a start is a process, and every one stopped by the end of the check, whatever path
dropped it. The same pool serves any function; what an environment is given and printed is its own."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from contract_tests.aws_calls import AwsCall
from contract_tests.observers.base import Channel
from contract_tests.runtimes import Instance


@dataclass
class Environment:
    """An execution environment, and the channel that observes its AWS calls (None: it makes none)."""

    instance: Instance
    channel: Channel | None
    init_calls: list[AwsCall]
    #: The function's configuration in this environment.
    variables: Mapping[str, str]
    #: The function's timeout.
    timeout_s: float

    stopped: bool = False
    #: What this environment was given, in order (events, or an authorizer's tokens): its output is
    #: judged against all of them.
    given: list[Any] = field(default_factory=list)
    #: How many lines it had printed when each of them was sent.
    starts: list[int] = field(default_factory=list)

    def give(self, what: Any) -> None:
        """Record what the next invocation is given, and where its output starts."""
        self.given.append(what)
        self.starts.append(self.instance.printed)

    def printed_since_previous(self) -> list[str] | None:
        """What it printed from its previous invocation's start to its last one's: that invocation's lines
        and the ones it printed after its answer; None while it was given one."""
        return self.instance.output(self.starts[-2], self.starts[-1]) if len(self.starts) > 1 else None

    def stop(self) -> None:
        self.stopped = True
        self.instance.stop()
        if self.channel is not None:
            self.channel.close()


#: A clause judging output judges each warm environment once more when it has printed nothing for
#: LATE_OUTPUT_QUIET_S and LATE_OUTPUT_LINGER_S has passed since its last answer (a deferred log line, a
#: timer, lands then), waiting at most LATE_OUTPUT_LIMIT_S.
LATE_OUTPUT_QUIET_S = 0.2
LATE_OUTPUT_LINGER_S = 0.5
LATE_OUTPUT_LIMIT_S = 2.0


class EnvironmentPool:
    """The environments of one function: warm ones by configuration key, and every one started."""

    def __init__(self, *, start_ahead: bool) -> None:
        #: Whether a start costs a process (out of process): then a spare is started ahead on another core.
        self.start_ahead = start_ahead
        self._warm: dict[Hashable, Environment] = {}
        self._started: list[Environment] = []
        self._lock = threading.Lock()
        self._background: ThreadPoolExecutor | None = None
        self._spare: Future[Environment] | None = None

    def started(self, environment: Environment) -> Environment:
        """Count ``environment`` among the pool's, so that it never outlives the check."""
        with self._lock:
            self._started = [*(e for e in self._started if not e.stopped), environment]
        return environment

    def take(self, key: Hashable) -> Environment | None:
        """The warm environment of ``key`` if it is alive (a dead one is stopped), taken out of the pool."""
        environment = self._warm.pop(key, None)
        if environment is not None and not environment.instance.alive:
            environment.stop()
            return None
        return environment

    def keep(self, key: Hashable, environment: Environment) -> None:
        """Keep ``environment`` warm for ``key`` while it is alive (a time-out or crash ends it)."""
        if environment.instance.alive:
            self._warm[key] = environment
        else:
            environment.stop()

    def fresh(self, start: Callable[[], Environment], *, more: bool = True) -> Environment:
        """A new environment from ``start``, for clauses that use many one after another. Where a start is a
        process and ``more`` are to follow, the next one starts while this one is in use (a start costs
        ~200 ms of a core the gate leaves idle; the last one would start for nothing)."""
        if not self.start_ahead:
            return start()
        if self._background is None:
            self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="environments")
        spare, self._spare = self._spare, self._background.submit(start) if more else None
        return spare.result() if spare is not None else start()

    def retire(self, environment: Environment) -> None:
        """Stop ``environment``, in the background when environments are processes; the close waits for it."""
        if self._background is None:
            environment.stop()
        else:
            environment.stopped = True  # nothing may use it any more; the close waits for the stop
            self._background.submit(environment.stop)

    def discard(self) -> None:
        """Stop the warm environments (after a violation, so the next example starts clean)."""
        warm, self._warm = list(self._warm.values()), {}
        for environment in warm:
            environment.stop()

    def settled_output(self) -> list[tuple[list[Any], list[str]]]:
        """For each warm environment given anything, once settled, what it was given and all it printed: what
        a clause judging output checks last, so no line escapes by coming late."""
        warm = [environment for environment in list(self._warm.values()) if environment.given]
        for environment in warm:
            environment.instance.settle(LATE_OUTPUT_QUIET_S, LATE_OUTPUT_LINGER_S, LATE_OUTPUT_LIMIT_S)
        return [(list(environment.given), environment.instance.output()) for environment in warm]

    def close(self) -> None:
        """Stop every environment ever started and not yet stopped, and the background starts."""
        background, self._background, spare, self._spare = self._background, None, self._spare, None
        if spare is not None:
            spare.cancel()
        if background is not None:
            background.shutdown(wait=True)
        with self._lock:
            started, self._started, self._warm = self._started, [], {}
        for environment in started:
            if not environment.stopped:
                environment.stop()
