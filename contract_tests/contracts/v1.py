"""Contract v1: the design card as written (store the connection, answer 200 ``connected``)."""

from __future__ import annotations

from contract_tests.contracts.base import Contract
from contract_tests.contracts.clause import Clause
from contract_tests.oracle import Oracle
from contract_tests.table_definition import TableDefinition

V1_CLAUSES = (
    Clause(
        1,
        "response",
        "valid connect answers statusCode 200, body 'connected'",
        "everyday events: each of clientId/account/region present or not; query maps absent, null or {}",
    ),
    Clause(
        2,
        "item",
        "valid connect stores exactly the contract's item (types, defaults, time windows)",
        "the same everyday events",
    ),
    Clause(
        3,
        "query-strings",
        "empty, repeated, unknown, encoded, unicode and URL-limit parameters are read as API Gateway sends them",
        "empty, repeated, unknown and case-variant keys; whitespace; already-decoded % and +; "
        "unicode incl. astral plane; leading zeros; the text of a missing value (undefined, null, None, NaN,"
        " [object Object], nil); a URL at exactly 4096 characters",
    ),
    Clause(
        4,
        "malformed-events",
        "events without a usable identity are refused and nothing is stored",
        "every named mutation of the fields a handler reads: event, requestContext or connectionId "
        "missing, empty or of another type; both query maps not an object",
    ),
    Clause(
        5,
        "storage-failure",
        "a storage failure never answers 200 'connected'",
        "every DynamoDB call failing (throttling, internal error, 503, connection error, read time-"
        "out); a table that does not exist; over HTTP a dead endpoint",
    ),
    Clause(
        6,
        "table-unset",
        "CONNECTIONS_TABLE unset: refused, no write to any table",
        "everyday events with CONNECTIONS_TABLE removed before the cold start",
    ),
    Clause(
        7,
        "aws-calls",
        "only dynamodb:PutItem (and GetItem) on CONNECTIONS_TABLE",
        "everyday and hard events; every AWS call recorded, at import time included",
        fresh_start=True,
    ),
    Clause(
        8,
        "isolation",
        "no state leaks between connects in one warm container",
        "stateful runs: up to 8 connects in one warm environment",
    ),
)

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
        'The text a client sends for a missing value ("undefined", "null", "None", "NaN", "[object Object]",'
        ' "nil") is a value like any other, never an absence.',
        "The handler runs in UTC with its own clock, as on Lambda; createdAt is read anywhere inside the invocation.",
        "A handler that fails to initialise is Lambda's init error: every connect fails, a violation.",
        "A storage failure or a missing CONNECTIONS_TABLE is never answered 200 connected.",
        "The only AWS calls are dynamodb:PutItem (and GetItem) on CONNECTIONS_TABLE, at import time included.",
    ),
)
