"""One check's shared state: the handler's environment, the run's table, and one example's round trip."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from contract_tests.aws_calls import HOOKS, AwsCall, Fault
from contract_tests.backends.base import Backend
from contract_tests.backends.table import (
    TableGone,
    TypedItem,
    clear_table,
    create_table,
    delete_table,
    run_table_name,
    scan_items,
    table_names,
)
from contract_tests.errors import BackendError
from contract_tests.lambda_runtime import TIMEOUT_S, lambda_environment
from contract_tests.targets import (
    Handler,
    HandlerInitError,
    HandlerLoader,
    HandlerTarget,
    Invocation,
    invoke,
    record_import,
)


@dataclass(frozen=True)
class CheckSettings:
    """How hard to look: examples per property clause, and the seed that makes a run repeatable."""

    examples: int = 100
    seed: int = 0
    region: str = "us-east-1"
    timeout_s: float = TIMEOUT_S


@dataclass
class Observation:
    """An example's full round trip: import, invocation, and what the table held afterwards."""

    invocation: Invocation
    import_calls: list[AwsCall] = field(default_factory=list)
    items: list[TypedItem] = field(default_factory=list)
    init_error: str | None = None
    new_tables: list[str] = field(default_factory=list)
    #: The run's table was gone when the harness looked (the handler deleted it); it was created anew.
    table_deleted: bool = False

    @property
    def all_calls(self) -> list[AwsCall]:
        return [*self.import_calls, *self.invocation.calls]

    def actual(self) -> dict[str, Any]:
        """What the report shows as 'actual' for this example."""
        shown: dict[str, Any] = {}
        if self.init_error:
            shown["init_error"] = self.init_error
        else:
            shown["handler"] = self.invocation.summary()
        shown["stored_items"] = self.items
        shown["aws_calls"] = [str(call) for call in self.all_calls]
        if self.new_tables:
            shown["tables_created"] = self.new_tables
        if self.table_deleted:
            shown["table"] = "deleted during the example (the harness created it anew for the next one)"
        if self.invocation.logs:
            shown["handler_output"] = self.invocation.logs[-5:]
        return shown


#: Value in an ``environment`` override that removes the variable.
UNSET = None


class CheckSession:
    """Owns the run's table and environment; clauses call :meth:`cold_run` or :meth:`warm_handler`."""

    def __init__(self, target: HandlerTarget, backend: Backend, settings: CheckSettings) -> None:
        self.target = target
        self.backend = backend
        self.settings = settings
        self.table = run_table_name()
        self.loader = HandlerLoader(target)
        self._client = backend.client()
        #: Cleanup problems that must not replace a verdict; the face shows them as warnings.
        self.warnings: list[str] = []

    def base_environment(self) -> dict[str, str]:
        return {
            **lambda_environment(self.settings.region, self.target.lambda_handler_setting, str(self.target.task_root)),
            **self.backend.handler_environment(),
            "CONNECTIONS_TABLE": self.table,
        }

    @contextmanager
    def opened(self) -> Iterator[CheckSession]:
        """Set the handler's environment (no stray AWS_* from the caller); create, then delete, the run's table.

        The handler's clock runs in UTC, as on Lambda: ``TZ`` is set and the C library told so.
        """
        try:
            with mock.patch.dict(os.environ):
                for name in [n for n in os.environ if n.startswith("AWS_") or n == "CONNECTIONS_TABLE"]:
                    del os.environ[name]
                os.environ.update(self.base_environment())
                time.tzset()
                create_table(self._client, self.table)
                try:
                    yield self
                finally:
                    # Neither a failed delete nor a table the handler already removed may replace the verdict.
                    try:
                        delete_table(self._client, self.table)
                    except BackendError as error:
                        self.warnings.append(f"{error}; delete it yourself")
        finally:
            time.tzset()

    @contextmanager
    def environment(self, overrides: Mapping[str, str | None]) -> Iterator[None]:
        """Run with some variables changed; a None value removes the variable."""
        with mock.patch.dict(os.environ):
            for name, value in overrides.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            yield

    def _scan(self) -> tuple[list[TypedItem], bool]:
        """The table's items, and whether the table was gone (the handler deleted it; it is created anew)."""
        try:
            return scan_items(self._client, self.table), False
        except TableGone:
            create_table(self._client, self.table)
            return [], True

    def observe(self, invocation: Invocation, **extra: Any) -> Observation:
        """Read the run's table after an invocation, then empty it for the next example."""
        items, deleted = self._scan()
        clear_table(self._client, self.table, items)
        return Observation(invocation, items=items, table_deleted=deleted, **extra)

    def cold_run(
        self,
        event: Any,
        *,
        fault: Fault | None = None,
        environment: Mapping[str, str | None] | None = None,
        watch_tables: bool = False,
    ) -> Observation:
        """Import the handler afresh (a cold start), invoke it once, and observe the table.

        An import-time failure is Lambda's init error: the connect fails, and that is observed.
        """
        before = set(table_names(self._client)) if watch_tables else set()
        with self.environment(environment or {}):
            try:
                handler, import_calls = record_import(self.loader)
            except HandlerInitError as error:
                return self.observe(Invocation(), init_error=str(error), import_calls=error.calls)
            with HOOKS.failing(fault) if fault is not None else nullcontext():
                invocation = self.warm_run(handler, event)
        new_tables = sorted(set(table_names(self._client)) - before) if watch_tables else []
        return self.observe(invocation, import_calls=import_calls, new_tables=new_tables)

    def warm_handler(self) -> tuple[Handler, list[AwsCall]]:
        """A freshly imported handler to invoke many times, as one warm execution environment."""
        return record_import(self.loader)

    def warm_run(self, handler: Handler, event: Any) -> Invocation:
        return invoke(handler, event, self.settings.region, self.target.task_root, self.settings.timeout_s)

    def stored_items(self) -> list[TypedItem]:
        return self._scan()[0]

    def clear(self) -> None:
        clear_table(self._client, self.table, self._scan()[0])
