"""The connections table a contract version defines: its key, its secondary indexes, and the attribute TTL
is enabled on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Index:
    """A global secondary index projecting every attribute: ``partition`` a String, ``sort`` a Number."""

    name: str
    partition: str
    sort: str


@dataclass(frozen=True)
class TableDefinition:
    """What a deployment creates (and the harness creates per run): on-demand, keyed by ``key`` (a String)."""

    key: str = "connectionId"
    ttl_attribute: str | None = None
    indexes: tuple[Index, ...] = ()
