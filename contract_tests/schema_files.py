"""Where each of the contract's JSON Schemas lives, by name, and the roles a contract version fills with them."""

from __future__ import annotations

# File names below the shipped schemas folder; a new contract version adds entries, never edits earlier ones.
SCHEMA_FILES = {
    "connect-event": "connect-event.schema.json",
    "v1/item": "v1/item.schema.json",
    "v1/response": "v1/response.schema.json",
    "v2/item": "v2/item.schema.json",
    "v3/item": "v3/item.schema.json",
    "v4/item": "v4/item.schema.json",
    "v4/connect-event": "v4/connect-event.schema.json",
    "v4/token-claims": "v4/token-claims.schema.json",
    "v4/authorizer-event": "v4/authorizer-event.schema.json",
    "v4/authorizer-response": "v4/authorizer-response.schema.json",
    "v4/authorizer-refusal": "v4/authorizer-refusal.schema.json",
    "v5/item": "v5/item.schema.json",
    "v5/disconnect-event": "v5/disconnect-event.schema.json",
    "v5/heartbeat-event": "v5/heartbeat-event.schema.json",
    "router/event": "router/event.schema.json",
    "router/answer": "router/answer.schema.json",
    "report": "report.schema.json",
}

#: What a contract version names a schema for: the event it reads, the item it stores, its response.
SCHEMA_ROLES = ("event", "item", "response")
#: The roles ``validate --schema`` takes: a version's, and the token claims of the authorizer contract.
VALIDATION_ROLES = (*SCHEMA_ROLES, "claims")
