"""A check's plan, resolved once from what it was asked: the contract and its clauses, the seed, the
targets. Everything after reads the plan; nothing looks the contract up or parses a target again."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

from contract_tests.contracts import ContractBase, contract_named
from contract_tests.contracts.base import CONNECT_ROUTE
from contract_tests.contracts.clause import Clause
from contract_tests.contracts.router import ENDPOINT_VARIABLE
from contract_tests.engine.shards import recorded_durations, shard_clauses
from contract_tests.errors import HarnessError
from contract_tests.options import FROM_TEMPLATE
from contract_tests.request import AUTHORIZER, HANDLER, CheckRequest, Deployed
from contract_tests.runtimes import RUNTIMES
from contract_tests.sam_template import StackFunction, read_invoked, read_stack
from contract_tests.targets import HandlerTarget, parse_target


@dataclass(frozen=True)
class Plan:
    request: CheckRequest
    contract: ContractBase
    #: The clauses to run, in the contract's order.
    clauses: tuple[Clause, ...]
    seed: int
    target: HandlerTarget
    #: ``--authorizer``: the function put in front of `$connect`.
    authorizer: HandlerTarget | None = None
    #: ``--route``: the routes served by another function than ``target`` (which serves the others).
    routes: tuple[tuple[str, HandlerTarget], ...] = ()
    #: With ``--shard``: the clauses of the whole check this plan checks a share of (else ``clauses``).
    unsharded: tuple[Clause, ...] | None = None

    @property
    def whole_check(self) -> tuple[Clause, ...]:
        return self.unsharded if self.unsharded is not None else self.clauses

    def reports_blocking_failure(self, clause: Clause) -> bool:
        """Whether ``clause`` reports a failure that blocks every step: the whole check's first clause does,
        whichever shard or worker runs it, so that it is reported once."""
        return clause == self.whole_check[0]

    @property
    def runtime(self) -> str:
        """The runtime asked for, or the one the target's language implies."""
        return self.request.runtime or self.target.language


def plan(request: CheckRequest, *, all_clauses: bool = False) -> Plan:
    """Resolve ``request``; HarnessError (exit 2) says what is wrong with it. ``all_clauses`` plans every
    clause whatever ``--clause`` named (a replay judges saved cases of any)."""
    if request.examples < 1:
        raise HarnessError("--examples must be at least 1")
    contract = contract_named(request.contract)
    if request.template is not None:
        request = from_template(request, contract)
    elif not request.handler:
        raise HarnessError("--handler TARGET is required (or --template PATH, a SAM template naming it)")
    problems = contract.configuration_errors(dict(request.env))
    if problems:
        raise HarnessError(f"contract {contract.name}: --env {problems[0]}")
    taken = [name for name, _ in request.env if name in request.table_variable_names]
    if taken:
        raise HarnessError(f"--env {taken[0]}: the gate's: --table-variable sets it to the run's own table")
    if request.authorizer is not None and not contract.guarded:
        raise HarnessError(f"--authorizer: contract {contract.name} has no authorizer in front of $connect (v4 has)")
    clauses = tuple(contract.select(() if all_clauses else request.clauses))
    unsharded = None
    numbers = request.shard_numbers
    if numbers is not None and not all_clauses:
        unsharded, clauses = clauses, _shard(request, clauses, *numbers)
    elif request.shard_durations is not None:
        raise HarnessError("--shard-durations balances shards: give --shard K/N too")
    seed = request.seed if request.seed is not None else secrets.randbelow(2**32)
    target = _target(request, request.handler)
    authorizer = _target(request, request.authorizer) if request.authorizer is not None else None
    return Plan(request, contract, clauses, seed, target, authorizer, _routes(request, contract), unsharded)


def _shard(request: CheckRequest, clauses: tuple[Clause, ...], index: int, count: int) -> tuple[Clause, ...]:
    if request.seed is None:
        # a seed drawn per shard would make each shard part of a different run
        raise HarnessError("--shard: give --seed N too, the same in every shard, so the shards split one check")
    durations = recorded_durations(request.shard_durations) if request.shard_durations else None
    return shard_clauses(clauses, index, count, durations)


def from_template(request: CheckRequest, contract: ContractBase) -> CheckRequest:
    """``request`` with the functions, authorizer and variables of its SAM template's stack filled in."""
    given = [name for name in FROM_TEMPLATE if request.words_of(name)]
    if given:
        raise HarnessError(f"--template reads the functions from the template; drop --{given[0]}")
    return TEMPLATE_READERS[contract.kind](request, contract)


