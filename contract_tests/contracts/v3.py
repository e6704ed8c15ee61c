"""Contract v3 = v2 + validated inputs: clientId, account and region are checked before anything is stored."""

from __future__ import annotations

from contract_tests.contracts.clause import Clause
from contract_tests.contracts.v2 import V2
from contract_tests.oracle import ValidatingOracle

INPUT_VALIDATION = Clause(
    11,
    "input-validation",
    "valid clientId/account/region stored verbatim; near misses refused with 400",
    "values from each rule's own pattern, edge values, and near misses (11/13 digits, non-ASCII"
    " digits, trailing newline or space, upper case, unknown partitions, zones, 129 characters,"
    " control characters, lookalike letters)",
)
PARAMETER_TYPES = Clause(
    12,
    "parameter-types",
    "a parameter value that is not a string is refused, nothing stored",
    "a parameter value that is a number, boolean, list, object or null, in both query maps",
)

V3 = V2.derive(
    "v3",
    "v2 + validated inputs: an invalid clientId, account or region is refused with 400, nothing stored",
    schemas={"item": "v3/item"},
    oracle=ValidatingOracle("v3/item"),
    add=(INPUT_VALIDATION, PARAMETER_TYPES),
    decisions=(
        "Patterns are read as JSON Schema defines them: $ ends the input, so a trailing newline is invalid.",
        "Absent or empty values keep v1's meaning; any other invalid value is refused with statusCode 400,"
        " nothing stored, and one log line that repeats at most 32 characters of it.",
        "A parameter value that is not a string is refused (4xx/5xx or a function error); a falsy one (null,"
        " 0, false, [], {}) may also read as absent.",
    ),
)
