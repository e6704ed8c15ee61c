"""Contract v2 = v1 + TTL: connections expire instead of piling up."""

from __future__ import annotations

from contract_tests.contracts.clause import Clause
from contract_tests.contracts.v1 import V1
from contract_tests.oracle import TTL_VARIABLE, TtlOracle
from contract_tests.table_definition import TableDefinition

#: expiry's TTL: two seconds, so that no sweep (the backend's own, or another check's on a shared
#: LocalStack) can delete an item between its write and the read that proves it was stored.
SHORT_TTL_S = 2

TTL = Clause(
    9,
    "ttl",
    f"expiresAt = the handler's clock in epoch seconds + {TTL_VARIABLE} (default 7200)",
    "everyday events under CONNECTION_TTL_SECONDS unset, 2, 60, 3600, 7200, 86400 and 604800",
)
EXPIRY = Clause(
    10,
    "expiry",
    "items really expire: the backend's TTL sweep deletes them",
    f"ten accepted corner-case events with CONNECTION_TTL_SECONDS={SHORT_TTL_S} (from v5 each connection's"
    " heartbeat after it), then the backend's TTL sweep",
    requires=frozenset({"ttl-expiry"}),
)

V2 = V1.derive(
    "v2",
    "v1 + TTL: expiresAt (epoch s) = now + CONNECTION_TTL_SECONDS (default 7200), TTL enabled on it",
    schemas={"item": "v2/item"},
    oracle=TtlOracle(),
    table=TableDefinition(ttl_attribute="expiresAt"),
    add=(TTL, EXPIRY),
    decisions=(
        "expiresAt is integer epoch seconds in [floor(start/1000) + TTL, ceil(end/1000) + TTL] of the"
        " invocation, so it may be rounded either way.",
        "The TTL is CONNECTION_TTL_SECONDS, 7200 when unset: API Gateway closes a connection after 2 hours.",
        "Expiry is proven where the backend deletes expired items (DynamoDB Local, LocalStack); elsewhere"
        " clause 10 is not checked, and the run gives no verdict on the whole contract.",
    ),
)