def _route_functions(request: CheckRequest, contract: ContractBase) -> CheckRequest:
    """The function of each route the contract binds, and the authorizer in front of `$connect` if it has one."""
    stack = read_stack(str(request.template))
    routes = contract.route_names
    missing = [route for route in routes if route not in stack.routes]
    if missing:
        raise HarnessError(
            f"--template {request.template}: no route {missing[0]}, which contract {contract.name} binds"
        )
    functions = [stack.routes[route] for route in routes]
    in_front = stack.authorizer if contract.guarded else None
    if contract.guarded and in_front is None:
        # API Gateway would pass every connect on with no authorizer context: not the stack the contract binds
        raise HarnessError(
            f"--template {request.template}: no REQUEST authorizer in front of $connect (AuthorizerId), which"
            f" contract {contract.name} puts there; check the $connect function alone with --handler"
        )
    variables: dict[str, tuple[str, str]] = {}
    for function in [*functions, *([in_front] if in_front else [])]:
        for name, value in function.variables.items():
            earlier = variables.setdefault(name, (function.name, value))
            if earlier[1] != value:
                raise HarnessError(
                    f"--template {request.template}: {earlier[0]} and {function.name} set {name} differently; the"
                    " gate gives every function one configuration: give the one to check with --env"
                )
    environment = {name: value for name, (_, value) in variables.items()} | dict(request.env)
    tables = tuple(dict.fromkeys(name for function in functions for name in function.table_variables))
    deployed = [
        _deployed(request, HANDLER, functions[0]),
        *(_deployed(request, route, stack.routes[route]) for route in routes[1:]),
    ]
    return replace(
        request,
        handler=functions[0].target,
        routes=tuple((route, stack.routes[route].target) for route in routes[1:]),
        authorizer=in_front.target if in_front else None,
        env=tuple(environment.items()),
        table_variables=request.table_variables or tables,
        deployed=(*deployed, *([_deployed(request, AUTHORIZER, in_front)] if in_front else [])),
    )


def _deployed(request: CheckRequest, name: str, function: StackFunction) -> Deployed:
    if function.external_layers and not request.layers:
        raise HarnessError(
            f"--template {request.template}: {function.name} has layers the template only names"
            f" ({', '.join(function.external_layers)}); give what each holds with --layer DIR (a folder holding"
            " the layer archive's python/ or nodejs/)"
        )
    return Deployed(
        name, function.timeout_s, function.memory_mb, function.layers, function.runtime, function.identity_sources
    )


def _authorizer_function(request: CheckRequest, contract: ContractBase) -> CheckRequest:
    """The REQUEST authorizer in front of the stack's `$connect` route."""
    authorizer = read_stack(str(request.template)).authorizer
    if authorizer is None:
        raise HarnessError(
            f"--template {request.template}: no REQUEST authorizer in front of $connect, which contract"
            f" {contract.name} binds"
        )
    return replace(
        request,
        handler=authorizer.target,
        env=tuple({**authorizer.variables, **dict(request.env)}.items()),
        deployed=(_deployed(request, HANDLER, authorizer),),
    )


def _router_function(request: CheckRequest, contract: ContractBase) -> CheckRequest:
    """The function invoked directly with the management API's endpoint in its environment."""
    router = read_invoked(str(request.template), ENDPOINT_VARIABLE, contract.function)
    return replace(
        request,
        handler=router.target,
        env=tuple({**router.variables, **dict(request.env)}.items()),
        table_variables=request.table_variables or router.table_variables,
        deployed=(_deployed(request, HANDLER, router),),
    )


#: Where a SAM template names the function each kind of contract binds (``ContractBase.kind``).
TEMPLATE_READERS: dict[str, Callable[[CheckRequest, ContractBase], CheckRequest]] = {
    "connect": _route_functions,
    "authorizer": _authorizer_function,
    "router": _router_function,
}


def _routes(request: CheckRequest, contract: ContractBase) -> tuple[tuple[str, HandlerTarget], ...]:
    """``--route``'s targets, each for a route of the contract other than `$connect` (``--handler``'s)."""
    routes = contract.route_names
    named = [route for route, _ in request.routes]
    for route in named:
        if route == CONNECT_ROUTE:
            raise HarnessError("--route $connect=…: `$connect` is served by --handler")
        if route not in routes:
            others = ", ".join(other for other in routes if other != CONNECT_ROUTE)
            if others:
                having = f"its other routes: {others}"
            elif routes:
                having = "it binds $connect alone (v5 adds $disconnect and heartbeat)"
            else:
                having = f"it binds one {contract.function} and no route (v5 has $disconnect and heartbeat)"
            raise HarnessError(f"--route {route}=…: contract {contract.name} has no route {route!r}; {having}")
    if len(set(named)) != len(named):
        twice = next(route for route in named if named.count(route) > 1)
        raise HarnessError(f"--route {twice}=… is given twice; one function serves a route")
    return tuple((route, _target(request, target)) for route, target in request.routes)


def _target(request: CheckRequest, spec: str) -> HandlerTarget:
    """A function's target, read with the runtime the request chose (every function of a check runs on it)."""
    python = request.runtime is not None and RUNTIMES[request.runtime].language == "python"
    return parse_target(spec, request.code_dir, python=python)
