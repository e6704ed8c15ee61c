"""A clause as the contract declares it: one numbered promise, what checking it feeds the function, and
what the check needs of the run (a cold start, a backend capability). How it is judged is registered
apart (``contract_tests.clauses``), so the contract stays plain data."""

from __future__ import annotations

from dataclasses import dataclass

#: What each backend capability a clause may require lets the gate do, as a report says it is missing.
CAPABILITIES = {
    "ttl-expiry": "delete expired items during a check",
    "held-writes": "hold one invocation's write at the observing proxy while another runs",
}


@dataclass(frozen=True)
class Clause:
    """One numbered promise of a contract."""

    number: int
    id: str
    title: str
    #: What the clause feeds the function, for the generated docs.
    generates: str = ""
    #: The kind of function it judges (a contract's ``kind``); with ``id``, the key of its judgement.
    binds: str = "connect"
    #: It judges what a function does while it initialises, so it starts in new environments; the others
    #: take the warm ones the previous clause left (a process start costs more than 20 connects).
    fresh_start: bool = False
    #: Backend capabilities (``CAPABILITIES``) without which the clause is not checked.
    requires: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = sorted(self.requires - set(CAPABILITIES))
        if unknown:
            raise ValueError(f"clause {self.id}: unknown capabilities {unknown}")
