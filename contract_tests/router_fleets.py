"""The fleets a router is checked against: agents in the run's table, each with how live it is, where it
belongs and how the management API answers a post to it; and the router's events.

An agent's times are relative (expires in so many seconds, silent for so many ms): the gate writes its
item just before the invocation, so the fleet means the same whenever and wherever it runs.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from hypothesis import strategies as st

from contract_tests.contracts.router import DEFAULT_IDLE_SECONDS
from contract_tests.management_api import ACCEPTED, GONE, RESET
from contract_tests.observation import TypedItem

#: Where an agent's item belongs: the event's account and region, or not.
HERE = "here"
OTHER_REGION = "another region of the account"
OTHER_ACCOUNT = "another account"
#: The event's account and region, stored before v5: no accountRegion, so not in the index.
BEFORE_V5 = "stored before v5"
#: A live agent is seen at least this long before the idle window closes on it, and expires at least this
#: long after the write: an invocation slower than that may see it either way, and is judged so.
MARGIN_MS = 60_000
EXPIRES_LIVE_S = (60, 2 * 86_400)
#: DynamoDB deletes an expired item up to ~48 h late.
EXPIRED_S = (-2 * 86_400, 0)
REGIONS = ("us-east-1", "eu-central-2", "ap-southeast-5", "us-gov-west-1", "cn-north-1", "sa-east-1")
#: How the management API answers: always, or failing first and accepting the retry.
FAILING = ((500,), (429,), (RESET,))
TRANSIENT = ((500, ACCEPTED), (429, ACCEPTED), (RESET, ACCEPTED))


@dataclass(frozen=True)
class Agent:
    connection_id: str
    place: str = HERE
    #: ``expiresAt`` - the second of the write: > 0 live; <= 0 expired (0: at this very second).
    expires_in_s: int = 3600
    #: How long before the write ``lastSeenAt`` is, in ms.
    silent_ms: int = 0
    #: The management API's answers to posts to it, the last repeating.
    answers: tuple[int, ...] = (ACCEPTED,)
    client_id: str = "agent-1"

    @property
    def gone(self) -> bool:
        return self.answers[-1] == GONE


@dataclass(frozen=True)
class RouterCase:
    """One invocation: the event, the fleet in the table, the configured idle window (``UNSET_IDLE``: the
    variable removed; None: as the run configures it), a storage failure during it and other variables.

    A clause's case is its plain form (:meth:`plain`), as failure cases save and replay it."""

    event: Any
    agents: tuple[Agent, ...] = ()
    idle: str | None = None
    failure: str | None = None
    #: The fleet's account and region (an invalid event may name none).
    home: tuple[str, str] = ("123456789012", "us-east-1")
    environment: tuple[tuple[str, str], ...] = ()
    #: Whether the case probes the second of expiry: an agent expiring at the second of the write then
    #: shows an inclusive expiry only if the router reads its clock in that second.
    on_the_second: bool = False

    @property
    def reads_on_the_second(self) -> bool:
        return self.on_the_second and any(agent.expires_in_s == 0 for agent in self.agents)

    def plain(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self)))  # type: ignore[no-any-return]

    @classmethod
    def of(cls, case: Mapping[str, Any]) -> RouterCase:
        """The case a clause generated, or a saved one read back."""
        agents = tuple(
            Agent(**{**agent, "answers": tuple(agent.get("answers", (ACCEPTED,)))}) for agent in case.get("agents", ())
        )
        return cls(
            case["event"],
            agents,
            case.get("idle"),
            case.get("failure"),
            (str(case.get("home", cls.home)[0]), str(case.get("home", cls.home)[1])),
            tuple((str(name), str(value)) for name, value in case.get("environment", ())),
            bool(case.get("on_the_second", False)),
        )


#: ``RouterCase.idle`` that removes ``CONNECTION_IDLE_SECONDS``, so the default window applies.
UNSET_IDLE = ""


