"""A `$connect` handler's session: its configuration, the run's table, its execution environments, and one
step's round trip (through the gateway, start or reuse an environment, invoke it, observe the table)."""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from contract_tests.aws_calls import AwsCall, Fault
from contract_tests.backends.base import Backend
from contract_tests.backends.table import (
    TableGone,
    create_table,
    delete_table,
    run_table_name,
)
from contract_tests.contracts.base import CONNECT_ROUTE
from contract_tests.contracts.router import ENDPOINT_VARIABLE
from contract_tests.errors import BackendError
from contract_tests.gateway import Delivery, Direct, Gateway
from contract_tests.management_api import ManagementApi
from contract_tests.observation import Observation, TypedItem
from contract_tests.observers.base import Channel
from contract_tests.observers.botocore_hooks import HookChannel
from contract_tests.observers.proxy import ProxyChannel
from contract_tests.reserved_variables import DEFAULT_TABLE_VARIABLE
from contract_tests.runtimes import HandlerInitError, Invocation, Runtime
from contract_tests.runtimes.base import timed_out
from contract_tests.session.environments import Environment, EnvironmentPool
from contract_tests.session.settings import CheckSettings
from contract_tests.steps import Overrides
from contract_tests.table_definition import Index, TableDefinition

#: An ``environment`` override that is no variable: it keys a second warm environment of the same function.
ANOTHER_ENVIRONMENT = "<another environment of the function>"

#: An ``environment`` override that is no variable: the environment's DynamoDB endpoint refuses every
#: connection (for a sandboxed function, whatever endpoint its SDK chose).
ENDPOINT_DOWN = "<the DynamoDB endpoint is down>"


