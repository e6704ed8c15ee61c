"""The CI integrations, run locally with the variables those CI systems set: GitHub's step summary and
annotations, the composite action's shell steps, and the GitLab job in the README."""

from __future__ import annotations

import json
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
        **NO_CHOICES,
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


#: The action's inputs left empty (at their defaults) in the check step's environment.
NO_CHOICES = {"SEED": "", "SHARD": "", "EXAMPLE_DB": "", "DURATION": "", "JOBS": "1", "JSON_REPORT": ""}


def test_the_actions_shards_merge_into_the_whole_checks_verdict(tmp_path: Path) -> None:
    """A matrix of two shards through the action's own inputs (seed, shard, example-db on two lines,
    json-report), then ``connect-contract merge``, as the README's workflow runs them."""
    _wrong_handler(tmp_path)
    step = _step("check")
    for shard in (1, 2):
        inputs = {
            "HANDLER": "src/connect.py:handler",
            "CONTRACT": "v1",
            "BACKEND": "moto",
            "EXAMPLES": "10",
            "EXTRA_ARGS": "--runtime inprocess --clause response --clause query-strings",
            "REPORT": f"shard-{shard}.xml",
            **NO_CHOICES,
            "SEED": "7",
            "SHARD": f"{shard}/2",
            "EXAMPLE_DB": f"{tmp_path / 'from-ci'}\nexamples",
            "JSON_REPORT": f"shard-{shard}.json",
        }
        outputs = tmp_path / f"outputs-{shard}"
        environment = _environment(tmp_path, **inputs, GITHUB_OUTPUT=str(outputs))
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == (1 if shard == 2 else 0), done.stdout + done.stderr
        assert f"json-report=shard-{shard}.json" in outputs.read_text().splitlines()
    request = json.loads((tmp_path / "shard-2.json").read_text())["request"]
    assert (request["shard"], request["example_dbs"]) == ("2/2", [str(tmp_path / "from-ci"), "examples"])
    merged = subprocess.run(
        [str(BIN / "connect-contract"), "merge", "shard-1.json", "shard-2.json"],
        cwd=tmp_path,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert merged.returncode == 1, merged.stdout + merged.stderr
    assert "handler violates contract v1" in merged.stdout and "[FAIL] 3 query-strings" in merged.stdout


def test_the_readmes_shard_matrix_uses_the_actions_inputs() -> None:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- github-shards -->\n```yaml\n(.*?)```\n<!-- /github-shards -->", text, re.S)
    assert block
    steps = yaml.safe_load(block.group(1))["jobs"]["shard"]["steps"]
    (uses,) = [step for step in steps if "connect-contract@" in step.get("uses", "")]
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    assert set(uses["with"]) <= set(inputs) and {"shard", "seed", "example-db", "json-report"} <= set(uses["with"])


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
