"""How a clause is judged, declared: the cases it generates, the step each becomes, and a pure, typed
``judge(case, observation, contract, facts)`` that raises a Violation. The engine runs them; a clause
never drives a session or reaches into a backend.

Three shapes, one per way of generating: ``Property`` (independent cases, hypothesis shrinks a failing
one), ``WarmSequence`` (a stateful run of connects in one warm environment) and ``Expiry`` (connects,
then the backend's TTL sweep).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from hypothesis import strategies as st

from contract_tests.contracts import ContractBase
from contract_tests.contracts.clause import Clause
from contract_tests.observation import TypedItem
from contract_tests.router_fleets import RouterCase
from contract_tests.steps import Call, Facts, Interleaved, Send, Steps

C = TypeVar("C")
O = TypeVar("O")  # noqa: E741 - the observation a step gives back
K = TypeVar("K", bound=ContractBase)


class Violation(AssertionError):
    """The function broke the clause on one example; hypothesis shrinks towards the smallest one."""

    def __init__(self, message: str, expected: Any, actual: Any) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.actual = actual
        self.example: Any = None


def _no_cases(facts: Facts) -> Sequence[Any]:
    return ()


def _as_asked(examples: int) -> int:
    return examples


@dataclass(frozen=True, kw_only=True)
class Judgement(Generic[C, O, K]):
    """A clause's judgement: ``judge`` raises a Violation, or returns which side of a rule the case fell
    on (True: the first of ``Property.sides``) or None."""

    clause: Clause
    judge: Callable[[C, O, K, Facts], bool | None]


@dataclass(frozen=True)
class LateOutput:
    """A passed clause judged again on all each warm environment printed once quiet, late lines included:
    ``why(inputs, lines, contract)`` says what one holds (or None), ``example(inputs, facts)`` is the
    case to report, ``expected`` what the contract wanted."""

    why: Callable[[list[Any], list[str], Any], str | None]
    example: Callable[[list[Any], Facts], Any]
    expected: str


@dataclass(frozen=True, kw_only=True)
class Property(Judgement[C, O, K]):
    """Cases drawn from ``cases`` after the ``explicit`` ones, each one ``step`` judged on its own."""

    cases: Callable[[Facts], st.SearchStrategy[C]]
    step: Callable[[C], Send | Steps | Interleaved | Call | RouterCase]
    explicit: Callable[[Facts], Sequence[C]] = _no_cases
    #: How many examples, of the many asked for (``--examples``).
    examples: Callable[[int], int] = _as_asked
    #: A two-sided rule's names for its sides (the first, then the second): a pass counts each.
    sides: tuple[str, str] | None = None
    #: A pass's message from every case run.
    passed: Callable[[Sequence[C], Facts], str] | None = None
    late: LateOutput | None = None
    #: A refusal clause: a pass says whether a valid connect is refused too (one control connect).
    refusal_control: bool = False
    #: A pass also notes the writes the backend rejected (they stored nothing).
    notes_rejected_writes: bool = False
    #: A case's kind, settled once one example of it runs to the function's deadline: later ones of that kind
    #: are not run (a function that waits out its deadline on a storage failure, as an SDK retrying until
    #: then does, would cost the deadline per example to end alike).
    settles: Callable[[C], Hashable] | None = None
    #: Why the promise holds with nothing to ask in this run (e.g. no function serves several routes), or
    #: None: then the clause passes on no example, and says why.
    vacuous: Callable[[Facts], str | None] | None = None


@dataclass(frozen=True)
class WarmStep:
    """One connect of a warm sequence: its event, the items the sequence's earlier connects stored, and
    every item the table held afterwards."""

    event: dict[str, Any]
    number: int
    earlier: Mapping[str, TypedItem]
    table: Mapping[str, TypedItem]


@dataclass(frozen=True, kw_only=True)
class WarmSequence(Judgement[WarmStep, O, K]):
    """Stateful runs: ``containers(examples)`` warm environments, up to ``steps`` connects in each; the
    ``explicit`` sequences (each a list of connect events) first, as they are, counted among them."""

    containers: Callable[[int], int]
    steps: int
    explicit: Callable[[Facts], Sequence[list[dict[str, Any]]]] = _no_cases


@dataclass(frozen=True, kw_only=True)
class Expiry(Judgement[dict[str, Any], O, K]):
    """Connect ``events`` with ``ttl_s`` as the TTL (each judged), let the backend sweep, and judge the
    items that outlived it with ``survivors(events, left, latest_s, contract, facts)``."""

    events: Callable[[K], list[dict[str, Any]]]
    ttl_s: int
    survivors: Callable[[list[dict[str, Any]], list[TypedItem], int, K, Facts], Violation]
    #: After an event's connect, the step that refreshes its item (a heartbeat, where the contract has that
    #: route), judged by ``refreshed(step, observation, contract)``; the item must still expire after it.
    refresh: Callable[[K, dict[str, Any]], Send | None] = lambda contract, event: None
    refreshed: Callable[[Send, O, K], None] = lambda step, observation, contract: None


AnyJudgement = Property[Any, Any, Any] | WarmSequence[Any, Any] | Expiry[Any, Any]
