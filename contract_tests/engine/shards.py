"""``--shard K/N`` (parsed with the options): one check split into N runs (a CI matrix's jobs), each
checking its share of the clauses, deterministically: every shard given the same options computes the same split. With
``--shard-durations REPORT`` the split balances the clause times an earlier JSON report recorded
(longest first, each to the least loaded shard); without, clauses are dealt in the contract's order."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from contract_tests.contracts.clause import Clause
from contract_tests.errors import HarnessError


def recorded_durations(path: str) -> dict[str, float]:
    """Each clause's seconds in the JSON report at ``path`` (a whole check's, or a merged one)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        return {str(clause["id"]): float(clause["seconds"]) for clause in document["clauses"]}
    except OSError as error:
        raise HarnessError(f"--shard-durations {path}: cannot read it ({error.strerror})") from None
    except (ValueError, KeyError, TypeError):
        raise HarnessError(
            f"--shard-durations {path}: not a JSON report of connect-contract check (--format json)"
        ) from None


def shard_clauses(
    clauses: Sequence[Clause], index: int, count: int, durations: Mapping[str, float] | None = None
) -> tuple[Clause, ...]:
    """The clauses shard ``index`` of ``count`` checks, in the contract's order."""
    if not durations:
        return tuple(clause for position, clause in enumerate(clauses) if position % count == index - 1)
    known = [durations[clause.id] for clause in clauses if clause.id in durations]
    # A clause the earlier report lacks (new, or not selected then) is assumed to cost an average one.
    guess = sum(known) / len(known) if known else 1.0
    cost = {clause.id: durations.get(clause.id, guess) for clause in clauses}
    loads = [0.0] * count
    mine: set[str] = set()
    for clause in sorted(clauses, key=lambda clause: -cost[clause.id]):  # stable: ties keep the contract's order
        lightest = loads.index(min(loads))
        loads[lightest] += cost[clause.id]
        if lightest == index - 1:
            mine.add(clause.id)
    return tuple(clause for clause in clauses if clause.id in mine)
