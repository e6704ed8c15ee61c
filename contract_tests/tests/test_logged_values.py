"""How much of an invalid value a line an environment prints may repeat: at most LOGGED_CHARACTERS
characters of what that one event alone carried, however late the line is printed."""

from __future__ import annotations

from typing import Any

from contract_tests.clauses import checks
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


def test_a_long_warm_environment_is_searched_only_for_what_a_line_repeats(monkeypatch: Any) -> None:
    """A warm environment keeps its events across clauses (hundreds in a default v5 check) and each connect
    judges them all again: rendering every other event for every invalid one made a default v5 check of the
    reference take 14 minutes instead of 20 s. Other events are read only for a run a line repeats."""
    events = [_event(f"{INVALID} {number} " + "x" * 2000 if number % 3 else f"valid-{number}") for number in range(400)]
    rendered: list[Any] = []
    real = checks._query_text
    monkeypatch.setattr(checks, "_query_text", lambda event: rendered.append(event) or real(event))
    assert late_repetition(V3, events, ["refused an invalid clientId", f"bad {INVALID[:LOGGED_CHARACTERS]}"]) is None
    assert rendered == []
    why = late_repetition(V3, events, [f"late: {INVALID[-28:]} 299 xxxx"])  # only connect 300 carried it
    assert why is not None and "connect 300" in why
