"""tox's test commands split the suite: no test runs in both the moto and the localstack commands (each
costs the budget twice); `tox -e dynamodb-local` runs a part of the localstack command alone."""

from __future__ import annotations

import configparser
import importlib.util
import os
import shlex
import subprocess
import sys
from pathlib import Path

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


def test_the_suites_virtualenv_holds_compiled_bytecode() -> None:
    """A check of the reference took 24.0-25.0 s and 29-31 core-s from a virtualenv uv installed without
    bytecode, under PYTHONDONTWRITEBYTECODE, against 15.6-19.1 s and 18.5-22.5 core-s with it: every process the
    suite starts imports boto3, moto or hypothesis, and a sandboxed handler cannot write what it compiled."""
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    assert "UV_COMPILE_BYTECODE = 1" in tox["testenv"]["set_env"].splitlines()
    if "TOX_ENV_NAME" in os.environ:  # under tox: the setting reached uv
        import botocore.client

        assert Path(importlib.util.cache_from_source(botocore.client.__file__)).is_file()
