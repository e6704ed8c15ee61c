"""The observer seam: how the harness sees a handler's AWS calls, and fails its storage on purpose.

A channel serves one execution environment: calls made while it records belong to the invocation
being recorded; calls after that window (a late write from a timed-out invocation) to the last one.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from contract_tests.aws_calls import AwsCall, Fault
from contract_tests.sandbox.addresses import Listener


class FaultSwitch:
    """The fault every DynamoDB call gets while a ``failing`` window is open (None: no fault)."""

    _fault: Fault | None = None

    @contextmanager
    def failing(self, fault: Fault) -> Iterator[None]:
        self._fault = fault
        try:
            yield
        finally:
            self._fault = None


class Channel(abc.ABC):
    #: The storage faults this channel can inject.
    faults: tuple[Fault, ...] = ()
    #: Host names the environment looked up and could not reach (a sandbox's name server knows none), in order.
    unreachable_hosts: list[str]

    @abc.abstractmethod
    def environment(self) -> dict[str, str]:
        """Variables that route the handler's SDK through this channel (none for botocore hooks)."""

    def listeners(self) -> list[Listener]:
        """What the channel serves on a sandboxed function's loopback (none by default)."""
        return []

    @abc.abstractmethod
    def recording(self) -> AbstractContextManager[list[AwsCall]]:
        """A window whose calls are collected into the list it yields."""

    @abc.abstractmethod
    def failing(self, fault: Fault) -> AbstractContextManager[None]:
        """While open, every DynamoDB call fails with ``fault``."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop observing; safe to call twice."""
