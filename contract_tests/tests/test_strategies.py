"""Generated events stay true to the schema and to how API Gateway fills the query maps."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_tests import strategies
from contract_tests.authenticated_events import (
    identity_cases,
    identity_events,
    token_cases,
    token_events,
    unauthenticated_cases,
    unauthenticated_events,
)
from contract_tests.clauses.routing_attributes import routing_events
from contract_tests.contract_schemas import errors
from contract_tests.oracle import expected_item, has_identity
from contract_tests.tests.conftest import FIXTURES, load_json

#: Every kind of event a clause generates or names (build_event checks only the query maps and the URL).
EVERY_VALID_EVENT = st.one_of(
    strategies.any_valid_events(),
    strategies.url_limit_events(),
    strategies.validated_parameter_events().map(lambda case: case[1]),
    identity_events().map(lambda case: case[1]),
    token_events().map(lambda case: case[1]),
    unauthenticated_events().map(lambda case: case[1]),
    routing_events(),
    st.sampled_from(
        [
            *strategies.query_corner_cases(),
            *(event for _, event in strategies.validated_parameter_cases()),
            *(event for _, event in identity_cases()),
            *(event for _, event in token_cases()),
            *(event for _, event in unauthenticated_cases()),
        ]
    ),
)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(EVERY_VALID_EVENT)
def test_every_event_the_strategies_make_meets_the_event_schema(event: dict[str, Any]) -> None:
    assert errors("connect-event", event) == []


@settings(max_examples=200, deadline=None)
@given(strategies.any_valid_events())
def test_valid_events_are_what_api_gateway_sends_for_their_url(event: dict[str, Any]) -> None:
    """Rebuilt independently of build_event: the URL's query string, parsed as a server parses it."""
    multi = event.get("multiValueQueryStringParameters") or {}
    query = urlencode([(k, v) for k, vs in multi.items() for v in vs])
    parsed = parse_qsl(query, keep_blank_values=True)
    assert (event.get("queryStringParameters") or {}) == dict(parsed)
    assert {k: [v for key, v in parsed if key == k] for k, _ in parsed} == multi
    context = event["requestContext"]
    assert context["connectedAt"] == context["requestTimeEpoch"]
    assert (
        time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(context["connectedAt"] / 1000)) == context["requestTime"]
    )
    assert context["domainName"].startswith(context["apiId"] + ".execute-api.")


@settings(max_examples=200, deadline=None)
@given(strategies.malformed_events())
def test_malformed_events_break_identity_or_the_query_maps(case: tuple[str, Any]) -> None:
    description, event = case
    assert errors("connect-event", event), description
    assert not has_identity(event) or not isinstance(event["queryStringParameters"], dict), description


def test_v1_does_not_judge_non_string_parameter_values() -> None:
    """API Gateway never sends them and v1 validates nothing: no mutation makes one."""
    assert not [d for d, _ in strategies.MUTATIONS if d.startswith("queryStringParameters.")]
    assert [d for d, _ in strategies.MUTATIONS if d.startswith("query maps")] == [
        "query maps are []",
        'query maps are "clientId=a"',
        "query maps are 0",
    ]


@given(strategies.url_limit_events())
def test_url_limit_events_are_exactly_at_the_limit(event: dict[str, Any]) -> None:
    pairs = [(k, v) for k, vs in event["multiValueQueryStringParameters"].items() for v in vs]
    assert strategies.url_length(event["requestContext"], pairs) == strategies.MAX_URL_LENGTH


def test_repeated_keys_keep_the_last_value_in_the_single_map() -> None:
    event = strategies.build_event(strategies.FIXED_CONTEXT, [("p", "one"), ("p", "two")])
    assert event["queryStringParameters"] == {"p": "two"}
    assert event["multiValueQueryStringParameters"] == {"p": ["one", "two"]}


def test_inconsistent_maps_are_a_generator_bug() -> None:
    event = strategies.build_event(strategies.FIXED_CONTEXT, [("p", "one"), ("p", "two")])
    event["queryStringParameters"] = {"p": "one"}
    with pytest.raises(strategies.GeneratorBug):
        strategies.consistent(event)


def test_too_long_urls_are_a_generator_bug() -> None:
    context = strategies.FIXED_CONTEXT
    room = strategies.MAX_URL_LENGTH - strategies.url_length(context, [("clientId", "")])
    with pytest.raises(strategies.GeneratorBug):
        strategies.build_event(context, [("clientId", "x" * (room + 1))])


def test_every_mutation_is_a_corner_case() -> None:
    cases = strategies.malformed_corner_cases()
    assert [d for d, _ in cases] == [d for d, _ in strategies.MUTATIONS]


def test_query_corner_cases_cover_each_named_case_and_the_limit() -> None:
    events = strategies.query_corner_cases()
    assert len(events) == 3 + len(strategies.QUERY_CORNER_CASES) + 1
    assert "queryStringParameters" not in events[0]
    assert events[1]["queryStringParameters"] is None
    assert events[2]["queryStringParameters"] == {}


@pytest.mark.parametrize("path", sorted((FIXTURES / "events").glob("*.json")), ids=lambda p: p.stem)
def test_oracle_matches_the_expected_fixtures(path: Any) -> None:
    expected = load_json(FIXTURES / "expected" / f"{path.stem}.item.json")
    expected.pop("createdAt")
    assert expected_item(load_json(path)) == expected
