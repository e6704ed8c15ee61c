"""The CI integrations, run locally with the variables those CI systems set: GitHub's step summary and
annotations, the composite action's shell steps, and the GitLab job in the README."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from contract_tests.tests.conftest import HANDLERS, ROOT

BIN = Path(sys.executable).parent


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GITLAB_", "CI_"))}
    return {
        **base,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "CONNECT_CONTRACT_HOME": str(tmp_path / "home"),
        **extra,
    }


def _step(step_id: str) -> dict[str, Any]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    (step,) = [step for step in action["runs"]["steps"] if step.get("id") == step_id]
    return dict(step)


def _wrong_handler(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    shutil.copy(HANDLERS / "wrong" / "query_strips_whitespace.py", tmp_path / "src" / "connect.py")


def test_the_actions_check_step_summarises_annotates_and_saves(tmp_path: Path) -> None:
    _wrong_handler(tmp_path)
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    step = _step("check")
    inputs = {
        "HANDLER": "src/connect.py:handler",
        "CONTRACT": "v1",
        "BACKEND": "moto",
        "EXAMPLES": "10",
        "EXTRA_ARGS": "--runtime inprocess --clause query-strings --clause response",
        "REPORT": "connect-contract-report.xml",
    }
    assert set(inputs) == set(step["env"])
    github = {
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_WORKSPACE": str(tmp_path),
    }
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=tmp_path,
        env=_environment(tmp_path, **inputs, **github),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    (annotation,) = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    line = next(n for n, text in enumerate((tmp_path / "src" / "connect.py").read_text().splitlines(), 1)
                if text.startswith("def handler("))  # fmt: skip
    assert annotation.startswith(f"::error file=src/connect.py,line={line},title=connect-contract v1%3A clause 3")
    assert "::stored item differs in clientId, region: " in annotation
    table = summary.read_text()
    assert "| 3 | `query-strings` | ❌ **fail** |" in table and "| 1 | `response` | ✅ pass |" in table
    assert "connect-contract check --handler src/connect.py:handler" in table
    assert outputs.read_text() == "report=connect-contract-report.xml\n"
    assert (tmp_path / "connect-contract-report.xml").is_file()
    assert list((tmp_path / ".connect-contract" / "failures").glob("v1-query-strings-*.json"))


def test_the_actions_other_shell_steps(tmp_path: Path) -> None:
    """Provisioning runs only for the backends that need it; the upload step keeps what replay needs."""
    provision = _step("provision")
    done = subprocess.run(
        ["bash", "-e", "-c", provision["run"]],
        cwd=tmp_path,
        env=_environment(tmp_path, BACKEND="moto"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and not (tmp_path / "home").exists()
    assert _step("upload")["with"]["path"] == ".connect-contract/failures/"
    assert "localstack-4.8.1" in _step("cache")["with"]["path"]


def test_outside_github_nothing_is_annotated(run_cli: Any) -> None:
    argv = ["--handler", f"{HANDLERS / 'wrong' / 'query_strips_whitespace.py'}:handler", "--runtime", "inprocess"]
    result = run_cli("check", *argv, "--examples", "10", "--clause", "query-strings")
    assert result.status == 1 and "::error" not in result.out


def test_the_gitlab_job_in_the_readme(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- gitlab-ci -->\n```yaml\n(.*?)```\n<!-- /gitlab-ci -->", text, re.S)
    assert block
    job = yaml.safe_load(block.group(1))["connect-contract"]
    install, *steps = job["script"]
    assert install.startswith("pip install")
    _wrong_handler(tmp_path)
    gitlab = {"GITLAB_CI": "true", "CI": "true", "CI_PROJECT_DIR": str(tmp_path)}
    script = "\n".join(steps).replace("--handler src/connect.py:handler", "--handler src/connect.py:handler "
                                      "--runtime inprocess --examples 10 --clause query-strings")  # fmt: skip
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=tmp_path, env=_environment(tmp_path, **gitlab),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert (tmp_path / job["artifacts"]["reports"]["junit"]).is_file()
    assert list((tmp_path / job["artifacts"]["paths"][0]).glob("*.json"))
