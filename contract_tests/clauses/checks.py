"""Assertions shared by clauses; each raises a Violation that says what the contract wanted."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from contract_tests.clauses.judgement import Violation
from contract_tests.contract_schemas import as_json, errors
from contract_tests.observation import Observation
from contract_tests.oracle import PARAMETERS, Denial, InvalidInput, Window, query_parameters

if TYPE_CHECKING:
    from contract_tests.contracts import Contract

ACCEPTED = {"statusCode": 200, "body": "connected"}
REFUSED = "a function error, or a response with a 4xx/5xx statusCode (API Gateway then refuses the connection)"
INVALID_INPUT_STATUS = 400
#: The most of an invalid value a log line may repeat: enough to recognise it, too little to flood or forge logs.
LOGGED_CHARACTERS = 32


def require_accepted(observation: Observation, contract: Contract) -> None:
    """The handler answered exactly ``200 connected``."""
    invocation = observation.invocation
    if observation.init_error is not None:
        raise Violation(observation.init_error, ACCEPTED, observation.actual())
    if invocation.error is not None:
        raise Violation(f"the connect failed on a valid event: {invocation.error}", ACCEPTED, observation.actual())
    problems = errors(contract.schema("response"), invocation.response, "accepted")
    if problems:
        raise Violation('response is not 200 "connected": ' + "; ".join(problems), ACCEPTED, observation.actual())


def is_refusal(observation: Observation, contract: Contract) -> bool:
    invocation = observation.invocation
    if observation.init_error or invocation.error is not None:
        return True
    return not errors(contract.schema("response"), invocation.response, "refused")


def _why_not_a_refusal(response: Any, contract: Contract) -> str:
    """What keeps a 4xx/5xx-looking answer from refusing: API Gateway cannot read it as a proxy response."""
    status = response.get("statusCode") if isinstance(response, dict) else None
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
        return f"it answered {as_json(response)}"
    problems = "; ".join(errors(contract.schema("response"), response, "refused"))
    return (
        f"it answered statusCode {status}, but not as a proxy response API Gateway can read ({problems}); "
        "refuse with a string body, or raise"
    )


def require_refused(observation: Observation, contract: Contract, why: str) -> None:
    """The connection is refused: a function error or a 4xx/5xx status."""
    if not is_refusal(observation, contract):
        reason = _why_not_a_refusal(observation.invocation.response, contract)
        raise Violation(
            f"{why}, but the handler did not refuse the connection: {reason}", REFUSED, observation.actual()
        )


def require_nothing_written(observation: Observation, why: str) -> None:
    """Nothing stored and no write that succeeded; a write the backend rejected stored nothing and is no write."""
    writes = [str(c) for c in observation.all_calls if c.is_write and c.succeeded]
    if observation.items or writes:
        raise Violation(f"{why}, but the handler wrote to DynamoDB", "no item and no write call", observation.actual())


def rejected_writes(observation: Observation) -> list[str]:
    """Writes the backend refused (e.g. an empty key): not violations, but worth a note in the report."""
    return [
        f"{call.operation} {call.outcome}" for call in observation.all_calls if call.is_write and not call.succeeded
    ]


def refusal_notes(message: str, rejected: Sequence[str], control_refused: bool) -> str:
    """A refusal clause's pass, with what it rests on: rejected writes seen, and whether valid connects get in.

    A handler that refuses everything passes every refusal clause; one control connect tells the reader so.
    """
    notes = [message]
    if rejected:
        writes = "write" if len(rejected) == 1 else "writes"
        notes.append(f"{len(rejected)} {writes} rejected by DynamoDB stored nothing (e.g. {rejected[0]})")
    if control_refused:
        notes.append(
            "passed only by refusing: the handler refuses a valid connect too, which clause 1 (response) forbids"
        )
    return "; ".join(note for note in notes if note)


def _windows(contract: Contract, observation: Observation) -> dict[str, Window]:
    inv = observation.invocation
    return contract.oracle.windows(inv.started_ms, inv.finished_ms, observation.environment)


def expected_with_windows(
    contract: Contract, event: dict[str, Any], observation: Observation, windows: dict[str, Window]
) -> dict[str, Any]:
    """The expected item as the report shows it, each time attribute with its allowed window."""
    return {
        **contract.oracle.expected_item(event, observation.environment),
        **{name: {"N": str(window)} for name, window in windows.items()},
    }


def _integer(typed: Any) -> int | None:
    text = typed.get("N") if isinstance(typed, dict) else None
    return int(text) if isinstance(text, str) and text.isascii() and text.lstrip("-").isdigit() else None


def unit_mistake(name: str, typed: Any, window: Window) -> str | None:
    """What a time attribute's value is when it is the right instant in the wrong unit (seconds for
    milliseconds or the other way round) or with a fraction; None otherwise. It breaks the schema either
    way: this says why, in the words a person would use."""
    text = typed.get("N") if isinstance(typed, dict) else None
    if not isinstance(text, str):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    whole = text.lstrip("-").isdigit()
    if not whole and window.low - 1 <= value <= window.high + 1:
        return f"{name} has a fraction ({text}); the contract wants a whole number, {window}"
    if window.unit.startswith("epoch ms") and window.low - 1000 <= value * 1000 <= window.high + 1000:
        return f"{name} is epoch seconds ({text}); the contract wants epoch milliseconds, {window}"
    if window.unit.startswith("epoch s") and window.low <= value // 1000 <= window.high:
        return f"{name} is epoch milliseconds ({text}); DynamoDB's TTL reads epoch seconds, {window}"
    return None


_TYPES = {"S": "a String", "N": "a Number", "BOOL": "a Boolean", "NULL": "null", "L": "a List", "M": "a Map"}


def _shown(typed: Any) -> str:
    return as_json(next(iter(typed.values()))) if isinstance(typed, dict) and len(typed) == 1 else as_json(typed)


def difference(name: str, wanted: Any, stored: Any, event: dict[str, Any]) -> str | None:
    """What a differing attribute is, in the words a person would use: absent or extra, another DynamoDB
    type, another case, whitespace, the other query map's value; None when it is just another value."""
    if stored is None:
        return f"{name} is missing (the contract wants {_shown(wanted)})"
    if wanted is None:
        if isinstance(stored, dict) and "NULL" in stored:
            return f'{name} is stored as null; the contract wants no {name} at all (absent, never null or "")'
        return f"{name} is stored ({_shown(stored)}) but the contract wants no {name}"
    if not (isinstance(wanted, dict) and isinstance(stored, dict) and len(wanted) == len(stored) == 1):
        return None
    (wanted_type, want), (stored_type, got) = next(iter(wanted.items())), next(iter(stored.items()))
    if wanted_type != stored_type:
        kinds = _TYPES.get(stored_type, stored_type), _TYPES.get(wanted_type, wanted_type)
        return f"{name} is stored as {kinds[0]}; the contract wants {kinds[1]} ({as_json(want)})"
    if not (isinstance(want, str) and isinstance(got, str)):
        return None
    if got != want and got.casefold() == want.casefold():
        return f"{name} is {as_json(got)}, the contract's {as_json(want)} in another case (values are stored verbatim)"
    if got != want and got.split() == want.split():
        return f"{name} is {as_json(got)}, the contract's {as_json(want)} with its whitespace changed (stored verbatim)"
    multi = event.get("multiValueQueryStringParameters")
    values = multi.get(name) if isinstance(multi, dict) else None
    if isinstance(values, list) and len(values) > 1 and got in values and got != values[-1]:
        return (
            f"{name} is {as_json(got)}, an earlier value of the repeated parameter; API Gateway's single-value"
            f" map holds the last, {as_json(want)}"
        )
    return None


