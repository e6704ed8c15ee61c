"""Hypothesis strategies for `$connect` events, composed from small named pieces.

Generation is composed by hand (``from_schema`` on whole events costs ~10x more per example than
the backend work it drives) and kept true to the schema by validating every event it yields. Each
factory is cached: hypothesis validates a strategy on its first draw, and one made anew at every draw
(a ``.map`` is never reused) cost more than the invocation it fed.
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import time
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from contract_tests.contract_schemas import as_json, errors, load_schema, python_regex
from contract_tests.oracle import query_parameters

MAX_URL_LENGTH = 4096
QUERY_PARAMETERS = ("clientId", "account", "region")
AWS_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-2", "ap-southeast-1")

Event = dict[str, Any]
Pairs = list[tuple[str, str]]


class GeneratorBug(AssertionError):
    """A strategy yielded an event the schema disagrees with: a harness bug, not a handler's."""


def _request_context_const(name: str) -> Any:
    return load_schema("connect-event")["definitions"]["requestContext"]["properties"][name]["const"]


# ---- pieces of a valid event -------------------------------------------------------------


@functools.cache
def connection_ids() -> st.SearchStrategy[str]:
    """Ids shaped like API Gateway's: 12 random bytes in base64, e.g. ``L0SM9cOFvHcCIhw=``."""
    return st.binary(min_size=12, max_size=12).map(lambda b: base64.b64encode(b).decode()[:15] + "=")


# Fixed-length ids and addresses are drawn as integers and spelled out: hypothesis draws one integer
# several times faster than ten characters of text (generation was most of a check's own cost).
_API_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_REQUEST_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _spelled(number: int, alphabet: str, length: int) -> str:
    digits = []
    for _ in range(length):
        number, digit = divmod(number, len(alphabet))
        digits.append(alphabet[digit])
    return "".join(digits)


@functools.cache
def _fixed_text(alphabet: str, length: int) -> st.SearchStrategy[str]:
    return st.integers(0, len(alphabet) ** length - 1).map(lambda n: _spelled(n, alphabet, length))


@functools.cache
def api_ids() -> st.SearchStrategy[str]:
    return _fixed_text(_API_ID_ALPHABET, 10)


@functools.cache
def source_ips() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(""),
        st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n))),
        st.integers(0, 2**128 - 1).map(lambda n: str(ipaddress.IPv6Address(n))),
    )


# Fixed per process: strategy bounds that moved with the clock would make generation flaky.
_GENERATION_EPOCH_MS = int(time.time() * 1000)


@functools.cache
def request_times() -> st.SearchStrategy[int]:
    """Epoch-ms request times within the day before the run started."""
    return st.integers(min_value=0, max_value=86_400_000).map(lambda ago: _GENERATION_EPOCH_MS - ago)


@functools.cache
def authorizers() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"principalId": st.text(min_size=1, max_size=20), "integrationLatency": st.integers(0, 500)},
        optional={"clientId": st.text(max_size=20)},
    )


@functools.cache
@st.composite
def request_contexts(draw: st.DrawFn, connection_id: str | None = None) -> dict[str, Any]:
    """A ``requestContext`` whose times, ids and domain agree with one another."""
    epoch_ms = draw(request_times())
    api_id = draw(api_ids())
    region = draw(st.sampled_from(AWS_REGIONS))
    request_id = draw(_fixed_text(_REQUEST_ID_ALPHABET, 15)) + "="
    identity: dict[str, str] = {"sourceIp": draw(source_ips())}
    if draw(st.booleans()):
        identity["userAgent"] = draw(st.sampled_from(["Python/3.11 websockets/12.0", "Mozilla/5.0", ""]))
    context: dict[str, Any] = {
        "routeKey": _request_context_const("routeKey"),
        "eventType": _request_context_const("eventType"),
        "messageDirection": _request_context_const("messageDirection"),
        "connectionId": connection_id if connection_id is not None else draw(connection_ids()),
        "connectedAt": epoch_ms,
        "requestTimeEpoch": epoch_ms,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms / 1000)),
        "requestId": request_id,
        "extendedRequestId": request_id,
        "domainName": f"{api_id}.execute-api.{region}.amazonaws.com",
        "stage": draw(st.sampled_from(["production", "prod", "dev", "v1"])),
        "apiId": api_id,
        "identity": identity,
    }
    if draw(st.integers(0, 4)) == 0:
        context["authorizer"] = draw(authorizers())
    return context


