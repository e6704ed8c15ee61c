"""Authorizer clause 3: a missing or malformed ``CONNECT_JWT_KEYS`` allows nobody.

A function whose ring cannot be read must not fall back to a default secret, an empty key, or
no verification at all: tokens signed with each of those, and with a well-formed ring's key, stay out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from contract_tests.authorizer_session import RING_VARIABLE, AuthorizerSession, everyday_handshake
from contract_tests.clauses.authorizer_checks import require_not_allowed
from contract_tests.clauses.base import Clause, ClauseResult, Violation, run_property
from contract_tests.contract_schemas import as_json
from contract_tests.forgeries import everyday_recipe

if TYPE_CHECKING:
    from contract_tests.contracts.authorizer import AuthorizerContract

Case = dict[str, Any]
#: Values of CONNECT_JWT_KEYS that name no usable key (None: the variable unset).
BROKEN_RINGS: tuple[str | None, ...] = (None, "", "not json", '["2026-11"]', '{"2026-11": ""}', '{"2026-11": 1}', "{}")
#: Keys a function might fall back to; "ring" stands for the key a well-formed ring would hold.
FALLBACK_SECRETS = ("", "secret", "dev-secret", "changeme", "ring")


def _cases(session: AuthorizerSession) -> list[Case]:
    kid = session.kids[0]
    cases = []
    for ring in BROKEN_RINGS:
        for secret in FALLBACK_SECRETS:
            recipe = {**everyday_recipe(kid), "secret": session.ring[kid] if secret == "ring" else secret}
            cases.append({"ring": ring, "token": recipe})
    return cases


def _judge(session: AuthorizerSession, contract: AuthorizerContract) -> Callable[[Case], None]:
    connect = everyday_handshake()

    def example(case: Case) -> None:
        call = session.call(case["token"], connect, ring_text=case["ring"])
        try:
            require_not_allowed(call, case["token"])
        except Violation as violation:
            ring = "unset" if case["ring"] is None else as_json(case["ring"])
            secret = case["token"]["secret"]
            violation.message = (
                f"with {RING_VARIABLE} {ring} the authorizer allowed a token signed with"
                f" {as_json(secret) if secret != session.ring[case['token']['kid']] else 'a key of another ring'}"
            )
            raise

    return example


def _check(session: AuthorizerSession, contract: AuthorizerContract) -> ClauseResult:
    cases = _cases(session)
    result = run_property(
        CLAUSE, session, st.sampled_from(cases), _judge(session, contract), examples=1, explicit=cases
    )
    if not result.message:
        result.message = f"{len(cases)} tokens under {len(BROKEN_RINGS)} broken rings, none allowed"
    return result


CLAUSE = Clause(
    3,
    "key-ring",
    "a missing or malformed CONNECT_JWT_KEYS allows nobody (no default key, no empty key)",
    _check,
    _judge,
    generates=(
        "the ring unset, empty, not JSON, a list, an empty or non-string key, no keys; tokens signed with"
        " an empty key, common default secrets, and a real ring key"
    ),
)
