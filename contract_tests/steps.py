"""What a clause asks the engine to do with one case, and what the engine tells clauses of the run.

A step is data: the engine performs it on the function the clause binds (``Send`` to a `$connect`
handler, ``Call`` to an authorizer) and hands back an observation to judge.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from contract_tests.reserved_variables import DEFAULT_TABLE_VARIABLE

#: A DynamoDB item as the wire types it.
TypedItem = dict[str, Any]

#: Value in an ``environment`` override that removes the variable.
UNSET = None

Overrides = Mapping[str, str | None]


class RunRing:
    """The run's own key ring, as opposed to any text a clause sets ``CONNECT_JWT_KEYS`` to."""


RUN_RING = RunRing()


@dataclass(frozen=True)
class Send:
    """Send ``event`` on ``route`` (to `$connect` through the contract's gateway), in an environment
    configured by ``environment`` (``UNSET`` removes a variable), while the storage ``failure`` named (one
    of ``Facts.failures``) happens; ``bypass_gateway`` sends it as a route without the authorizer would."""

    event: Any
    environment: Overrides | None = None
    failure: str | None = None
    bypass_gateway: bool = False
    #: Every variable the handler reads its table's name from (``Facts.table_variables``) unset.
    without_table: bool = False
    route: str = "$connect"
    #: Items the run's table holds when the event is sent, written by the gate beforehand.
    given: tuple[TypedItem, ...] = ()
    #: The recipe of the token the client presents to the authorizer in front (``--authorizer``): a
    #: forged one; None, a valid token of the event's client.
    token: Mapping[str, Any] | None = None

    def cold_start(self) -> Hashable:
        """What the function's initialisation for this send can depend on besides its code: the function
        (its route), its configuration, the storage failure made, the table beforehand. The event is not
        among them: it reaches the handler only once the initialisation succeeded."""
        environment = tuple(sorted((self.environment or {}).items()))
        given = json.dumps(self.given, sort_keys=True, default=str)
        return self.route, environment, self.without_table, self.failure, given


@dataclass(frozen=True)
class Interleaved:
    """``held`` sent with its first write held back while ``meanwhile`` runs to its end in another
    environment; then the held write lands. Both are (route, event); ``given``: the table beforehand."""

    held: tuple[str, Any]
    meanwhile: tuple[str, Any]
    given: tuple[TypedItem, ...] = ()


@dataclass(frozen=True)
class Steps:
    """``sends`` one after another on one table, each observed before the next (a connection's life)."""

    sends: tuple[Send, ...]


@dataclass(frozen=True)
class Call:
    """Mint ``recipe``'s token now and send the authorizer the REQUEST event of ``connect`` carrying it,
    with ``CONNECT_JWT_KEYS`` set to ``ring_text`` (None unsets it; by default the run's ring)."""

    recipe: Mapping[str, Any]
    connect: Mapping[str, Any]
    ring_text: str | RunRing | None = RUN_RING


@dataclass(frozen=True)
class Facts:
    """What a run knows that cases and judgements may depend on, fixed before the first clause."""

    examples: int
    #: `$connect`: the run's table, the variables naming it, and the storage failures this run can make
    #: (name: what fails).
    table: str = ""
    table_variables: tuple[str, ...] = (DEFAULT_TABLE_VARIABLE,)
    failures: Mapping[str, str] = field(default_factory=dict)
    #: The backend's name, as a report names it.
    backend: str = ""
    #: The authorizer's key ring (kid: secret), in rotation order: the run's, or (`$connect` with
    #: ``--authorizer``) the one of the authorizer in front; empty when the gate writes the context.
    ring: Mapping[str, str] = field(default_factory=dict)
    #: `$connect` and its sibling routes: the function serving each (routes served by one share it).
    functions: Mapping[str, str] = field(default_factory=dict)

    def served_with(self, route: str) -> tuple[str, ...]:
        """The routes the function serving ``route`` serves (``route`` alone when nothing is known)."""
        function = self.functions.get(route)
        return tuple(other for other, serving in self.functions.items() if serving == function) or (route,)

    @property
    def kids(self) -> tuple[str, ...]:
        return tuple(self.ring)
