"""How the gate's JVMs run: DynamoDB Local, started alone or inside LocalStack, serves one check and stops."""

from __future__ import annotations

#: The client compiler only: a check's JVM lives seconds to minutes, too short for the server compiler's
#: work to pay back. Measured on DynamoDB Local: half the JVM's CPU time and a shorter check, from a
#: one-example check to 1,500 examples of one clause.
SHORT_LIVED = "-XX:TieredStopAtLevel=1"


def java_tool_options(inherited: str, *forced: str) -> str:
    """``JAVA_TOOL_OPTIONS`` for a JVM the gate starts: its tuning first, so the user's own ``inherited``
    options override it (a later -XX wins), then ``forced``, which nothing overrides."""
    return " ".join(part for part in (SHORT_LIVED, inherited.strip(), *forced) if part)
