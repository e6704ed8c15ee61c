"""How long a clause searches: one round of ``--examples`` (a check), or with ``--duration`` (a campaign)
round after round, each with a seed of its own, until the clause's share of the time is spent or a round
fails. Every round is an ordinary search, so the failing round's seed alone repeats it as a plain check.

Rounds rather than one endless hypothesis run: hypothesis has no time limit of its own, and a search it
is asked to stop early would be taken for a failure and shrunk."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis.database import ExampleDatabase

from contract_tests.clauses import judgement_for
from contract_tests.clauses.judgement import Property, Violation, WarmSequence
from contract_tests.contracts.clause import Clause


@dataclass(frozen=True)
class Round:
    """One search of a clause's examples."""

    seed: int
    #: The first round alone runs the named corner cases and replays the example database.
    first: bool
    #: ``--example-db``: replayed by the first round, given every round's failure.
    database: ExampleDatabase | None


#: One round run: the shrunk Violation it ended on (or None) and how many examples ran.
SearchRound = Callable[[Round], tuple[Violation | None, int]]


def round_seed(seed: int, index: int) -> int:
    """Round ``index``'s seed: the run's own for the first, then one derived from it (the same every run)."""
    if index == 0:
        return seed
    digest = hashlib.sha256(f"connect-contract round {seed} {index}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def generates(clause: Clause) -> bool:
    """Whether ``clause`` searches generated examples (a campaign shares its time among these)."""
    return isinstance(judgement_for(clause), Property | WarmSequence)


def slices_per_clause(duration_s: float | None, clauses: tuple[Clause, ...], workers: int) -> int:
    """In a campaign with more workers than generating clauses, each clause's rounds are dealt to this many
    workers at once (its slices); 1 otherwise."""
    if duration_s is None:
        return 1
    return max(1, workers // (sum(map(generates, clauses)) or 1))


def clause_share_s(duration_s: float | None, clauses: tuple[Clause, ...], workers: int) -> float | None:
    """The seconds each slice of a generating clause searches in a campaign of ``duration_s`` run by
    ``workers`` processes: the time shared among the slices, as many at once as there are workers."""
    if duration_s is None:
        return None
    slices = (sum(map(generates, clauses)) or 1) * slices_per_clause(duration_s, clauses, workers)
    return duration_s * min(workers, slices) / slices


@dataclass
class Searched:
    violation: Violation | None
    examples: int
    rounds: int
    #: The seed of the round that failed, when not the first (which is the run's own).
    seed: int | None


def search_rounds(
    search: SearchRound,
    seed: int,
    share_s: float | None,
    database: ExampleDatabase | None,
    part: tuple[int, int] = (0, 1),
    *,
    given_up: Callable[[], bool] = lambda: False,
) -> Searched:
    """Rounds of ``search`` until one fails or, in a campaign, ``share_s`` seconds are spent (one round
    else). ``part`` (K, N): this is slice K of N of the clause, running rounds K, K + N, K + 2N ...;
    ``given_up`` says between rounds that another slice already failed, so the rest of the share is saved."""
    deadline = None if share_s is None else time.monotonic() + share_s
    examples = 0
    index, every = part
    rounds = 0
    while True:
        this_seed = round_seed(seed, index)
        violation, count = search(Round(this_seed, index == 0, database))
        examples += count
        rounds += 1
        if violation is not None:
            return Searched(violation, examples, rounds, this_seed if index > 0 else None)
        if deadline is None or time.monotonic() >= deadline or given_up():
            return Searched(None, examples, rounds, None)
        index += every