class ConnectSession:
    """Owns the run's table, the handler's configuration and its execution environments; one step is :meth:`connect`."""

    def __init__(
        self,
        runtime: Runtime,
        backend: Backend,
        settings: CheckSettings,
        table_definition: TableDefinition | None = None,
        gateway: Gateway | None = None,
        table_variables: tuple[str, ...] = (DEFAULT_TABLE_VARIABLE,),
        routes: Mapping[str, Runtime] | None = None,
        *,
        management: ManagementApi | None = None,
        query_page: int | None = None,
    ) -> None:
        self.runtime = runtime
        #: The function serving each route (`$connect`'s is ``runtime``); routes served by one share its
        #: environments, as they share a Lambda function's.
        self.route_runtimes: dict[str, Runtime] = {CONNECT_ROUTE: runtime, **(routes or {})}
        self.gateway: Gateway = gateway or Direct()
        self.target = runtime.target
        self.backend = backend
        self.settings = settings
        self.table_definition = table_definition or TableDefinition()
        self.table = run_table_name()
        #: The variables the handler reads the table's name from, each set to the run's table.
        self.table_variables = table_variables
        self._client = backend.client()
        self.environments = EnvironmentPool(start_ahead=runtime.out_of_process)
        #: Cleanup problems that must not replace a verdict; the face shows them as warnings.
        self.warnings: list[str] = []
        #: A router's: the management API it posts to (``CONNECTIONS_ENDPOINT``), and the page every Query reads.
        self.management = management
        self.query_page = query_page

    def runtime_for(self, route: str) -> Runtime:
        """The function serving ``route``: its own (``--route``), else `$connect`'s."""
        return self.route_runtimes.get(route, self.runtime)

    @property
    def faults(self) -> tuple[Fault, ...]:
        return HookChannel.faults if not self.runtime.out_of_process else ProxyChannel.faults

    def base_environment(self, route: str = CONNECT_ROUTE) -> dict[str, str]:
        return {
            **self.runtime_for(route).lambda_variables(self.settings.region),
            **self.backend.handler_environment(),
            **self.runtime.options.extra_environment,
            **dict.fromkeys(self.table_variables, self.table),
            **self._management_environment(),
        }

    def _management_environment(self) -> dict[str, str]:
        if self.management is None:
            return {}
        return {ENDPOINT_VARIABLE: self.management.url(self.runtime.containment.contained, self.settings.region)}

    def function_environment(
        self, overrides: Overrides | None = None, channel: Mapping[str, str] | None = None, route: str = CONNECT_ROUTE
    ) -> dict[str, str]:
        """The environment of the function serving ``route``: the channel's routing, then ``overrides``
        (``None`` removes a variable)."""
        environment = {**self.base_environment(route), **(channel or {})}
        for name, value in (overrides or {}).items():
            if name in (ENDPOINT_DOWN, ANOTHER_ENVIRONMENT):
                continue
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        return environment

    @contextmanager
    def opened(self) -> Iterator[ConnectSession]:
        """Create the run's table; afterwards stop every execution environment and delete the table."""
        create_table(self._client, self.table, self.table_definition)
        try:
            yield self
        finally:
            self.environments.close()
            self.warnings.extend(self.backend.take_notes())
            # Neither a failed delete nor a table the handler already removed may replace the verdict.
            try:
                delete_table(self._client, self.table)
            except BackendError as error:
                self.warnings.append(f"{error}; delete it yourself")

    # ---- execution environments --------------------------------------------------------------

    def _channel(self, down: bool) -> Channel:
        if not self.runtime.out_of_process:
            return HookChannel(self.query_page)
        endpoint, credentials = self.backend.endpoint_url(), self.backend.signing_credentials()
        if endpoint is None and credentials is None:
            raise BackendError(f"backend {self.backend.name!r} has no endpoint a handler out of process can reach")
        sandboxed = self.runtime.containment.contained
        return ProxyChannel(
            endpoint,
            credentials,
            sandboxed=sandboxed,
            region=self.settings.region,
            down=down,
            query_page=self.query_page,
            management=self.management,
        )

    def endpoint_outage(self) -> tuple[Overrides, str] | None:
        """Overrides under which the function's DynamoDB endpoint refuses connections, and what that is;
        None where the function has no endpoint to lose (in process)."""
        if self.runtime.containment.contained:
            return {ENDPOINT_DOWN: "yes"}, "every DynamoDB endpoint refuses connections inside the sandbox"
        dead = self.backend.unreachable_endpoint()
        if dead is None:
            return None
        return {"AWS_ENDPOINT_URL_DYNAMODB": dead, "AWS_ENDPOINT_URL": dead}, f"{dead} refuses connections"

    def start_instance(self, overrides: Overrides | None = None, route: str = CONNECT_ROUTE) -> Environment:
        """A new execution environment of the function serving ``route``; HandlerInitError (with its calls)
        if the function fails to initialise."""
        channel = self._channel(down=ENDPOINT_DOWN in (overrides or {}))
        environment = self.function_environment(overrides, channel.environment(), route)
        with channel.recording() as init_calls:
            try:
                instance = self.runtime_for(route).start(environment, channel.listeners())
            except BaseException as error:
                channel.close()
                if isinstance(error, HandlerInitError):
                    error.calls = list(init_calls)
                raise
        timeout_s = self.runtime_for(route).options.timeout_s
        return self.environments.started(Environment(instance, channel, init_calls, environment, timeout_s))

    def fresh_instance(self, *, more: bool = True) -> Environment:
        """A new environment with the base configuration, for clauses that use many one after another
        (``more``: others are to follow)."""
        return self.environments.fresh(self.start_instance, more=more)

    def retire(self, environment: Environment) -> None:
        self.environments.retire(environment)

    def discard_instances(self) -> None:
        """Stop the warm environments (after a violation, so the next example starts clean)."""
        self.environments.discard()

    def invoke(self, environment: Environment, event: Any, fault: Fault | None = None) -> Invocation:
        """One invocation in ``environment``; calls arriving after it (late ones) still land in its record."""
        channel = environment.channel
        assert channel is not None  # a `$connect` handler's environments are all observed
        looked_up = len(channel.unreachable_hosts)
        environment.give(event)
        with channel.failing(fault) if fault is not None else nullcontext(), channel.recording() as calls:
            invocation = environment.instance.invoke(event, environment.timeout_s)
        invocation.calls = calls
        # An A and an AAAA query, and an SDK's retries, for one host: named once.
        invocation.unreachable_hosts = list(dict.fromkeys(channel.unreachable_hosts[looked_up:]))
        return invocation

    # ---- one example -------------------------------------------------------------------------

    def deliver(
        self, event: Any, bypass_gateway: bool = False, token: Mapping[str, Any] | None = None
    ) -> tuple[Any, Invocation | None, dict[str, Any]]:
        """What the gateway makes of ``event`` (the client presenting ``token``'s recipe, when given): the
        event `$connect` gets, the refused handshake's record (the handler never runs then), and what an
        Observation shows of it."""
        delivery = Delivery(event) if bypass_gateway else self.gateway.deliver(event, token)
        seen: dict[str, Any] = {
            "delivered": delivery.event if delivery.event is not event else None,
            "authorizer_answer": delivery.authorizer_answer,
        }
        if delivery.refused is None:
            return delivery.event, None, seen
        return event, Invocation(error=f"API Gateway refused the handshake: {delivery.refused}"), seen

    def connect(
        self,
        event: Any,
        *,
        fault: Fault | None = None,
        environment: Overrides | None = None,
        keep: bool = False,
        bypass_gateway: bool = False,
        route: str = CONNECT_ROUTE,
        given: Sequence[TypedItem] = (),
        token: Mapping[str, Any] | None = None,
    ) -> Observation:
        """Pass ``event`` through the gateway, invoke the handler once with what it delivers, and observe the table.

        On another ``route`` than `$connect` the event goes to the function serving it, as it is (the
        authorizer guards `$connect` alone); ``given`` items are written to the table first.

        An environment is kept warm per set of overrides (as Lambda keeps one) and replaced after a
        time-out or crash (and, by the clauses, after any violation).
        An initialisation failure is Lambda's init error: the connect fails, and that is observed.
        ``bypass_gateway`` sends ``event`` as it is, as a route without the authorizer would.
        """
        for item in given:
            self.put_item(item)
        event, refused, seen = self.deliver(event, bypass_gateway or route != CONNECT_ROUTE, token)
        if refused is not None:
            return self.observe(refused, keep=keep, environment=self.function_environment(environment), **seen)
        key = self._key(route, environment)
        try:
            warm, import_calls = self._warm(key, route, environment)
        except HandlerInitError as error:
            environment_seen = self.function_environment(environment, route=route)
            return self.observe(
                Invocation(), init_error=str(error), import_calls=error.calls, environment=environment_seen, **seen
            )
        invocation = self.invoke(warm, event, fault)
        self.environments.keep(key, warm)
        return self.observe(invocation, keep=keep, import_calls=import_calls, **self._seen_in(warm), **seen)

    def _key(self, route: str, environment: Overrides | None) -> Hashable:
        """The warm environments' key: the function serving ``route``, and its configuration."""
        function = list(dict.fromkeys(self.route_runtimes.values())).index(self.runtime_for(route))
        return function, tuple(sorted((environment or {}).items()))

    def _warm(self, key: Hashable, route: str, environment: Overrides | None) -> tuple[Environment, list[AwsCall]]:
        """The warm environment of ``key`` (taken out of the pool), or a new one; with its initialisation's
        calls if it has not been invoked yet (they belong to its first invocation's observation)."""
        warm = self.environments.take(key) or self.start_instance(environment, route)
        return warm, [] if warm.given else warm.init_calls

    def warm_up(self, environment: Overrides | None = None, route: str = CONNECT_ROUTE) -> None:
        """Start the environment the next connect under ``environment`` uses, if none is warm: a step whose
        verdict depends on how soon the function reads its clock must not wait for a cold start. A failed
        initialisation is left for that connect to meet and observe."""
        key = self._key(route, environment)
        try:
            warm, _ = self._warm(key, route, environment)
        except HandlerInitError:
            return
        self.environments.keep(key, warm)

    @staticmethod
    def _seen_in(warm: Environment) -> dict[str, Any]:
        return {
            "environment": warm.variables,
            "environment_events": list(warm.given),
            "environment_output": warm.instance.output(),
            "printed_since_previous": warm.printed_since_previous(),
        }

    def interleave(
        self, held: tuple[str, Any], meanwhile: tuple[str, Any], given: Sequence[TypedItem] = ()
    ) -> tuple[Observation, Observation]:
        """Invoke ``held`` = (route, event) with its first write held at the proxy, run ``meanwhile`` to its
        end in another environment, then let the held write land; observe both and the table after.

        The two run in two warm environments (of one function, or of the two serving the routes), both
        started before the hold, so nothing but the other invocation runs while the write waits.
        """
        for item in given:
            self.put_item(item)
        (first_route, first_event), (second_route, second_event) = held, meanwhile
        keys = self._key(first_route, None), self._key(second_route, {ANOTHER_ENVIRONMENT: "yes"})
        first, first_init = self._warm(keys[0], first_route, None)
        try:
            second, second_init = self._warm(keys[1], second_route, {ANOTHER_ENVIRONMENT: "yes"})
        except BaseException:
            self.environments.keep(keys[0], first)
            raise
        channel = first.channel
        if not isinstance(channel, ProxyChannel):
            raise BackendError("an interleaving holds a write at the observing proxy: run the functions out of process")
        answered: dict[str, Invocation] = {}
        timeout_s = max(first.timeout_s, second.timeout_s)
        with channel.holding(timeout_s) as hold:
            thread = threading.Thread(
                target=lambda: answered.update(first=self.invoke(first, first_event)), name="held", daemon=True
            )
            thread.start()
            while not hold.held.wait(0.01) and thread.is_alive():
                pass
            time.sleep(0.005)  # the other invocation's clock reads a later millisecond than the held one did
            answered["second"] = self.invoke(second, second_event)
        thread.join(timeout_s + 5)
        self.environments.keep(keys[0], first)
        self.environments.keep(keys[1], second)
        items, deleted = self._scan()
        self.backend.delete_items(self._client, self.table, items)
        observations = []
        for name, environment, init_calls in (("first", first, first_init), ("second", second, second_init)):
            invocation = answered.get(name) or Invocation(error=timed_out(environment.timeout_s))
            observations.append(
                Observation(
                    invocation,
                    items=items,
                    table_deleted=deleted,
                    import_calls=init_calls,
                    **self._seen_in(environment),
                )
            )
        return observations[0], observations[1]

    def settled_output(self) -> list[tuple[list[Any], list[str]]]:
        """For each warm environment, the events it was given and all it printed, once quiet."""
        return self.environments.settled_output()

    # ---- the table ---------------------------------------------------------------------------

    def _scan(self) -> tuple[list[TypedItem], bool]:
        """The table's items, and whether the table was gone (the handler deleted it; it is created anew)."""
        try:
            return self.backend.read_items(self._client, self.table), False
        except TableGone:
            create_table(self._client, self.table, self.table_definition)
            return [], True

    def observe(self, invocation: Invocation, *, keep: bool = False, **extra: Any) -> Observation:
        """Read the run's table after an invocation, then empty it for the next example (unless ``keep``)."""
        items, deleted = self._scan()
        if not keep:
            self.backend.delete_items(self._client, self.table, items)
        return Observation(invocation, items=items, table_deleted=deleted, **extra)

    def stored_items(self) -> list[TypedItem]:
        return self._scan()[0]

    def put_item(self, item: TypedItem) -> None:
        """An item of the harness's own (e.g. expiry's control item), written outside any recording window."""
        self.backend.put_item(self._client, self.table, item)

    def expire_items(self, keys: Sequence[str], control_key: str, deadline_s: float) -> list[TypedItem]:
        """Let the backend delete expired items until ``control_key``'s item is gone; the items of ``keys`` left.

        The control item expires no later than any correct item of ``keys``, so once the backend's
        sweep removed it, every correctly expiring item went with it.
        """
        deadline = time.monotonic() + deadline_s
        attribute = self.table_definition.key
        while True:
            self.backend.sweep_expired_items()
            items = {item[attribute]["S"]: item for item in self.stored_items() if attribute in item}
            if control_key not in items:
                return [items[key] for key in keys if key in items]
            if time.monotonic() > deadline:
                raise BackendError(
                    f"backend {self.backend.name!r} did not delete an item that expired "
                    f"{deadline_s:.0f} s ago; its TTL deletion is not working, so expiry cannot be judged"
                )
            time.sleep(0.5)

    def await_index(self, index: Index, value: str, count: int, limit_s: float = 30.0) -> None:
        """Wait until ``index`` holds ``count`` items under the partition ``value``: DynamoDB fills a global
        secondary index a moment after the write (the local backends at once), and a reader must find there
        what the gate wrote."""
        deadline = time.monotonic() + limit_s
        while True:
            found = self._client.query(
                TableName=self.table,
                IndexName=index.name,
                KeyConditionExpression="#p = :p",
                ExpressionAttributeNames={"#p": index.partition},
                ExpressionAttributeValues={":p": {"S": value}},
                Select="COUNT",
            )["Count"]
            if found >= count:
                return
            if time.monotonic() > deadline:
                raise BackendError(
                    f"backend {self.backend.name!r}: index {index.name} served {found} of the {count} items written"
                    f" under {value!r} after {limit_s:.0f} s"
                )
            time.sleep(0.2)

    def clear(self) -> None:
        self.backend.delete_items(self._client, self.table, self._scan()[0])
