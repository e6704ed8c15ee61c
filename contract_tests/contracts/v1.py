"""Contract v1: the design card as written (store the connection, answer 200 ``connected``)."""

from __future__ import annotations

from contract_tests.clauses import V1_CLAUSES
from contract_tests.contracts.base import Contract
from contract_tests.expected import Oracle
from contract_tests.table_definition import TableDefinition

V1 = Contract(
    name="v1",
    summary="the design card: store connectionId, createdAt (ms), clientId, account, region; answer 200",
    schemas={"event": "connect-event", "item": "v1/item", "response": "v1/response"},
    oracle=Oracle(),
    clauses=V1_CLAUSES,
    table=TableDefinition(),
)
