"""The v1 contract's clauses, in the order the report lists them."""

from __future__ import annotations

from contract_tests.clauses import (
    aws_calls,
    isolation,
    item,
    malformed_events,
    query_strings,
    response,
    storage_failure,
    table_unset,
)
from contract_tests.clauses.base import Clause, ClauseResult, Counterexample, Status, Violation

V1_CLAUSES: tuple[Clause, ...] = (
    response.CLAUSE,
    item.CLAUSE,
    query_strings.CLAUSE,
    malformed_events.CLAUSE,
    storage_failure.CLAUSE,
    table_unset.CLAUSE,
    aws_calls.CLAUSE,
    isolation.CLAUSE,
)
CLAUSES_BY_ID = {clause.id: clause for clause in V1_CLAUSES}

__all__ = ["CLAUSES_BY_ID", "V1_CLAUSES", "Clause", "ClauseResult", "Counterexample", "Status", "Violation"]
