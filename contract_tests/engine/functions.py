"""The functions a contract can bind, one class per kind, chosen by the contract's ``kind``: each opens
its session, tells the run its facts, and performs a clause's steps on it. A new kind of function is a
class here and an entry in ``FUNCTIONS``; the engine never asks which kind it has."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from typing import Any, ClassVar, Protocol

from contract_tests.authorizer_gateway import AuthorizerInFront
from contract_tests.aws_calls import ACCESS_DENIED, Fault
from contract_tests.backends import Backend, BackendOptions, make_backend
from contract_tests.backends.moto_server import MotoServer
from contract_tests.clauses.checks import ACCEPTED, is_refusal
from contract_tests.clauses.judgement import Expiry, Violation, WarmSequence
from contract_tests.clauses.router import DELETE_FAILS
from contract_tests.clauses.storage_failure import ENDPOINT_DOWN_FAILURE
from contract_tests.contracts import Contract, ContractBase, RouterContract
from contract_tests.contracts.clause import CAPABILITIES
from contract_tests.contracts.router import IDLE_VARIABLE, QUERY_PAGE
from contract_tests.engine import scenarios
from contract_tests.engine.plan import Plan
from contract_tests.engine.rounds import Round
from contract_tests.errors import HarnessError
from contract_tests.gateway import Gateway
from contract_tests.management_api import ManagementApi
from contract_tests.observation import AuthorizerCall, Observation, RouterRun
from contract_tests.request import AUTHORIZER, CheckRequest
from contract_tests.router_fleets import RouterCase, big_fleet, item_of
from contract_tests.runtimes import HandlerInitError, Invocation, Runtime, make_runtime
from contract_tests.session import AuthorizerSession, CheckSettings, ConnectSession
from contract_tests.steps import UNSET, Call, Facts, Interleaved, Overrides, Send, Steps
from contract_tests.strategies import no_query_cases

# Every call fails either way; over the wire the SDK's retries (with back-off) would only make each example slower.
ONE_ATTEMPT = {"AWS_MAX_ATTEMPTS": "1"}


class Function(Protocol):
    """One function under check, its session open."""

    #: What one step is called in a report ("connect", "call").
    noun: ClassVar[str]
    facts: Facts
    warnings: list[str]
    #: Every function's runtime: the checked one's first, then its other routes', then the one in front.
    runtimes: tuple[Runtime, ...]

    def perform(self, step: Any) -> Any:
        """One step (the clause's ``Send`` or ``Call``) performed and observed."""

    def first(self) -> Any:
        """The first step of every check, a valid one: what shows that every step would fail."""

    def control(self) -> tuple[Any, Any]:
        """The first step's example as a report shows it, and what the contract expects of it."""

    def refused_in_front(self, first: Any) -> bool:
        """Whether a function in front of this one refused the first, valid step."""

    def refuses_valid(self, contract: ContractBase) -> bool:
        """Whether a valid step is refused now (a refusal clause's pass may rest on refusing everything)."""

    def discard_instances(self) -> None: ...

    def settled_output(self) -> list[tuple[list[Any], list[str]]]: ...

    def capabilities(self) -> dict[str, str | None]:
        """Each of ``contracts.clause.CAPABILITIES``, and where and why this run lacks it (None: it has it)."""

    def warm_sequences(
        self,
        judgement: WarmSequence[Any, Any],
        contract: ContractBase,
        this_round: Round,
        observed: Callable[[Any], None],
    ) -> tuple[Violation | None, int, str]:
        """One round of the warm-sequence scenario: the shrunk Violation or None, environments run, a pass's
        message."""

    def replay_warm_sequence(self, judgement: WarmSequence[Any, Any], contract: ContractBase, case: Any) -> None: ...

    def expire(self, judgement: Expiry[Any, Any], contract: ContractBase, events: list[dict[str, Any]]) -> None:
        """The expiry scenario: raises the Violation of an item that outlived its TTL."""


def backend_for(request: CheckRequest, runtime: Runtime) -> Backend:
    """The backend, not yet started. A function out of process cannot reach moto inside this one:
    it gets moto's server, serving the model this process holds (as ``moto`` does, see MotoServer)."""
    options = BackendOptions(
        region=request.region, endpoint=request.endpoint, create_real_table=request.create_real_table
    )
    if request.backend == "moto" and runtime.out_of_process:
        return MotoServer(options, model_in_process=True)
    return make_backend(request.backend, options)


class ConnectHandler:
    """A `$connect` handler: a backend with the run's table, the contract's gateway in front."""

    noun: ClassVar[str] = "connect"

    def __init__(self, plan: Plan, runtime: Runtime, settings: CheckSettings, stack: ExitStack) -> None:
        contract = plan.contract
        assert isinstance(contract, Contract)  # the kind registered for "connect" contracts
        backend = stack.enter_context(backend_for(plan.request, runtime))
        gateway = self._gateway(plan, contract, settings, stack)
        variables = plan.request.table_variable_names
        routes = {
            route: make_runtime(plan.request.runtime, target, plan.request.runtime_options(route))
            for route, target in plan.routes
        }
        in_front = (gateway.session.runtime,) if isinstance(gateway, AuthorizerInFront) else ()
        self.runtimes = (runtime, *routes.values(), *in_front)
        self.session = ConnectSession(runtime, backend, settings, contract.table, gateway, variables, routes)
        stack.enter_context(self.session.opened())
        self.warnings = self.session.warnings
        self._failures = self._storage_failures()
        failures = {name: why for name, (_, _, why) in self._failures.items()}
        self.facts = Facts(
            settings.examples,
            table=self.session.table,
            table_variables=variables,
            failures=failures,
            backend=backend.name,
            functions={route: dict(plan.routes).get(route, plan.target).spec for route in contract.routes},
            ring=dict(gateway.session.ring) if isinstance(gateway, AuthorizerInFront) else {},
        )

    @staticmethod
    def _gateway(plan: Plan, contract: Contract, settings: CheckSettings, stack: ExitStack) -> Gateway:
        """The contract's gateway, or with ``--authorizer`` that function in front of `$connect`."""
        if plan.authorizer is None:
            return contract.gateway
        kind = "inprocess" if plan.request.runtime == "inprocess" else None
        runtime = make_runtime(kind, plan.authorizer, plan.request.runtime_options(AUTHORIZER))
        session = stack.enter_context(AuthorizerSession(runtime, settings).opened())
        return AuthorizerInFront(session, plan.request.deployed_of(AUTHORIZER).identity_sources)

    def _storage_failures(self) -> dict[str, tuple[Fault | None, Overrides, str]]:
        """Every storage failure this run can make: the observer's injected faults, a table that does not
        exist, and (where the function has an endpoint to lose) a dead endpoint."""
        session = self.session
        failures: dict[str, tuple[Fault | None, Overrides, str]] = {
            fault.name: (fault, ONE_ATTEMPT, f"every DynamoDB call failed with {fault.error_code} ({fault.name})")
            for fault in session.faults
        }
        missing_table = f"{session.table}-missing"
        names = " and ".join(session.table_variables)
        failures["table-missing"] = (
            None,
            dict.fromkeys(session.table_variables, missing_table),
            f"{names} {'names' if len(session.table_variables) == 1 else 'name'} a table that does not exist"
            f" ({missing_table})",
        )
        outage = session.endpoint_outage()
        if outage is not None:
            overrides, what = outage
            failures[ENDPOINT_DOWN_FAILURE] = (
                None,
                {**overrides, **ONE_ATTEMPT},
                f"the DynamoDB endpoint stopped answering ({what})",
            )
        return failures

    def perform(self, step: Send | Steps | Interleaved) -> Observation | list[Observation]:
        if isinstance(step, Interleaved):
            try:
                return list(self.session.interleave(step.held, step.meanwhile, step.given))
            except HandlerInitError as error:
                failed = Observation(Invocation(), init_error=str(error), import_calls=error.calls)
                self.session.clear()
                return [failed, failed]
        if isinstance(step, Steps):
            observations = [self._send(send, keep=True) for send in step.sends]
            self.session.clear()
            return observations
        return self._send(step)

    def _send(self, step: Send, keep: bool = False) -> Observation:
        if step.without_table:
            unset: dict[str, str | None] = dict.fromkeys(self.session.table_variables, UNSET)
            step = replace(step, environment={**unset, **(step.environment or {})}, without_table=False)
        if step.failure is None:
            return self.session.connect(
                step.event,
                environment=step.environment,
                bypass_gateway=step.bypass_gateway,
                route=step.route,
                given=step.given,
                keep=keep,
                token=step.token,
            )
        if step.failure not in self._failures:
            raise HarnessError(
                f"this run cannot make the storage failure {step.failure!r}: {', '.join(self._failures)}"
            )
        fault, overrides, _ = self._failures[step.failure]
        environment = {**overrides, **(step.environment or {})}
        return self.session.connect(
            step.event, fault=fault, environment=environment, route=step.route, given=step.given, keep=keep
        )

    def first(self) -> Observation:
        return self._send(Send(no_query_cases()[0]))

    def control(self) -> tuple[Any, Any]:
        return no_query_cases()[0], ACCEPTED

    def refused_in_front(self, first: Observation) -> bool:
        return first.authorizer_answer is not None

    def refuses_valid(self, contract: ContractBase) -> bool:
        assert isinstance(contract, Contract)
        return is_refusal(self.first(), contract)

    def discard_instances(self) -> None:
        self.session.discard_instances()

    def settled_output(self) -> list[tuple[list[Any], list[str]]]:
        return self.session.settled_output()

    def capabilities(self) -> dict[str, str | None]:
        found = self.session.backend.capabilities_for(self.session.table_definition)
        found["held-writes"] = (
            None
            if self.session.runtime.out_of_process
            else "in process: the inprocess runtime cannot run a second invocation while one waits"
        )
        return found

    def warm_sequences(
        self,
        judgement: WarmSequence[Any, Any],
        contract: ContractBase,
        this_round: Round,
        observed: Callable[[Any], None],
    ) -> tuple[Violation | None, int, str]:
        assert isinstance(contract, Contract)
        return scenarios.warm_sequences(self.session, judgement, contract, self.facts, this_round, observed)

    def replay_warm_sequence(self, judgement: WarmSequence[Any, Any], contract: ContractBase, case: Any) -> None:
        assert isinstance(contract, Contract)
        scenarios.replay_warm_sequence(self.session, judgement, contract, self.facts, case)

    def expire(self, judgement: Expiry[Any, Any], contract: ContractBase, events: list[dict[str, Any]]) -> None:
        assert isinstance(contract, Contract)
        scenarios.expire(self.session, judgement, contract, self.facts, events)


class Authorizer:
    """A REQUEST authorizer: no backend and no table; the run's key ring signs every token."""

    noun: ClassVar[str] = "call"

    def __init__(self, plan: Plan, runtime: Runtime, settings: CheckSettings, stack: ExitStack) -> None:
        self.session = stack.enter_context(AuthorizerSession(runtime, settings).opened())
        self.warnings = self.session.warnings
        self.runtimes: tuple[Runtime, ...] = (runtime,)
        self.facts = Facts(settings.examples, ring=dict(self.session.ring))

    def perform(self, step: Call) -> AuthorizerCall:
        return self.session.call(dict(step.recipe), step.connect, ring_text=step.ring_text)

    def first(self) -> AuthorizerCall:
        control = self.session.control_case()
        return self.session.call(control["token"], control["connect"])

    def control(self) -> tuple[Any, Any]:
        return self.session.control_case(), "an Allow"

    def refused_in_front(self, first: AuthorizerCall) -> bool:
        return False

    def refuses_valid(self, contract: ContractBase) -> bool:
        raise HarnessError("a refusal control is a $connect clause's: an authorizer has no valid step to refuse")

    def discard_instances(self) -> None:
        self.session.discard_instances()

    def settled_output(self) -> list[tuple[list[Any], list[str]]]:
        return [(list(tokens), lines) for tokens, lines in self.session.settled_output()]

    def capabilities(self) -> dict[str, str | None]:
        return {name: f"for an authorizer: it has no backend to {what}" for name, what in CAPABILITIES.items()}

    def warm_sequences(
        self,
        judgement: WarmSequence[Any, Any],
        contract: ContractBase,
        this_round: Round,
        observed: Callable[[Any], None],
    ) -> tuple[Violation | None, int, str]:
        raise HarnessError(f"clause {judgement.clause.id}: an authorizer has no warm sequence of connects")

    def replay_warm_sequence(self, judgement: WarmSequence[Any, Any], contract: ContractBase, case: Any) -> None:
        raise HarnessError(f"clause {judgement.clause.id}: an authorizer has no warm sequence of connects")

    def expire(self, judgement: Expiry[Any, Any], contract: ContractBase, events: list[dict[str, Any]]) -> None:
        raise HarnessError(f"clause {judgement.clause.id}: an authorizer stores nothing to expire")


class Router:
    """A router: the run's table (v5's, with its index) holding each step's fleet, and the gate's
    management API behind ``CONNECTIONS_ENDPOINT``; every Query page cut short so pagination shows."""

    noun: ClassVar[str] = "invocation"

    def __init__(self, plan: Plan, runtime: Runtime, settings: CheckSettings, stack: ExitStack) -> None:
        contract = plan.contract
        assert isinstance(contract, RouterContract)  # the kind registered for "router" contracts
        backend = stack.enter_context(backend_for(plan.request, runtime))
        self.runtimes: tuple[Runtime, ...] = (runtime,)
        self.management = ManagementApi()
        stack.callback(self.management.close)
        variables = plan.request.table_variable_names
        self._index = contract.index
        self.session = ConnectSession(
            runtime,
            backend,
            settings,
            contract.table,
            table_variables=variables,
            management=self.management,
            query_page=QUERY_PAGE,
        )
        stack.enter_context(self.session.opened())
        self.warnings = self.session.warnings
        # Not a 500, which the SDKs retry: the SDK for JavaScript v2 ignores AWS_MAX_ATTEMPTS and backs off
        # ~25 s over ten attempts, past the router's timeout, where boto3 and SDK v3 told one attempt fail at
        # once; the verdict would follow the SDK, not the router's handling of a failed prune.
        fault = replace(ACCESS_DENIED, name=DELETE_FAILS, only=frozenset({"DeleteItem"}))
        self._failures = {DELETE_FAILS: fault}
        self.facts = Facts(
            settings.examples,
            table=self.session.table,
            table_variables=variables,
            failures={DELETE_FAILS: f"every DeleteItem failed with {fault.error_code}"},
            backend=backend.name,
        )

    def perform(self, step: RouterCase) -> RouterRun:
        environment: dict[str, str | None] = dict(step.environment)
        if step.idle is not None:
            environment[IDLE_VARIABLE] = step.idle or UNSET
        fault = None
        if step.failure is not None:
            if step.failure not in self._failures:
                known = ", ".join(self._failures)
                raise HarnessError(f"this run cannot make the storage failure {step.failure!r}: {known}")
            fault = self._failures[step.failure]
        # An agent expiring at the second of the write tells an inclusive expiry apart only if the router
        # reads its clock in that second: a cold start must not spend it, nor may it be near its end.
        self.session.warm_up(environment or None)
        if step.reads_on_the_second:
            _early_in_a_second()
        now_ms = time.time_ns() // 1_000_000
        given = [item_of(agent, step.home, now_ms) for agent in step.agents]
        for item in given:
            self.session.put_item(item)
        partition = "#".join(step.home)
        written = sum(item.get(self._index.partition, {}).get("S") == partition for item in given)
        self.session.await_index(self._index, partition, written)
        answers = {agent.connection_id: agent.answers for agent in step.agents}
        with self.management.scripting(answers) as attempts:
            observation = self.session.connect(step.event, environment=environment or None, fault=fault)
        return RouterRun(observation, given, attempts)

    def _control(self) -> RouterCase:
        return RouterCase.of(big_fleet(1))

    def first(self) -> RouterRun:
        return self.perform(self._control())

    def control(self) -> tuple[Any, Any]:
        return self._control().plain(), {"delivered": 1, "pruned": 0, "failed": 0}

    def refused_in_front(self, first: RouterRun) -> bool:
        return False

    def refuses_valid(self, contract: ContractBase) -> bool:
        raise HarnessError("a refusal control is a $connect clause's: a router refuses nothing")

    def discard_instances(self) -> None:
        self.session.discard_instances()

    def settled_output(self) -> list[tuple[list[Any], list[str]]]:
        return self.session.settled_output()

    def capabilities(self) -> dict[str, str | None]:
        return {name: f"for a router: its clauses do not {what}" for name, what in CAPABILITIES.items()}

    def warm_sequences(
        self,
        judgement: WarmSequence[Any, Any],
        contract: ContractBase,
        this_round: Round,
        observed: Callable[[Any], None],
    ) -> tuple[Violation | None, int, str]:
        raise HarnessError(f"clause {judgement.clause.id}: a router has no warm sequence of connects")

    def replay_warm_sequence(self, judgement: WarmSequence[Any, Any], contract: ContractBase, case: Any) -> None:
        raise HarnessError(f"clause {judgement.clause.id}: a router has no warm sequence of connects")

    def expire(self, judgement: Expiry[Any, Any], contract: ContractBase, events: list[dict[str, Any]]) -> None:
        raise HarnessError(f"clause {judgement.clause.id}: a router's clauses judge expiry on items it reads")


#: How far into a second a fleet probing the second of expiry may still be written: the write and a warm
#: router's clock read are 20-110 ms apart (LocalStack, p50-p90 on a loaded machine).
WRITE_BY_MS = 500


def _early_in_a_second() -> None:
    into_ms = time.time_ns() // 1_000_000 % 1000
    if into_ms > WRITE_BY_MS:
        time.sleep((1000 - into_ms) / 1000)


#: The function each kind of contract binds (``ContractBase.kind``).
FUNCTIONS: dict[str, Callable[[Plan, Runtime, CheckSettings, ExitStack], Function]] = {
    "connect": ConnectHandler,
    "authorizer": Authorizer,
    "router": Router,
}
