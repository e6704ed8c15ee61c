"""Every clause's judgement, registered by the clause it judges: what the engine looks up to run one."""

from __future__ import annotations

from contract_tests.clauses import (
    authentication,
    authorizer_allow,
    authorizer_forgeries,
    authorizer_key_ring,
    authorizer_token_secrecy,
    aws_calls,
    disconnect,
    expiry,
    heartbeat,
    identity,
    input_validation,
    interleavings,
    isolation,
    item,
    lifecycle,
    malformed_events,
    parameter_types,
    query_strings,
    response,
    route_aws_calls,
    route_storage_failure,
    router,
    routing_attributes,
    storage_failure,
    table_unset,
    token_secrecy,
    ttl,
    unknown_route,
)
from contract_tests.clauses.judgement import AnyJudgement, Violation
from contract_tests.contracts.clause import Clause
from contract_tests.errors import HarnessError

_JUDGEMENTS: tuple[AnyJudgement, ...] = (
    response.JUDGEMENT,
    item.JUDGEMENT,
    query_strings.JUDGEMENT,
    malformed_events.JUDGEMENT,
    storage_failure.JUDGEMENT,
    table_unset.JUDGEMENT,
    aws_calls.JUDGEMENT,
    isolation.JUDGEMENT,
    ttl.JUDGEMENT,
    expiry.JUDGEMENT,
    input_validation.JUDGEMENT,
    parameter_types.JUDGEMENT,
    authentication.JUDGEMENT,
    identity.JUDGEMENT,
    token_secrecy.JUDGEMENT,
    routing_attributes.JUDGEMENT,
    disconnect.JUDGEMENT,
    heartbeat.JUDGEMENT,
    route_storage_failure.JUDGEMENT,
    route_aws_calls.JUDGEMENT,
    lifecycle.JUDGEMENT,
    interleavings.JUDGEMENT,
    unknown_route.JUDGEMENT,
    authorizer_allow.JUDGEMENT,
    authorizer_forgeries.JUDGEMENT,
    authorizer_key_ring.JUDGEMENT,
    authorizer_token_secrecy.JUDGEMENT,
    *router.JUDGEMENTS,
)
JUDGEMENTS = {(judgement.clause.binds, judgement.clause.id): judgement for judgement in _JUDGEMENTS}


def judgement_for(clause: Clause) -> AnyJudgement:
    found = JUDGEMENTS.get((clause.binds, clause.id))
    if found is None or found.clause != clause:
        raise HarnessError(f"clause {clause.number} {clause.id} of the {clause.binds} contract has no judgement")
    return found


__all__ = ["JUDGEMENTS", "Violation", "judgement_for"]