def require_item(contract: Contract, event: dict[str, Any], observation: Observation) -> None:
    """Exactly one item, valid against the contract's item schema, equal to the oracle's, timed in its windows."""
    windows = _windows(contract, observation)
    expected = expected_with_windows(contract, event, observation, windows)
    items = observation.items
    if observation.table_deleted:
        raise Violation(
            "the handler's table was deleted during the connect (see clause 7)", expected, observation.actual()
        )
    if len(items) != 1:
        failed = observation.init_error or observation.invocation.error
        why = f" (the connect failed: {failed})" if failed and not items else ""
        raise Violation(f"expected exactly one stored item, found {len(items)}{why}", expected, observation.actual())
    item = items[0]
    for name, window in windows.items():
        mistake = unit_mistake(name, item.get(name), window)
        if mistake is not None:
            raise Violation(mistake, expected, observation.actual())
    wanted = {name: value for name, value in expected.items() if name not in windows}
    stored = {name: value for name, value in item.items() if name not in windows}
    differing = sorted(name for name in set(stored) | set(wanted) if stored.get(name) != wanted.get(name))
    words = [said for name in differing if (said := difference(name, wanted.get(name), stored.get(name), event))]
    schema = contract.schema("item")
    problems = errors(schema, item)
    if problems:
        message = f"stored item breaks the {contract.name} item schema ({schema}): " + "; ".join(problems)
        raise Violation(message + "".join(f" — {said}" for said in words), expected, observation.actual())
    if differing:
        diagnosis = f": {'; '.join(words)}" if words else ""
        raise Violation(f"stored item differs in {', '.join(differing)}{diagnosis}", expected, observation.actual())
    for name, window in windows.items():
        value = _integer(item.get(name))
        if value not in window:
            raise Violation(
                f"{name} {item[name]['N']} is outside the invocation's window [{window.low}, {window.high}] "
                f"({window.unit})",
                expected,
                observation.actual(),
            )
    for name, other in contract.oracle.same_readings():
        if item[name] != item[other]:
            raise Violation(
                f"{name} {item[name]['N']} is not the {other} reading {item[other]['N']}: one clock reading gives both",
                expected,
                observation.actual(),
            )


