"""The runtime seam: start an execution environment with an environment, invoke it with a deadline, stop it.

Runtimes know nothing of backends or clauses: they get a dict of variables and an event, and give
back what the function answered, raised or printed.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.aws_calls import AwsCall
from contract_tests.lambda_runtime import MEMORY_MB, TIMEOUT_S, lambda_environment
from contract_tests.observation import Invocation as Invocation  # what a runtime gives back
from contract_tests.sandbox.addresses import Listener
from contract_tests.sandbox.support import Containment
from contract_tests.targets import HandlerTarget


class HandlerInitError(Exception):
    """The function failed while initialising: Lambda's init error, so every connect fails.

    A defect of the handler (a verdict), unlike a TargetError (nothing to check). ``calls`` holds
    the AWS calls it made before it failed.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.calls: list[AwsCall] = []


TIMED_OUT = "Task timed out"


def timed_out(timeout_s: float) -> str:
    """Lambda's message for an invocation stopped at its deadline."""
    return f"{TIMED_OUT} after {timeout_s:.2f} seconds"


INIT_ERROR_PREFIX = "the handler failed to initialise (Lambda's init error; every connect fails): "


class Instance(abc.ABC):
    """One execution environment: initialised once, then invoked one event at a time."""

    @abc.abstractmethod
    def invoke(self, event: Any, timeout_s: float) -> Invocation:
        """Send ``event``; the function's answer, its error, or Lambda's time-out or crash message."""

    @property
    def alive(self) -> bool:
        """False once it timed out, crashed or ran out of memory: the next event needs a new one."""
        return True

    @abc.abstractmethod
    def stop(self) -> None:
        """End the environment and everything the function started in it; safe to call twice."""

    def output(self, first: int = 0, last: int | None = None) -> list[str]:
        """The kept lines the environment printed, numbered from ``first`` up to ``last`` (none in process)."""
        return []

    @property
    def printed(self) -> int:
        """How many lines the environment printed so far."""
        return 0

    def settle(self, quiet_s: float, linger_s: float, limit_s: float) -> None:  # noqa: B027 - nothing to wait for in process
        """Wait until the function has printed nothing for ``quiet_s`` and ``linger_s`` has passed since its
        last answer (at most ``limit_s``): its background threads' late lines (a queued log handler's, a
        timer's) are then in :meth:`output`."""


@dataclass(frozen=True)
class RuntimeOptions:
    """How the function is run: its interpreter, Lambda's memory setting, its own variables, its sandbox."""

    interpreter: str | None = None
    memory_mb: int = MEMORY_MB
    timeout_s: float = TIMEOUT_S
    #: Folders holding what each of the function's layers holds (``python/``, ``nodejs/``), in Lambda's order.
    layers: tuple[str, ...] = ()
    extra_environment: Mapping[str, str] = field(default_factory=dict)
    #: ``--sandbox``: auto (where this machine can), on (or exit 2), off.
    sandbox: str = "auto"
    #: The Lambda runtime its template deploys it on (``python3.12``); None without a template.
    deployed_runtime: str | None = None


class Runtime(abc.ABC):
    """Starts execution environments for one handler target."""

    name: str = ""
    #: The language of the handlers it runs (``any`` for a custom runtime).
    language: str = "any"
    #: Whether the function runs in a process of its own (and so needs an HTTP backend and observer).
    out_of_process: bool = True
    #: Lambda's AWS_EXECUTION_ENV for this runtime.
    execution_env: str = ""

    def __init__(self, target: HandlerTarget, options: RuntimeOptions) -> None:
        self.target = target
        self.options = options

    @property
    def task_root(self) -> Path:
        return self.target.task_root

    @functools.cached_property
    def containment(self) -> Containment:
        """Whether this runtime's environments run sandboxed, resolved once (the probe runs a trial function)."""
        from contract_tests.sandbox.support import containment

        return containment(self.options.sandbox)

    def notes(self) -> list[str]:
        """What a report must say of how the function ran (another Python than it is deployed on)."""
        return []

    def lambda_variables(self, region: str) -> dict[str, str]:
        """What Lambda sets for this function before its runtime starts it (handler, task root, memory)."""
        return lambda_environment(
            region, self.target.lambda_handler_setting, str(self.task_root), self.execution_env, self.options.memory_mb
        )

    @abc.abstractmethod
    def start(self, environment: Mapping[str, str], listeners: Sequence[Listener] = ()) -> Instance:
        """A new initialised environment; HandlerInitError if the function fails to initialise.

        ``listeners``: what the gate serves on a sandboxed function's loopback (ignored when not contained).
        """
