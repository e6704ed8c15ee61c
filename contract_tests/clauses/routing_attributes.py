"""Clause 16 (v5): a connect stores lastSeenAt (the createdAt reading) and accountRegion, exactly
``<account>#<region>`` when both are stored and absent otherwise.

accountRegion is the sparse key of the byAccountRegion index: a connection without both is not routable."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.checks import require_outcome
from contract_tests.clauses.judgement import Property
from contract_tests.contracts import Contract
from contract_tests.contracts.v5 import ROUTING_ATTRIBUTES
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send
from contract_tests.strategies import AWS_REGIONS, FIXED_CONTEXT, account_ids, build_event, request_contexts

Event = dict[str, Any]
#: Which of account and region the query carries.
SHAPES = (("account", "region"), ("account",), ("region",), ())


def _pairs(shape: tuple[str, ...], account: str, region: str, client: str | None) -> list[tuple[str, str]]:
    values = {"account": account, "region": region}
    pairs = [(name, values[name]) for name in shape]
    return [("clientId", client), *pairs] if client else pairs


@st.composite
def routing_events(draw: st.DrawFn) -> Event:
    shape = draw(st.sampled_from(SHAPES))
    pairs = _pairs(
        shape,
        draw(account_ids()),
        draw(st.sampled_from(AWS_REGIONS)),
        draw(st.none() | st.sampled_from(["agent-7", "dashboard"])),
    )
    return build_event(draw(request_contexts()), pairs)


def explicit(facts: Facts) -> list[Event]:
    return [build_event(FIXED_CONTEXT, _pairs(shape, "000000000042", "eu-west-1", "agent-7")) for shape in SHAPES]


def judge(event: Event, observation: Observation, contract: Contract, facts: Facts) -> None:
    require_outcome(contract, event, observation)


JUDGEMENT = Property[Event, Observation, Contract](
    clause=ROUTING_ATTRIBUTES,
    cases=lambda facts: routing_events(),
    explicit=explicit,
    step=Send,
    judge=judge,
    examples=lambda examples: max(8, examples // 4),
)