def require_input_refused(observation: Observation, contract: Contract, invalid: InvalidInput) -> None:
    """An invalid value: answered 400, nothing stored, and logged without repeating more than 32 characters of it."""
    why = f"the event carries an invalid parameter value, {invalid}"
    wanted = {"statusCode": INVALID_INPUT_STATUS, "stored": "nothing", "log": "one line quoting at most 32 characters"}
    response = observation.invocation.response
    status = response.get("statusCode") if isinstance(response, dict) else None
    require_refused(observation, contract, why)
    require_nothing_written(observation, why)
    if observation.init_error or status != INVALID_INPUT_STATUS:
        answered = "failed" if observation.invocation.error or observation.init_error else f"answered {status}"
        raise Violation(f"{why}: refuse it with statusCode 400, not a {answered} connect", wanted, observation.actual())
    logs = observation.invocation.logs
    if not any(line.strip() for line in logs):
        raise Violation(f"{why}: the refusal must be logged (one line), but nothing was", wanted, observation.actual())
    if repeats_too_much(invalid, logs):
        raise Violation(
            f"{why}: a log line repeats more than {LOGGED_CHARACTERS} characters of the value "
            "(quote a bounded, escaped prefix instead)",
            wanted,
            observation.actual(),
        )


@lru_cache(maxsize=256)
def _runs(text: str) -> frozenset[str]:
    """Every run of LOGGED_CHARACTERS + 1 characters ``text`` holds: repeating one repeats too much.

    Cached: a warm environment's later connects judge its earlier events' values again.
    """
    width = LOGGED_CHARACTERS + 1
    return frozenset(text[i : i + width] for i in range(len(text) - width + 1))


def _pieces(value: Any) -> frozenset[str]:
    return _runs(value) if isinstance(value, str) else frozenset()