def handshake_headers(host: str) -> dict[str, str]:
    return {
        "Host": host,
        "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
        "X-Amzn-Trace-Id": "Root=1-6731eafc-2bd1f7c94c0e1a3b5b7e4d21",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }


# ---- query strings ------------------------------------------------------------------------

EMPTY_QUERY_STYLES = ("absent", "null", "empty-object")


def url_length(context: dict[str, Any], pairs: Pairs) -> int:
    """Length of the client's URL, ``wss://domain/stage?query``, as API Gateway limits it."""
    query = urlencode(pairs, safe="", encoding="utf-8")
    return len(f"wss://{context['domainName']}/{context['stage']}" + (f"?{query}" if query else ""))


def build_event(context: dict[str, Any], pairs: Pairs, empty_style: str = "absent") -> Event:
    """The event API Gateway sends for ``pairs``: last value wins in the single map, all in the multi map.

    Only the query maps' agreement and the URL's length are checked here: the strategies' events meet the
    event schema by construction (``test_strategies`` validates every kind at volume), and checking each
    generated event against the whole schema was a sixth of a check's time."""
    host = context["domainName"]
    headers = handshake_headers(host)
    event: Event = {
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if pairs:
        single: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        for key, value in pairs:
            single[key] = value
            multi.setdefault(key, []).append(value)
        event["queryStringParameters"] = single
        event["multiValueQueryStringParameters"] = multi
    elif empty_style != "absent":
        empty: dict[str, Any] | None = None if empty_style == "null" else {}
        event["queryStringParameters"] = empty
        event["multiValueQueryStringParameters"] = None if empty is None else {}
    return consistent(event)


def consistent(event: Event) -> Event:
    """Return ``event`` after checking that its query maps agree and its URL is within API Gateway's limit."""
    problems = []
    single = event.get("queryStringParameters") or {}
    multi = event.get("multiValueQueryStringParameters") or {}
    if set(single) != set(multi) or any(multi[k][-1] != v for k, v in single.items()):
        problems.append("queryStringParameters disagrees with multiValueQueryStringParameters")
    if url_length(event["requestContext"], [(k, v) for k, vs in multi.items() for v in vs]) > MAX_URL_LENGTH:
        problems.append(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if problems:
        raise GeneratorBug("generated event breaks the event schema: " + "; ".join(problems))
    return event


@functools.cache
def account_ids() -> st.SearchStrategy[str]:
    """Twelve digits, leading zeros included."""
    return st.integers(0, 10**12 - 1).map(lambda n: f"{n:012d}")


@functools.cache
def client_ids() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, 999_999).map(lambda n: f"agent-{n}"),
        st.sampled_from(["dashboard", "remediation-ui", "Agent_01"]),
        st.uuids().map(str),
    )


@functools.cache
@st.composite
def plain_pairs(draw: st.DrawFn) -> Pairs:
    """Everyday query strings: each of clientId/account/region present or not, realistic values."""
    values = {"clientId": client_ids(), "account": account_ids(), "region": st.sampled_from(AWS_REGIONS)}
    return [(name, draw(values[name])) for name in QUERY_PARAMETERS if draw(st.booleans())]


@functools.cache
def whitespace_values() -> st.SearchStrategy[str]:
    return st.sampled_from([" ", "  ", "\t", " agent ", "a b", "\u00a0", "\u3000x"])


@functools.cache
def percent_and_plus_values() -> st.SearchStrategy[str]:
    """Already-decoded text that a second decoding would change."""
    return st.sampled_from(["%20", "a%2Bb", "100%", "%41", "a+b", "+", "%25", "x%2Fy%3D"])


@functools.cache
def unicode_values() -> st.SearchStrategy[str]:
    """Any text but lone surrogates (the URL is UTF-8), astral-plane characters included."""
    return st.one_of(st.text(min_size=1, max_size=30), st.sampled_from(["\U0001f680", "계정", "\U0001d518\U0001d52b"]))


@functools.cache
def leading_zero_values() -> st.SearchStrategy[str]:
    return st.from_regex(r"\A0[0-9]{1,11}\Z")


@functools.cache
def hard_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(""),
        whitespace_values(),
        percent_and_plus_values(),
        unicode_values(),
        leading_zero_values(),
        account_ids(),
        client_ids(),
    )


