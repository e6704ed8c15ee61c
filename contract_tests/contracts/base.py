"""A contract as a value: schemas, clauses and decisions; a `$connect` version adds oracle, table and gateway."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import ClassVar

from contract_tests.contracts.clause import Clause
from contract_tests.errors import HarnessError
from contract_tests.gateway import Direct, Gateway
from contract_tests.oracle import Oracle
from contract_tests.table_definition import TableDefinition


@dataclass(frozen=True, kw_only=True)
class ContractBase:
    """What every contract has, whatever function it binds: named clauses over named schemas."""

    #: The kind of function a contract of this kind binds (its clauses' ``binds``), and as listings name it.
    kind: ClassVar[str] = "connect"
    function: ClassVar[str] = "$connect handler"

    name: str
    summary: str
    schemas: Mapping[str, str]
    clauses: tuple[Clause, ...]
    parent: str | None = None
    #: What the design card leaves open and this version decides, one sentence each (inherited ones first).
    decisions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "schemas", MappingProxyType(dict(self.schemas)))
        strangers = [clause.id for clause in self.clauses if clause.binds != self.kind]
        if strangers:
            raise ValueError(f"contract {self.name} binds a {self.kind} function; clauses {strangers} bind another")

    @property
    def clauses_by_id(self) -> dict[str, Clause]:
        return {clause.id: clause for clause in self.clauses}

    @property
    def lineage(self) -> str:
        """Where the contract stands among the others, as listings say it (empty for a first version)."""
        return f"= {self.parent} + changes" if self.parent else ""

    @property
    def guarded(self) -> bool:
        """Whether an authorizer stands in front of the function, so ``--authorizer`` can be the one there."""
        return False

    @property
    def route_names(self) -> tuple[str, ...]:
        """The routes whose function the contract binds, `$connect` first; none for a function invoked directly."""
        return ()

    def configuration_errors(self, environment: Mapping[str, str]) -> list[str]:
        """Problems with the function's own configuration that leave the contract's answer undefined."""
        return []

    def schema(self, role: str) -> str:
        if role not in self.schemas:
            held = ", ".join(f"{name} ({schema})" for name, schema in self.schemas.items())
            raise HarnessError(f"contract {self.name} has no {role} schema; it has: {held}")
        return self.schemas[role]

    def select(self, ids: Sequence[str]) -> list[Clause]:
        """The clauses named by ``ids`` in the contract's order, or all of them when none are named."""
        known = self.clauses_by_id
        unknown = [clause_id for clause_id in ids if clause_id not in known]
        if unknown:
            raise HarnessError(f"contract {self.name} has no clause {unknown[0]!r}; choose from: {', '.join(known)}")
        return [clause for clause in self.clauses if not ids or clause.id in ids]


#: The route every version binds, first of a contract's ``routes``.
CONNECT_ROUTE = "$connect"
#: What the card's IAM list grants `$connect`: the write, and a read it may make first.
CONNECT_OPERATIONS = frozenset({"PutItem", "GetItem"})


@dataclass(frozen=True, kw_only=True)
class Contract(ContractBase):
    """One version of the `$connect` contract; :meth:`derive` makes the next one from it."""

    oracle: Oracle
    table: TableDefinition = field(default_factory=TableDefinition)
    #: How a handshake reaches `$connect`: directly, or behind the authorizer (v4 on).
    gateway: Gateway = field(default_factory=Direct, compare=False)
    #: The routes the contract binds, `$connect` first, each with the DynamoDB operations it may call on the
    #: table (a function serving several routes may call the union).
    routes: Mapping[str, frozenset[str]] = field(default_factory=lambda: {CONNECT_ROUTE: CONNECT_OPERATIONS})

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "routes", MappingProxyType(dict(self.routes)))

    @property
    def route_names(self) -> tuple[str, ...]:
        return tuple(self.routes)

    def operations(self, routes: Iterable[str]) -> frozenset[str]:
        """The DynamoDB operations a function serving ``routes`` may call."""
        return frozenset().union(*(self.routes[route] for route in routes))

    @property
    def guarded(self) -> bool:
        return self.gateway.guarded

    def configuration_errors(self, environment: Mapping[str, str]) -> list[str]:
        return self.oracle.configuration_errors(environment)

    def derive(
        self,
        name: str,
        summary: str,
        *,
        schemas: Mapping[str, str] | None = None,
        oracle: Oracle | None = None,
        table: TableDefinition | None = None,
        add: Sequence[Clause] = (),
        replace_clauses: Sequence[Clause] = (),
        decisions: Sequence[str] = (),
        gateway: Gateway | None = None,
        routes: Mapping[str, frozenset[str]] | None = None,
    ) -> Contract:
        """This contract plus changes: schemas and clauses replaced by role and id, clauses added at the end."""
        replacing = {clause.id: clause for clause in replace_clauses}
        missing = sorted(set(replacing) - set(self.clauses_by_id))
        clashing = sorted({clause.id for clause in add} & set(self.clauses_by_id))
        if missing or clashing:
            raise ValueError(f"{name}: cannot replace {missing} or add {clashing}")
        clauses = tuple(replacing.get(clause.id, clause) for clause in self.clauses) + tuple(add)
        return replace(
            self,
            name=name,
            summary=summary,
            schemas={**self.schemas, **(schemas or {})},
            oracle=oracle or self.oracle,
            table=table or self.table,
            clauses=clauses,
            parent=self.name,
            decisions=(*self.decisions, *decisions),
            gateway=gateway or self.gateway,
            routes={**self.routes, **(routes or {})},
        )
