"""A fresh machine behind a proxy: tox keeps the CA and proxy settings, and a failing install step says why."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from contract_tests.localstack.install import InstallError, _run
from contract_tests.tests.conftest import ROOT


def test_tox_passes_the_ca_and_proxy_settings_through() -> None:
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    passed = set(tox["testenv"]["pass_env"].split())
    wanted = {"NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "HTTPS_PROXY", "https_proxy", "PIP_*"}
    assert wanted <= passed
    assert "npm_config_*" in passed


def test_a_silent_failing_step_still_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InstallError) as raised:
        _run(["false"], "the step", cwd=tmp_path)
    assert "it printed nothing (exit status 1); run it by hand to see why" in str(raised.value)


def test_a_failing_step_shows_its_own_error(tmp_path: Path) -> None:
    with pytest.raises(InstallError) as raised:
        _run(["sh", "-c", "echo 'npm error code E403' >&2; exit 1"], "npm install kinesis-local", cwd=tmp_path)
    assert "npm error code E403" in str(raised.value)


def test_a_check_installs_what_it_runs_and_no_more() -> None:
    """`pip install connect-contract` brings moto's DynamoDB and server, not the extras that pull in
    docker and cfn-lint (sympy, networkx, pydantic): those are the project's own tooling, in [dev]."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [requirement.split(";")[0].split(">")[0].split("=")[0].strip() for requirement in project["dependencies"]]
    assert not [name for name in names if "[" in name or name in ("docker", "cfn-lint")], names
    assert {"moto", "flask", "flask-cors", "py-partiql-parser"} <= set(names)
    assert "cfn-lint>=1.0" in project["optional-dependencies"]["dev"]