@functools.cache
def odd_keys() -> st.SearchStrategy[str]:
    """Keys a handler must ignore: case variants of the contract's keys (distinct keys) and unknown ones."""
    return st.one_of(
        st.sampled_from(QUERY_PARAMETERS).map(str.lower).filter(lambda k: k not in QUERY_PARAMETERS),
        st.sampled_from(QUERY_PARAMETERS).map(str.upper),
        st.sampled_from(["ClientId", "Account", "token", "stage", "connectionId", "createdAt", "ttl"]),
        st.text(min_size=1, max_size=10).filter(lambda k: k not in QUERY_PARAMETERS),
    )


@functools.cache
def known_parameter(name: str) -> st.SearchStrategy[Pairs]:
    """One contract parameter: absent, once, or repeated (API Gateway keeps the last value)."""
    return st.lists(hard_values(), max_size=3).map(lambda values: [(name, v) for v in values])


@functools.cache
@st.composite
def hard_pairs(draw: st.DrawFn) -> Pairs:
    """Query strings with empty, repeated, unknown and oddly encoded parameters, in any order."""
    pairs = [p for name in QUERY_PARAMETERS for p in draw(known_parameter(name))]
    pairs += draw(st.lists(st.tuples(odd_keys(), hard_values()), max_size=3))
    return draw(st.permutations(pairs))


@functools.cache
@st.composite
def url_limit_events(draw: st.DrawFn) -> Event:
    """One parameter whose value fills the URL to exactly the 4096-character limit."""
    context = draw(request_contexts())
    name = draw(st.sampled_from(QUERY_PARAMETERS))
    room = MAX_URL_LENGTH - url_length(context, [(name, "")])
    filler = draw(st.sampled_from("abcXYZ019-_.~"))
    return build_event(context, [(name, filler * room)])


# ---- named corner cases, run first on every check -----------------------------------------

FIXED_CONTEXT: dict[str, Any] = {
    "routeKey": "$connect",
    "eventType": "CONNECT",
    "messageDirection": "IN",
    "connectionId": "L0SM9cOFvHcCIhw=",
    "connectedAt": 1731324924000,
    "requestTimeEpoch": 1731324924000,
    "requestTime": "11/Nov/2024:11:35:24 +0000",
    "requestId": "L0SM9HzvvHcFVvg=",
    "extendedRequestId": "L0SM9HzvvHcFVvg=",
    "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
    "stage": "production",
    "apiId": "abcdef1234",
    "identity": {"sourceIp": "203.0.113.7", "userAgent": "Python/3.11 websockets/12.0"},
}

#: How JavaScript, Python, Go and Ruby clients spell a missing value when they format it into a URL.
STRINGIFIED_ABSENCES = ("undefined", "null", "None", "NaN", "[object Object]", "nil")

QUERY_CORNER_CASES: list[tuple[str, Pairs]] = [
    ("empty values", [("clientId", ""), ("account", ""), ("region", "")]),
    ("repeated key, last wins", [("clientId", "first"), ("clientId", "second")]),
    ("repeated key, last empty", [("account", "123456789012"), ("account", "")]),
    ("unknown keys", [("token", "abc"), ("stage", "dev"), ("createdAt", "1")]),
    ("case variants are other keys", [("CLIENTID", "x"), ("clientid", "y"), ("Account", "1"), ("region", "eu-west-1")]),
    ("whitespace kept", [("clientId", " agent 7 "), ("region", "\t")]),
    ("percent and plus not decoded again", [("clientId", "a%2Bb+c"), ("account", "100%"), ("region", "%41")]),
    ("unicode, astral plane", [("clientId", "\uc5d0\uc774\uc804\ud2b8-\U0001f680"), ("region", "\U0001d518")]),
    ("leading zeros kept", [("account", "000123456789"), ("clientId", "007")]),
    # What clients send when they build a URL from a missing value: the text of the absence itself. It is a
    # value like any other (stored verbatim in v1/v2, judged by the validation rules from v3), never "absent".
    *(
        (f"stringified absence {word!r} as {name}", [(name, word)])
        for word in STRINGIFIED_ABSENCES
        for name in ("clientId", "account", "region")
    ),
]


def no_query_cases() -> list[Event]:
    """The fixed event with no query string, in each of its three spellings."""
    return [build_event(FIXED_CONTEXT, [], style) for style in EMPTY_QUERY_STYLES]


