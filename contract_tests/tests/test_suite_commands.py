"""tox's test commands split the suite: no test runs in both the moto and the localstack commands (each
costs the budget twice); `tox -e dynamodb-local` runs a part of the localstack command alone."""

from __future__ import annotations

import configparser
import shlex
import subprocess
import sys

from contract_tests.tests.conftest import ROOT

#: What changes how a command runs, not what it collects.
RUN_ONLY = {"-n": 1, "--maxprocesses": 1, "--dist": 1}


def _collected(section: str) -> set[str]:
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    [line] = [line for line in tox[section]["commands"].splitlines() if line.strip().startswith("pytest")]
    words, argv = shlex.split(line.replace("{posargs}", "")), []
    while words:
        word = words.pop(0)
        if word in RUN_ONLY:
            del words[: RUN_ONLY[word]]
        elif word != "pytest":
            argv.append(word)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *argv, "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {line for line in done.stdout.splitlines() if "::" in line}


def test_no_test_runs_in_two_of_toxs_commands() -> None:
    moto, localstack, dynamodb_local = (
        _collected(f"testenv:{name}") for name in ("moto", "localstack", "dynamodb-local")
    )
    assert moto and localstack and dynamodb_local
    assert not moto & localstack
    assert not moto & dynamodb_local
    assert dynamodb_local <= localstack  # its part of the localstack command, alone
