"""How much of an invalid value a line an environment prints may repeat: at most LOGGED_CHARACTERS
characters of what that one event alone carried, however late the line is printed."""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.checks import LOGGED_CHARACTERS, late_repetition
from contract_tests.contracts import contract_named

V3 = contract_named("v3")
#: Refused by v3 (a space is not a clientId character) and long enough to be repeated too much.
INVALID = "client " + "".join(chr(ord("a") + i % 26) for i in range(60))


def _event(client_id: str) -> dict[str, Any]:
    return {"queryStringParameters": {"clientId": client_id}, "multiValueQueryStringParameters": None}


def test_a_line_repeating_more_of_an_earlier_invalid_value_is_named() -> None:
    events = [_event("valid-client"), _event(INVALID), _event("another-valid-one")]
    line = f"later: {INVALID[5 : 5 + LOGGED_CHARACTERS + 1]}"
    why = late_repetition(V3, events, [line])
    assert why is not None and "connect 2" in why


def test_a_line_repeating_no_more_than_allowed_passes() -> None:
    events = [_event("valid-client"), _event(INVALID)]
    assert late_repetition(V3, events, [f"bad clientId {INVALID[:LOGGED_CHARACTERS]}..."]) is None


def test_what_another_event_also_carried_proves_nothing() -> None:
    """A valid clientId sharing the run (a near miss) may be logged in full."""
    shared = INVALID[8 : 8 + LOGGED_CHARACTERS + 1]
    events = [_event(INVALID), _event("ok" + shared)]
    assert late_repetition(V3, events, [f"connected ok{shared}"]) is None
    # the same line, with no other event carrying the run, repeats too much
    assert late_repetition(V3, [_event(INVALID)], [f"connected ok{shared}"]) is not None


def test_valid_values_may_be_logged_in_full() -> None:
    events = [_event("a" * 100), _event("b" * 100)]
    assert late_repetition(V3, events, ["a" * 100, "b" * 100]) is None
