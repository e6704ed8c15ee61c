"""``--shard K/N`` and ``merge``: a check split across processes sharing one backend and one example
database gives, merged, the unsharded run's verdict, counterexamples and saved case on the same seed;
what a shard found is replayed first by the next run; anything but all the shards of one check is
refused with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contract_tests.contracts import contract_named
from contract_tests.engine.shards import shard_clauses
from contract_tests.localstack.layout import Layout
from contract_tests.tests.conftest import HANDLERS, RunningBackend, essence, timeless

#: Stores createdAt in seconds for about one connection in 20: the item clause (shard 2 of 3 below) meets
#: it on seed 1 within 40 examples. In process, since what is tested is the sharing: shrinking a failure
#: starts a fresh execution environment per failing attempt, seconds out of process.
RARE = f"{HANDLERS / 'rare' / 'high_id_stores_seconds.py'}:handler"
CLAUSES = ("--clause", "response", "--clause", "item", "--clause", "table-unset")


def _check_words(endpoint: str, backend_name: str) -> list[str]:
    where = ["--backend", backend_name, "--endpoint", endpoint]
    return ["--handler", RARE, "--env", "ONE_IN=20", "--runtime", "inprocess", *where, *CLAUSES]


# On DynamoDB Local alone, a server three processes share: on moto, test_ci_integration.py shards and
# merges the action's way.
@pytest.mark.localstack
def test_three_shards_merged_are_the_unsharded_check(
    run_cli: Any, tmp_path: Path, started_backends: dict[str, RunningBackend]
) -> None:
    if not Layout.default().is_installed():
        pytest.skip("needs `connect-contract localstack install` (the tox localstack and dynamodb-local environments)")
    backend_name = "dynamodb-local"
    endpoint = started_backends[backend_name].endpoint
    assert endpoint is not None
    words = _check_words(endpoint, backend_name)
    seeded = ["--seed", "1", "--examples", "40"]

    whole = tmp_path / "whole.json"
    unsharded = run_cli("check", *words, *seeded, "--format", "json", "--output", str(whole))
    assert unsharded.status == 1, unsharded.out + unsharded.err

    database = tmp_path / "examples"
    environment = {**os.environ, "CONNECT_CONTRACT_HOME": str(tmp_path / "home")}
    shards = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "contract_tests", "check", *words, *seeded, "--shard", f"{k}/3"),
                *("--example-db", str(database), "--failures-dir", str(tmp_path / f"shard-{k}-failures")),
                *("--format", "json", "--output", str(tmp_path / f"shard-{k}.json"), "--quiet"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
        )
        for k in (1, 2, 3)
    ]
    outputs = [shard.communicate(timeout=300)[0] for shard in shards]
    assert [shard.returncode for shard in shards] == [0, 1, 0], outputs  # item, the failing clause, is shard 2's
    checked = [[c["id"] for c in json.loads((tmp_path / f"shard-{k}.json").read_text())["clauses"]] for k in (1, 2, 3)]
    assert checked == [["response"], ["item"], ["table-unset"]]

    merged_json, merged_failures = tmp_path / "merged.json", tmp_path / "merged-failures"
    reports = [str(tmp_path / f"shard-{k}.json") for k in (3, 1, 2)]  # any order
    merged = run_cli(
        "merge", *reports, "--format", "json", "--output", str(merged_json), "--failures-dir", str(tmp_path / "unused")
    )
    assert merged.status == 1, merged.out + merged.err
    merged = run_cli("merge", *reports, "--junit", str(tmp_path / "merged.xml"), "--failures-dir", str(merged_failures))
    assert merged.status == 1
    expected, got = json.loads(whole.read_text()), json.loads(merged_json.read_text())
    assert essence(got) == essence(expected)
    assert (got["verdict"], got["exit_status"], got["defects"]) == ("violates", 1, [["item"]])
    assert got["request"]["shard"] is None and "--shard" not in " ".join(got["request"]["command"])
    shared = f" --example-db {database}"  # the shards' own option, kept in what repeats their run
    assert got["clauses"][1]["reproduce"].replace(shared, "") == expected["clauses"][1]["reproduce"]
    assert (tmp_path / "merged.xml").read_text().count("<testcase") == 3

    # the same case saved as the unsharded run's
    unsharded_cases = sorted((tmp_path / ".connect-contract" / "failures").glob("*.json"))
    merged_cases = sorted(merged_failures.glob("*.json"))
    assert len(merged_cases) == len(unsharded_cases) == 1
    saved = [json.loads(case.read_text()) for case in (*merged_cases, *unsharded_cases)]
    assert saved[0]["clause"] == saved[1]["clause"] == "item"
    # named by the example, whose request time is the wall clock's: the same event otherwise
    assert timeless(json.dumps(saved[0]["example"])) == timeless(json.dumps(saved[1]["example"]))
    assert saved[0]["reproduce"].replace(shared, "") == saved[1]["reproduce"]

    # what shard 2 found, the next run replays first: another seed, one example, the same failure
    replayed = tmp_path / "replayed.json"
    argv = [*_check_words(endpoint, backend_name), "--seed", "2", "--examples", "1", "--example-db", str(database)]
    run_cli("check", *argv, "--format", "json", "--output", str(replayed))
    item = json.loads(replayed.read_text())["clauses"][1]
    assert item["status"] == "failed"
    connection = item["counterexample"]["example"]["requestContext"]["connectionId"]
    assert connection == got["clauses"][1]["counterexample"]["example"]["requestContext"]["connectionId"]


def test_every_clause_falls_to_exactly_one_shard() -> None:
    clauses = contract_named("v5").clauses
    for count in (1, 2, 3, 7, len(clauses), len(clauses) + 3):
        dealt = [shard_clauses(clauses, k, count) for k in range(1, count + 1)]
        assert sorted(c.id for share in dealt for c in share) == sorted(c.id for c in clauses)
        assert all(list(share) == [c for c in clauses if c in share] for share in dealt)  # the contract's order
        assert max(map(len, dealt)) - min(map(len, dealt)) <= 1


def test_recorded_durations_balance_the_shards() -> None:
    clauses = contract_named("v1").clauses
    # one long clause and seven short ones: dealt in order, a shard would take it with three others
    durations = {clause.id: 1.0 for clause in clauses} | {"isolation": 7.0}
    dealt = [shard_clauses(clauses, k, 2, durations) for k in (1, 2)]
    assert [c.id for c in dealt[0]] == ["isolation"]
    assert len(dealt[1]) == len(clauses) - 1
    # a clause the earlier report lacks counts as an average one
    partial = {"isolation": 7.0, "item": 1.0}
    assert sum(len(shard_clauses(clauses, k, 2, partial)) for k in (1, 2)) == len(clauses)


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["--shard", "4/3", "--seed", "1"], "shard 4 of 3 does not exist"),
        (["--shard", "two", "--seed", "1"], "is not K/N"),
        (["--shard", "1/2"], "give --seed N too"),
        (["--shard-durations", "x.json"], "give --shard K/N too"),
        (["--shard", "1/2", "--seed", "1", "--shard-durations", "missing.json"], "cannot read it"),
    ],
)
def test_a_shard_asked_wrongly_is_refused(run_cli: Any, words: list[str], said: str) -> None:
    result = run_cli("check", "--handler", RARE, *words)
    assert result.status == 2
    assert said in result.err and "Traceback" not in result.err


def _shard_report(run_cli: Any, tmp_path: Path, name: str, *words: str) -> str:
    output = tmp_path / f"{name}.json"
    argv = ["--handler", RARE, "--clause", "response", "--clause", "table-unset", "--examples", "2", *words]
    result = run_cli("check", *argv, "--format", "json", "--output", str(output))
    assert result.status == 0, result.out + result.err
    return str(output)


def test_merge_takes_all_the_shards_of_one_check_or_nothing(run_cli: Any, tmp_path: Path) -> None:
    one = _shard_report(run_cli, tmp_path, "one", "--seed", "1", "--shard", "1/2")
    two = _shard_report(run_cli, tmp_path, "two", "--seed", "1", "--shard", "2/2")
    other_seed = _shard_report(run_cli, tmp_path, "other-seed", "--seed", "2", "--shard", "2/2")
    whole = _shard_report(run_cli, tmp_path, "whole", "--seed", "1")
    not_json = tmp_path / "not.json"
    not_json.write_text("{")
    refusals = {
        (one,): "no report of shard 2/2",
        (one, other_seed): "checked another run than",
        (one, one): "are both shard 1/2",
        (one, whole): "is a whole check's report",
        (one, str(not_json)): "not JSON",
        (one, str(tmp_path / "absent.json")): "cannot read it",
    }
    for reports, said in refusals.items():
        result = run_cli("merge", *reports)
        assert result.status == 2, (reports, result.out)
        assert said in result.err and "Traceback" not in result.err
    merged = run_cli("merge", two, one)
    assert merged.status == 0, merged.out + merged.err
    assert merged.passed_clauses == ["response", "table-unset"]
    assert "handler passes the 2 of 8 clauses checked" in merged.out