def query_corner_cases() -> list[Event]:
    """No query string in its three spellings, each named hard case, and a URL at the limit."""
    events = no_query_cases() + [build_event(FIXED_CONTEXT, pairs) for _, pairs in QUERY_CORNER_CASES]
    room = MAX_URL_LENGTH - url_length(FIXED_CONTEXT, [("clientId", "")])
    events.append(build_event(FIXED_CONTEXT, [("clientId", "x" * room)]))
    return events


# ---- whole events --------------------------------------------------------------------------


@functools.cache
@st.composite
def plain_events(draw: st.DrawFn, connection_id: str | None = None) -> Event:
    """Valid events with everyday query strings, or none in any of its three spellings."""
    context = draw(request_contexts(connection_id))
    return build_event(context, draw(plain_pairs()), draw(st.sampled_from(EMPTY_QUERY_STYLES)))


@functools.cache
@st.composite
def _hard_query_events(draw: st.DrawFn) -> Event:
    context = draw(request_contexts())
    pairs = draw(hard_pairs().filter(lambda p: url_length(context, p) <= MAX_URL_LENGTH))
    return build_event(context, pairs, draw(st.sampled_from(EMPTY_QUERY_STYLES)))


@functools.cache
def hard_query_events() -> st.SearchStrategy[Event]:
    """Valid events across the hard corners of the query-string space, the URL limit included."""
    return st.one_of(_hard_query_events(), url_limit_events())


@functools.cache
def any_valid_events() -> st.SearchStrategy[Event]:
    return st.one_of(plain_events(), hard_query_events())


# ---- malformed events ------------------------------------------------------------------------

NON_STRINGS: tuple[Any, ...] = (None, 0, 1.5, True, [], {}, ["a"])
NON_OBJECTS: tuple[Any, ...] = (None, 0, "x", [], ["requestContext"], True)
NON_MAPS: tuple[Any, ...] = ([], "clientId=a", 0)


def _mutated(event: Event, mutate: Any) -> Any:
    copy = {**event, "requestContext": {**event["requestContext"]}}
    return mutate(copy)


def _set(path: tuple[str, ...], value: Any) -> Any:
    def mutate(event: Event) -> Event:
        target = event
        for key in path[:-1]:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
        target[path[-1]] = value
        return event

    return mutate


def _delete(path: tuple[str, ...]) -> Any:
    def mutate(event: Event) -> Event:
        target = event
        for key in path[:-1]:
            target = target[key]
        target.pop(path[-1], None)
        return event

    return mutate


def _replace_event(value: Any) -> Any:
    def mutate(_event: Event) -> Any:
        return value

    return mutate


def _query_maps(value: Any) -> Any:
    """Both query maps replaced, so "no parameters" is the one reading of the event."""

    def mutate(event: Event) -> Event:
        event["queryStringParameters"] = value
        event["multiValueQueryStringParameters"] = value
        return event

    return mutate


def _mutation_table() -> list[tuple[str, Any]]:
    table: list[tuple[str, Any]] = [(f"event is {as_json(v)}", _replace_event(v)) for v in NON_OBJECTS]
    table.append(("requestContext missing", _delete(("requestContext",))))
    table += [(f"requestContext is {as_json(v)}", _set(("requestContext",), v)) for v in NON_OBJECTS]
    table.append(("connectionId missing", _delete(("requestContext", "connectionId"))))
    table.append(("connectionId empty", _set(("requestContext", "connectionId"), "")))
    table += [(f"connectionId is {as_json(v)}", _set(("requestContext", "connectionId"), v)) for v in NON_STRINGS]
    table += [(f"query maps are {as_json(v)}", _query_maps(v)) for v in NON_MAPS]
    return table


#: Named ways to break the fields a handler reads; each yields an event the schema rejects.
MUTATIONS = _mutation_table()


def malformed(base: Event, description: str, mutate: Any) -> tuple[str, Any]:
    """``base`` broken by one named mutation; raises GeneratorBug if the schema still accepts it."""
    event = _mutated(base, mutate)
    if not errors("connect-event", event):
        raise GeneratorBug(f"mutation {description!r} left a schema-valid event")
    return description, event


@functools.cache
@st.composite
def malformed_events(draw: st.DrawFn) -> tuple[str, Any]:
    """A description and an event the schema rejects in a field the handler must read."""
    base = draw(plain_events())
    description, mutate = draw(st.sampled_from(MUTATIONS))
    return malformed(base, description, mutate)


