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
    decisions=(
        "Refusing a connection is a function error or a 4xx/5xx statusCode with a string body; a 200 with"
        " another body, or null, is not a refusal.",
        "Nothing written means nothing stored and no write that succeeded: a write DynamoDB rejected stored"
        " nothing; with CONNECTIONS_TABLE unset, any write naming a table is a violation (the name is a guess).",
        "An event without a usable identity (not an object; requestContext or connectionId missing, empty or"
        " not a string) is refused and nothing is stored.",
        "A query map that is not an object carries no parameters: refusing, or storing exactly the item for"
        " no parameters, are both correct.",
        'Empty parameters count as absent: clientId becomes "unknown", account and region are not stored.',
        "The handler runs in UTC with its own clock, as on Lambda; createdAt is read anywhere inside the invocation.",
        "A handler that fails to initialise is Lambda's init error: every connect fails, a violation.",
        "A storage failure or a missing CONNECTIONS_TABLE is never answered 200 connected.",
        "The only AWS calls are dynamodb:PutItem (and GetItem) on CONNECTIONS_TABLE, at import time included.",
    ),
)
