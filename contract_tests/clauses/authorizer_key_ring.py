"""Authorizer clause 3: a missing or malformed ``CONNECT_JWT_KEYS`` allows nobody.

A function whose ring cannot be read must not fall back to a default secret, an empty key, or
no verification at all: tokens signed with each of those, and with a well-formed ring's key, stay out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.authorizer_checks import require_not_allowed
from contract_tests.clauses.judgement import Property, Violation
from contract_tests.contract_schemas import as_json
from contract_tests.contracts.authorizer import AUTHORIZER_CLAUSES, RING_VARIABLE, AuthorizerContract
from contract_tests.forgeries import everyday_recipe
from contract_tests.observation import AuthorizerCall
from contract_tests.steps import Call, Facts
from contract_tests.strategies import everyday_handshake

Case = dict[str, Any]
#: Values of CONNECT_JWT_KEYS that name no usable key (None: the variable unset).
BROKEN_RINGS: tuple[str | None, ...] = (None, "", "not json", '["2026-11"]', '{"2026-11": ""}', '{"2026-11": 1}', "{}")
#: Keys a function might fall back to; "ring" stands for the key a well-formed ring would hold.
FALLBACK_SECRETS = ("", "secret", "dev-secret", "changeme", "ring")


def cases(facts: Facts) -> list[Case]:
    kid = facts.kids[0]
    every = []
    for ring in BROKEN_RINGS:
        for secret in FALLBACK_SECRETS:
            recipe = {**everyday_recipe(kid), "secret": facts.ring[kid] if secret == "ring" else secret}
            every.append({"ring": ring, "token": recipe})
    return every


def judge(case: Case, call: AuthorizerCall, contract: AuthorizerContract, facts: Facts) -> None:
    try:
        require_not_allowed(call, case["token"])
    except Violation as violation:
        ring = "unset" if case["ring"] is None else as_json(case["ring"])
        secret = case["token"]["secret"]
        violation.message = (
            f"with {RING_VARIABLE} {ring} the authorizer allowed a token signed with"
            f" {as_json(secret) if secret != facts.ring[case['token']['kid']] else 'a key of another ring'}"
        )
        raise


def passed(run: Sequence[Case], facts: Facts) -> str:
    return f"{len(cases(facts))} tokens under {len(BROKEN_RINGS)} broken rings, none allowed"


JUDGEMENT = Property[Case, AuthorizerCall, AuthorizerContract](
    clause=AUTHORIZER_CLAUSES[2],
    cases=lambda facts: st.sampled_from(cases(facts)),
    explicit=cases,
    step=lambda case: Call(case["token"], everyday_handshake(), ring_text=case["ring"]),
    judge=judge,
    examples=lambda examples: 1,
    passed=passed,
)
