"""How hard a check looks, and in which region its function runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckSettings:
    """How hard to look: examples per property clause, and the seed that makes a run repeatable."""

    examples: int = 100
    seed: int = 0
    region: str = "us-east-1"