def repeats_too_much(invalid: InvalidInput, lines: list[str]) -> bool:
    """Whether a line repeats more than LOGGED_CHARACTERS characters of the invalid value."""
    pieces = _pieces(invalid.value)
    return any(piece in line for line in lines for piece in pieces)


def late_repetition(contract: Contract, events: list[Any], lines: list[str]) -> str | None:
    """Why ``lines`` an environment printed (late ones too: after an answer, during a later connect) repeat
    more than LOGGED_CHARACTERS characters of an invalid value any of its ``events`` carried; or None.

    A run of characters another of its events also carried proves nothing (a handler may log valid values
    in full, and a near miss can share them): only what that one value alone held counts.

    A warm environment keeps its events across clauses (hundreds in a default v5 check) and this runs at
    every connect, so the other events are searched only for the runs a line actually repeats.
    """
    printed = [line for line in lines if len(line) > LOGGED_CHARACTERS]  # a shorter one holds no run
    if not printed:
        return None
    queries: list[str] | None = None
    for index, event in enumerate(events):
        invalid = contract.oracle.invalid_input(event) if isinstance(event, dict) else None
        if invalid is None:
            continue
        repeated = [piece for piece in _pieces(invalid.value) if any(piece in line for line in printed)]
        if not repeated:
            continue
        if queries is None:
            queries = [_query_text(other) for other in events]
        others = queries[:index] + queries[index + 1 :]
        if any(not any(piece in other for other in others) for piece in repeated):
            return (
                f"a line the environment printed repeats more than {LOGGED_CHARACTERS} characters of the invalid "
                f"value of connect {index + 1} it was given ({invalid}), after that connect's answer: a log line "
                "belongs to its environment, whenever it is written"
            )
    return None


def _query_text(event: Any) -> str:
    """An event's query maps as text: where another event could have carried a run of characters."""
    if not isinstance(event, dict):
        return ""
    return json.dumps([event.get("queryStringParameters"), event.get("multiValueQueryStringParameters")], default=str)


def require_denied(observation: Observation, contract: Contract, denial: Denial) -> None:
    """A connect that is not the client's: refused with the denial's status (403), nothing stored."""
    why = str(denial)
    require_refused(observation, contract, why)
    require_nothing_written(observation, why)
    response = observation.invocation.response
    status = response.get("statusCode") if isinstance(response, dict) else None
    if denial.status is not None and (observation.init_error or status != denial.status):
        answered = "failed" if observation.invocation.error or observation.init_error else f"answered {status}"
        raise Violation(
            f"{why}: refuse it with statusCode {denial.status}, not a {answered} connect",
            {"statusCode": denial.status, "stored": "nothing"},
            observation.actual(),
        )


def require_outcome(contract: Contract, event: dict[str, Any], observation: Observation) -> None:
    """What the oracle says this event gets: the item and ``200 connected``, or the refusal it calls for.

    A value that is both invalid (v3) and not the client's (v4) may be refused either way: checking
    who connects before what they sent, or the other way round, are both sound.
    """
    if observation.printed_since_previous is not None:
        late = late_repetition(contract, observation.environment_events, observation.printed_since_previous)
        if late is not None:
            raise Violation(late, "no line repeating more of an invalid value", observation.actual())
    invalid, denial = contract.oracle.invalid_input(event), contract.oracle.denial(event)
    response = observation.invocation.response
    status = response.get("statusCode") if isinstance(response, dict) else None
    if invalid is not None and (denial is None or status == INVALID_INPUT_STATUS):
        require_input_refused(observation, contract, invalid)
        return
    if denial is not None:
        require_denied(observation, contract, denial)
        return
    if status == INVALID_INPUT_STATUS:
        params = {name: value for name, value in query_parameters(event).items() if name in PARAMETERS}
        raise Violation(
            f"the handler refused valid parameters {as_json(params)} with 400", ACCEPTED, observation.actual()
        )
    require_accepted(observation, contract)
    require_item(contract, event, observation)