def malformed_corner_cases() -> list[tuple[str, Any]]:
    """Every mutation once, on the fixed everyday event: checked on every run before generation."""
    base = build_event(FIXED_CONTEXT, [("clientId", "agent-7"), ("account", "123456789012"), ("region", "us-east-1")])
    return [malformed(base, description, mutate) for description, mutate in MUTATIONS]


# ---- v3: parameter values on both sides of the rules ------------------------------------------

#: Digits that are not ASCII but that ``\d``, ``str.isdigit`` or ``int()`` accept.
FOREIGN_DIGITS = {
    "Arabic-Indic": "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
    "fullwidth": "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",
    "superscript": "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079",
    "Devanagari": "\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f",
}
#: Letters that look like ASCII ones: Cyrillic a, e, o, p, c and Greek capital omicron.
LOOKALIKES = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "O": "\u039f"}
CONTROL_CHARACTERS = ("\x00", "\t", "\n", "\r", "\x1b", "\x7f", "\u2028")


@functools.cache
def valid_values(rule: str, schema: str = "v3/item") -> st.SearchStrategy[str]:
    """Values the rule in ``schema``'s definitions accepts, generated from its own pattern."""
    pattern = python_regex(load_schema(schema)["definitions"][rule]["pattern"])
    return st.from_regex(pattern, fullmatch=True)


def _swap_one(value: str, table: dict[str, str], position: int) -> str | None:
    """``value`` with the character at (or after) ``position`` replaced from ``table``, if any can be."""
    for index in [*range(position, len(value)), *range(position)]:
        if value[index] in table:
            return value[:index] + table[value[index]] + value[index + 1 :]
    return None


@functools.cache
@st.composite
def near_misses(draw: st.DrawFn, rule: str) -> tuple[str, str]:
    """A description and a value one small step outside ``rule``: what a loose check lets through."""
    valid = draw(valid_values(rule))
    position = draw(st.integers(0, max(0, len(valid) - 1)))
    kinds: dict[str, st.SearchStrategy[str | None]] = {
        "trailing newline": st.just(valid + "\n"),
        "trailing space": st.just(valid + " "),
        "leading space": st.just(" " + valid),
        "control character inside": st.sampled_from(CONTROL_CHARACTERS).map(
            lambda c: valid[:position] + c + valid[position:]
        ),
        "lookalike letter": st.just(_swap_one(valid, LOOKALIKES, position)),
    }
    if rule == "account":
        kinds |= {
            "11 digits": st.just(valid[:11]),
            "13 digits": st.just(valid + valid[0]),
            "non-ASCII digit": st.sampled_from(sorted(FOREIGN_DIGITS)).map(
                lambda script: _swap_one(valid, dict(zip("0123456789", FOREIGN_DIGITS[script], strict=True)), position)
            ),
            "dashes": st.just(f"{valid[:4]}-{valid[4:8]}-{valid[8:]}"),
        }
    elif rule == "region":
        kinds |= {
            "upper case": st.just(valid.upper()),
            "unknown partition": st.sampled_from(["-isoxy", "-gow", "-cn", "-eusc"]).map(
                lambda part: valid[:2] + part + valid[2:]
            ),
            "unknown direction": st.just(valid.rsplit("-", 1)[0].rsplit("-", 1)[0] + "-middle-1"),
            "zone, not region": st.sampled_from("abcd").map(lambda zone: valid + zone),
            "region number 0 or 10": st.sampled_from(["0", "10"]).map(lambda n: valid[:-1] + n),
        }
    else:
        kinds |= {
            "129 characters": st.just((valid * 129)[:129]),
            "starts with a symbol": st.sampled_from("._:@-").map(lambda c: c + valid),
            "character outside the set": st.sampled_from(" /#%+!&=?'\"<>é").map(
                lambda c: valid[:position] + c + valid[position:]
            ),
        }
    kind = draw(st.sampled_from(sorted(kinds)))
    value = draw(kinds[kind])
    if value is None or value == valid:
        value = valid + "\n"
        kind = "trailing newline"
    if not errors("v3/item", value, rule) and value:
        raise GeneratorBug(f"near miss {kind!r} of {rule} is valid: {value!r}")
    return f"{rule} {kind}", value


