"""Contract v2 = v1 + TTL: connections expire instead of piling up."""

from __future__ import annotations

from contract_tests.clauses import expiry, ttl
from contract_tests.contracts.v1 import V1
from contract_tests.expected import TtlOracle
from contract_tests.table_definition import TableDefinition

V2 = V1.derive(
    "v2",
    "v1 + TTL: expiresAt (epoch s) = now + CONNECTION_TTL_SECONDS (default 7200), TTL enabled on it",
    schemas={"item": "v2/item"},
    oracle=TtlOracle(),
    table=TableDefinition(ttl_attribute="expiresAt"),
    add=(ttl.CLAUSE, expiry.CLAUSE),
    decisions=(
        "expiresAt is integer epoch seconds in [floor(start/1000) + TTL, ceil(end/1000) + TTL] of the"
        " invocation, so it may be rounded either way.",
        "The TTL is CONNECTION_TTL_SECONDS, 7200 when unset: API Gateway closes a connection after 2 hours.",
        "Expiry is proven where the backend deletes expired items (DynamoDB Local, LocalStack); elsewhere"
        " clause 10 is not checked, and the run gives no verdict on the whole contract.",
    ),
)
