"""Progress on long runs: a live line on a terminal, a plain line every few seconds in CI, none with --quiet."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from contract_tests.progress import CI_EVERY_S


def _slow_handler(tmp_path: Path, seconds: float) -> str:
    (tmp_path / "slow.py").write_text(
        "import time\n\ndef handler(event, context):\n"
        f"    time.sleep({seconds})\n    return {{'statusCode': 200, 'body': 'connected'}}\n"
    )
    return f"{tmp_path}/slow.py:handler"


def _argv(handler: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "contract_tests", "check", "--handler", handler, "--runtime", "inprocess",
            "--clause", "response", "--examples", "10", "--seed", "1", *extra]  # fmt: skip


def test_a_terminal_sees_a_live_line_for_the_clause_under_way(tmp_path: Path) -> None:
    primary, secondary = pty.openpty()
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    argv = [*_argv(_slow_handler(tmp_path, 0.1)), "--failures-dir", str(tmp_path / "failures")]
    process = subprocess.Popen(argv, stdin=secondary, stdout=secondary, stderr=secondary, env=environment)
    os.close(secondary)
    seen = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait(timeout=60) == 0, seen
    os.close(primary)
    text = seen.decode(errors="replace")
    assert "\r\x1b[K  ... 1 response: " in text and " of about 13 examples" in text, text
    assert "[pass] 1 response" in text


@pytest.mark.parametrize("quiet", [False, True], ids=["ci", "quiet"])
def test_ci_logs_get_a_plain_line_every_few_seconds_unless_quiet(tmp_path: Path, quiet: bool) -> None:
    handler = _slow_handler(tmp_path, (CI_EVERY_S + 1.5) / 13)
    argv = [*_argv(handler, *(["--quiet"] if quiet else [])), "--failures-dir", str(tmp_path / "failures")]
    done = subprocess.run(argv, env={**os.environ, "CI": "true"}, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    progress = [line for line in done.stdout.splitlines() if line.startswith("  ... 1 response: ")]
    assert "\r" not in done.stdout
    assert (progress == []) if quiet else (len(progress) >= 1 and "of about 13 examples" in progress[0])