VALID_EDGE_VALUES: dict[str, tuple[str, ...]] = {
    "clientId": ("a", "0", "A" * 128, "agent.7_x:y@z-1", "unknown"),
    "account": ("000000000000", "999999999999", "012345678901"),
    "region": ("us-east-1", "us-gov-west-1", "cn-northwest-1", "us-isob-east-1", "eu-central-2", "il-central-1"),
}
NEAR_MISS_CASES: tuple[tuple[str, str, str], ...] = (
    ("account", "11 digits", "12345678901"),
    ("account", "13 digits", "1234567890123"),
    ("account", "Arabic-Indic digits", "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662"),
    ("account", "fullwidth digits", "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10\uff11\uff12"),
    ("account", "superscript digit", "12345678901\u00b2"),
    ("account", "trailing newline", "123456789012\n"),
    ("account", "trailing space", "123456789012 "),
    ("region", "upper case", "US-EAST-1"),
    ("region", "unknown partition", "us-isoxy-east-1"),
    ("region", "zone, not region", "us-east-1a"),
    ("region", "lookalike letter", "us-\u0435ast-1"),
    ("region", "trailing newline", "eu-west-1\n"),
    ("clientId", "129 characters", "a" * 129),
    ("clientId", "starts with a dash", "-agent"),
    ("clientId", "space inside", "agent 7"),
    ("clientId", "control character", "agent\x1b[31m"),
    ("clientId", "lookalike letter", "\u0430gent-7"),
    ("clientId", "trailing newline", "agent-7\n"),
)


def with_parameters(event: Event, values: dict[str, Any]) -> Event:
    """``event`` with its query string replaced by ``values`` (one value per key, as API Gateway sends)."""
    event = {**event}
    event["queryStringParameters"] = dict(values)
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in values.items()}
    return event


@functools.cache
@st.composite
def validated_parameter_events(draw: st.DrawFn) -> tuple[str, Event]:
    """Everyday events whose parameters are drawn from both sides of v3's rules, one near miss or none."""
    names = draw(st.lists(st.sampled_from(QUERY_PARAMETERS), unique=True, min_size=1))
    values = {name: draw(st.one_of(valid_values(name), st.sampled_from(VALID_EDGE_VALUES[name]))) for name in names}
    description = "valid values"
    if draw(st.booleans()):
        target = draw(st.sampled_from(names))
        description, values[target] = draw(near_misses(target))
    return description, build_event(draw(request_contexts()), list(values.items()))


def validated_parameter_cases() -> list[tuple[str, Event]]:
    """Every named near miss, and every valid edge value, on the fixed everyday event."""
    base = {"clientId": "agent-7", "account": "123456789012", "region": "us-east-1"}
    cases = [
        (f"{name} {kind}", build_event(FIXED_CONTEXT, list({**base, name: value}.items())))
        for name, kind, value in NEAR_MISS_CASES
    ]
    cases += [
        (f"valid {name} {value[:20]!r}", build_event(FIXED_CONTEXT, list({**base, name: value}.items())))
        for name, values in VALID_EDGE_VALUES.items()
        for value in values
    ]
    return cases


#: Values only a direct invocation can put in a query map; the falsy ones may also read as "absent".
NON_STRING_VALUES: tuple[Any, ...] = (123456789012, 1.5, True, ["123456789012"], {"S": "x"}, None, 0, False, [], {})


@functools.cache
@st.composite
def non_string_parameter_events(draw: st.DrawFn) -> tuple[str, Any, Event]:
    """A valid event with one parameter's value replaced by a non-string in both query maps."""
    base = draw(plain_events())
    name = draw(st.sampled_from(QUERY_PARAMETERS))
    value = draw(st.sampled_from(NON_STRING_VALUES))
    values = {**query_parameters(base), name: value}
    return name, value, with_parameters(base, values)


def non_string_parameter_cases() -> list[tuple[str, Any, Event]]:
    base = build_event(FIXED_CONTEXT, [("clientId", "agent-7")])
    return [
        (name, value, with_parameters(base, {**query_parameters(base), name: value}))
        for name in QUERY_PARAMETERS
        for value in NON_STRING_VALUES
    ]


def everyday_handshake() -> dict[str, Any]:
    """The fixed `$connect` handshake of agent-7: the explicit examples' and the first call's."""
    return build_event(FIXED_CONTEXT, [("clientId", "agent-7")])