def item_of(agent: Agent, home: tuple[str, str], now_ms: int) -> TypedItem:
    """``agent``'s item, written at ``now_ms``."""
    account, region = home
    if agent.place == OTHER_ACCOUNT:
        account = str((int(account) + 1) % 10**12).zfill(12)
    elif agent.place == OTHER_REGION:
        region = next(other for other in REGIONS if other != region)
    last_seen = now_ms - agent.silent_ms
    item: TypedItem = {
        "connectionId": {"S": agent.connection_id},
        "clientId": {"S": agent.client_id},
        "account": {"S": account},
        "region": {"S": region},
        "createdAt": {"N": str(last_seen - 1000)},
        "expiresAt": {"N": str(now_ms // 1000 + agent.expires_in_s)},
    }
    if agent.place != BEFORE_V5:
        item["lastSeenAt"] = {"N": str(last_seen)}
        item["accountRegion"] = {"S": f"{account}#{region}"}
    return item


def event_of(account: str, region: str, message: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return {"account": account, "region": region, "message": dict(message), **extra}


# ---- strategies ----------------------------------------------------------------------------------

_ID_CHARACTERS = string.ascii_letters + string.digits
connection_ids = st.text(_ID_CHARACTERS, min_size=15, max_size=15).map(lambda text: f"{text}=")
accounts = st.text(string.digits, min_size=12, max_size=12)
regions = st.sampled_from(REGIONS[:-1])
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text(st.characters(codec="utf-8"), max_size=20)
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
messages = st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=12), _json, max_size=4)
extra_keys = st.dictionaries(st.sampled_from(["source", "traceId", "requestId", "accounts"]), _json, max_size=2)


def live_times(idle_s: int) -> st.SearchStrategy[tuple[int, int]]:
    """(expires_in_s, silent_ms) of an agent live for an invocation shorter than the margin."""
    return st.tuples(st.integers(*EXPIRES_LIVE_S), st.integers(0, idle_s * 1000 - MARGIN_MS))


def dead_times(idle_s: int) -> st.SearchStrategy[tuple[int, int]]:
    """(expires_in_s, silent_ms) of an agent expired (at the second of the write or before) or silent for
    longer than the window (by one ms or more): dead whenever it is read."""
    live_expiry, live_silence = st.integers(*EXPIRES_LIVE_S), st.integers(0, idle_s * 1000 - MARGIN_MS)
    expired = st.tuples(st.sampled_from([0, -1]) | st.integers(*EXPIRED_S), live_silence)
    beyond = st.sampled_from([0, 1, 999]) | st.integers(0, 2 * 86_400_000)
    silent = st.tuples(live_expiry, beyond.map(lambda extra: idle_s * 1000 + extra))
    return expired | silent


@st.composite
def fleets(
    draw: st.DrawFn,
    *,
    idle_s: int = DEFAULT_IDLE_SECONDS,
    size: tuple[int, int] = (0, 12),
    answers: Sequence[tuple[int, ...]] = (),
    at_least_one: bool = False,
) -> tuple[Agent, ...]:
    """Agents of every kind; ``answers``: scripts some live agents get (at least one with ``at_least_one``)."""
    ids = draw(st.lists(connection_ids, min_size=size[0], max_size=size[1], unique=True))
    agents: list[Agent] = []
    for index, connection_id in enumerate(ids):
        live = draw(st.booleans()) or index == 0
        place = HERE if live else draw(st.sampled_from([HERE, HERE, OTHER_REGION, OTHER_ACCOUNT, BEFORE_V5]))
        if place == HERE:
            expires, silent = draw(live_times(idle_s) if live else dead_times(idle_s))
        else:
            expires, silent = draw(live_times(idle_s))
        script: tuple[int, ...] = (ACCEPTED,)
        if answers and place == HERE and (draw(st.booleans()) or (at_least_one and index == 0)):
            script = draw(st.sampled_from(list(answers)))
        agents.append(Agent(connection_id, place, expires, silent, script, f"agent-{index}"))
    return tuple(agents)


@st.composite
def router_cases(
    draw: st.DrawFn,
    *,
    answers: Sequence[tuple[int, ...]] = (),
    at_least_one: bool = False,
    failure: str | None = None,
    environment: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    account, region = draw(accounts), draw(regions)
    size = (1 if at_least_one else 0, 12)
    agents = draw(fleets(answers=answers, at_least_one=at_least_one, size=size))
    event = event_of(account, region, draw(messages), **draw(extra_keys))
    variables = tuple((environment or {}).items())
    return RouterCase(event, agents, failure=failure, home=(account, region), environment=variables).plain()


#: ``CONNECTION_IDLE_SECONDS`` values the clock-edges clause configures (the unset default among them).
IDLE_SETTINGS = (UNSET_IDLE, "120", "900", "3600")


@st.composite
def edge_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Agents on the edges of liveness under a configured idle window: expiring at the second of the write,
    silent for exactly the window or a ms longer, live a margin inside it (beyond the default window)."""
    idle = draw(st.sampled_from(IDLE_SETTINGS))
    idle_s = int(idle) if idle else DEFAULT_IDLE_SECONDS
    edges = [
        (draw(st.sampled_from([0, -1])), 0),
        (3600, idle_s * 1000 + draw(st.sampled_from([0, 1]))),
        (3600, idle_s * 1000 - MARGIN_MS),
        (2, 0),
        (3600, DEFAULT_IDLE_SECONDS * 1000 + draw(st.sampled_from([1, MARGIN_MS]))),
        (3600, max(0, DEFAULT_IDLE_SECONDS * 1000 - MARGIN_MS)),
    ]
    picked = draw(st.lists(st.sampled_from(edges), min_size=1, max_size=6))
    ids = draw(st.lists(connection_ids, min_size=len(picked), max_size=len(picked), unique=True))
    agents = tuple(
        Agent(connection_id, HERE, expires, silent, client_id=f"agent-{index}")
        for index, (connection_id, (expires, silent)) in enumerate(zip(ids, picked, strict=True))
    )
    account, region = draw(accounts), draw(regions)
    event = event_of(account, region, draw(messages))
    return RouterCase(event, agents, idle=idle, home=(account, region), on_the_second=True).plain()


def edge_examples() -> list[dict[str, Any]]:
    """A long and a short configured window, each with agents on both sides of it and of the default
    window, and one expiring at the second of the write."""
    home = ("123456789012", "ap-southeast-5")
    examples = []
    for idle, silences in (("3600", (900_000, 3_540_000, 3_600_001)), ("120", (0, 60_000, 300_000))):
        agents = [
            Agent(f"EdgeAgent{idle}s{index}=", HERE, 3600, silent, client_id=f"agent-{index}")
            for index, silent in enumerate(silences)
        ]
        agents.append(Agent(f"EdgeAgent{idle}expiring=", HERE, 0, 0, client_id="agent-expiring"))
        event = event_of(*home, {"action": "rotate-keys"})
        examples.append(RouterCase(event, tuple(agents), idle=idle, home=home, on_the_second=True).plain())
    return examples


#: Events that are no router event, each beside a fleet a router that took it would post to.
#: The last: twelve full-width digits, which ``\d`` and ``isdigit`` take for digits.
_BAD_ACCOUNTS = (
    "12345678901",
    "1234567890123",
    "12345678901a",
    "",
    "".join(chr(0xFF10 + int(d)) for d in "123456789012"),
)
_BAD_REGIONS = ("us-east", "US-EAST-1", "us-east-1 ", "", "mars-north-1", "us_east_1")
_BAD_MESSAGES: tuple[Any, ...] = ("hello", ["a"], None, 7, "", True)


@st.composite
def invalid_cases(draw: st.DrawFn) -> dict[str, Any]:
    account, region = draw(accounts), draw(regions)
    valid = event_of(account, region, draw(messages))
    field = draw(st.sampled_from(["account", "region", "message", "missing", "number", "whole"]))
    event: Any
    if field == "account":
        event = {**valid, "account": draw(st.sampled_from(_BAD_ACCOUNTS))}
    elif field == "region":
        event = {**valid, "region": draw(st.sampled_from(_BAD_REGIONS))}
    elif field == "message":
        event = {**valid, "message": draw(st.sampled_from(_BAD_MESSAGES))}
    elif field == "missing":
        dropped = draw(st.sampled_from(["account", "region", "message"]))
        event = {key: value for key, value in valid.items() if key != dropped}
    elif field == "number":
        event = {**valid, "account": int(account)}
    else:
        event = draw(st.sampled_from([[valid], "account", None, 42]))
    agents = draw(fleets(size=(1, 4)))
    return RouterCase(event, agents, home=(account, region)).plain()


def invalid_examples() -> list[dict[str, Any]]:
    home = ("123456789012", "us-east-1")
    valid = event_of(*home, {"action": "remediate"})
    agent = (Agent("LiveAgentConn01=", HERE),)
    events: list[Any] = [
        {**valid, "account": "12345678901"},
        {**valid, "region": "us-east"},
        {**valid, "message": "remediate"},
        {key: value for key, value in valid.items() if key != "message"},
        {**valid, "account": 123456789012},
        [valid],
    ]
    return [RouterCase(event, agent, home=home).plain() for event in events]


def mixed_fleet() -> dict[str, Any]:
    """One agent of every kind, live ones on both sides of the dead, over three Query pages."""
    home = ("123456789012", "us-east-1")
    kinds = [
        (HERE, 3600, 5_000),
        (HERE, -3600, 5_000),
        (HERE, 3600, 30_000),
        (HERE, 0, 5_000),
        (HERE, 3600, DEFAULT_IDLE_SECONDS * 1000 + 1),
        (OTHER_REGION, 3600, 5_000),
        (HERE, 3600, 400_000),
        (OTHER_ACCOUNT, 3600, 5_000),
        (BEFORE_V5, 3600, 5_000),
        (HERE, 3600, 2 * 86_400_000),
        (HERE, 86_400, 1_000),
    ]
    agents = tuple(
        Agent(f"MixedFleetAgent{index:x}=", place, expires, silent, client_id=f"agent-{index}")
        for index, (place, expires, silent) in enumerate(kinds)
    )
    message = {"action": "remediate", "finding": {"id": "sg-0a1b", "ports": [22, 3389]}, "note": "é ✓"}
    return RouterCase(event_of(*home, message, source="console"), agents, home=home).plain()


def scripted_fleet(scripts: Sequence[tuple[int, ...]], failure: str | None = None, **variables: str) -> dict[str, Any]:
    """Live agents answered as ``scripts`` say, in the Query's order, each followed by one that accepts."""
    home = ("123456789012", "eu-central-2")
    answers = [answer for script in scripts for answer in (script, (ACCEPTED,))]
    agents = tuple(
        Agent(f"ScriptedAgent{index:02d}=", HERE, 3600, 60_000 - index, script, f"agent-{index}")
        for index, script in enumerate(answers)
    )
    event = event_of(*home, {"action": "remediate", "rule": "s3-public-read"})
    return RouterCase(event, agents, failure=failure, home=home, environment=tuple(variables.items())).plain()


def big_fleet(size: int) -> dict[str, Any]:
    """``size`` live agents of one account and region: many Query pages, many posts."""
    home = ("123456789012", "us-east-1")
    agents = tuple(Agent(f"{index:015d}=", HERE, 3600, index, client_id=f"agent-{index}") for index in range(size))
    return RouterCase(event_of(*home, {"action": "remediate", "finding": "sg-open-22"}), agents, home=home).plain()
