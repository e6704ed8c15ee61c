"""Another repository gets the gate with one flag: ``pytest --connect-handler TARGET``."""

from __future__ import annotations

import os
import sys

import pytest

from contract_tests.loopback import free_loopback_port
from contract_tests.tests.conftest import HANDLERS, ROOT, python_stack

pytest_plugins = ["pytester"]


def test_plugin_adds_one_passing_item_per_clause(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--connect-handler",
        "reference_impl.handler:lambda_handler",
        "--connect-runtime",
        "inprocess",  # out of process: the Node test below
        "--connect-examples",
        "10",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=8)


def test_plugin_fails_the_clause_a_wrong_handler_breaks(pytester: pytest.Pytester) -> None:
    handler = f"{HANDLERS / 'wrong' / 'response_body_capitalised.py'}:handler"
    argv = ["--connect-handler", handler, "--connect-runtime", "inprocess", "--connect-examples", "10", "-v"]
    result = pytester.runpytest_inprocess(*argv)
    result.assert_outcomes(passed=4, failed=4)
    failed = [line.split()[0] for line in result.outlines if line.endswith("]") and " FAILED " in line]
    assert failed == [
        f"connect-contract[v1]::{c}" for c in ("1-response", "3-query-strings", "4-malformed-events", "8-isolation")
    ]
    result.stdout.fnmatch_lines(["*collected 8 items*"])
    result.stdout.fnmatch_lines(["*clause 1 response: response is not 200*", "*saved for replay: .connect-contract*"])
    assert len(list((pytester.path / ".connect-contract" / "failures").glob("v1-*.json"))) == 4


@pytest.mark.usefixtures("node_modules")
def test_plugin_checks_a_node_handler_out_of_process(pytester: pytest.Pytester) -> None:
    """Through the Lambda runtime, as a check does (the whole contract on Node: test_runtimes.py)."""
    node = f"{HANDLERS / 'nodejs' / 'correct_esm.mjs'}:handler"
    argv = ["--connect-handler", node, "--connect-clause", "response", "--connect-clause", "isolation"]
    result = pytester.runpytest_inprocess(*argv, "--connect-examples", "5", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*connect-contract[[]v1[]]::1-response PASSED*", "*::8-isolation PASSED*"])


def test_plugin_reports_an_init_error_once_and_skips_the_rest(pytester: pytest.Pytester) -> None:
    handler = f"{HANDLERS / 'wrong' / 'init_reads_wrong_variable.py'}:handler"
    result = pytester.runpytest_inprocess("--connect-handler", handler, "--connect-examples", "5", "-rs")
    result.assert_outcomes(failed=1, skipped=7)
    result.stdout.fnmatch_lines(["*every connect fails): KeyError: 'TABLE_NAME'*"])


def test_plugin_restores_the_environment_after_the_clauses(pytester: pytest.Pytester) -> None:
    """The next test sees the variables it had before the clauses: none of the function's (in process, set
    in this very process), none of the backend's (moto's mock sets credentials while it is started)."""
    pytester.makeconftest(
        """
        import os

        import pytest

        def variables():
            return {name: value for name, value in os.environ.items() if name != 'PYTEST_CURRENT_TEST'}

        BEFORE = variables()

        @pytest.hookimpl(trylast=True)
        def pytest_collection_modifyitems(items):
            items.reverse()

        @pytest.fixture
        def environment_before():
            return BEFORE, variables
        """
    )
    pytester.makepyfile(
        """
        def test_after_the_gate(request, environment_before):
            assert request.session.items[-1] is request.node
            before, variables = environment_before
            assert variables() == before
        """
    )
    argv = ["--connect-handler", "reference_impl.handler:lambda_handler", "--connect-runtime", "inprocess"]
    result = pytester.runpytest_inprocess(*argv, "--connect-examples", "5", "-p", "no:randomly")
    result.assert_outcomes(passed=9)


def test_plugin_is_inert_without_the_flag(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(lambda_context):\n    assert lambda_context.function_name\n")
    pytester.runpytest_inprocess().assert_outcomes(passed=1)


def test_backend_fixture_is_started_once_per_session(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        SEEN = set()

        def test_one(connect_contract_backend):
            SEEN.add(id(connect_contract_backend))
            assert connect_contract_backend.endpoint_url().startswith("http://127.0.0.1:")

        def test_two(connect_contract_backend):
            SEEN.add(id(connect_contract_backend))
            connect_contract_backend.client().list_tables()
            assert len(SEEN) == 1
        """
    )
    pytester.runpytest_inprocess("--connect-backend", "moto-server").assert_outcomes(passed=2)


def test_plugin_checks_the_chosen_contract_version(pytester: pytest.Pytester) -> None:
    """One item per clause of that version; expiry is skipped on moto, which never deletes expired items."""
    argv = ["--connect-contract", "v3", "--connect-runtime", "inprocess", "--connect-examples", "5", "-rs"]
    result = pytester.runpytest_inprocess("--connect-handler", "reference_impl.handler:lambda_handler_v3", *argv)
    result.assert_outcomes(passed=11, skipped=1)
    result.stdout.fnmatch_lines(["*not checked on this backend: moto does not delete expired items*"])


def test_plugin_takes_every_check_option(pytester: pytest.Pytester) -> None:
    """The plugin's options come from the same model as the CLI's: clause selection, timeout, region…"""
    argv = ["--connect-clause", "response", "--connect-clause", "aws-calls", "--connect-timeout", "2"]
    argv += ["--connect-region", "eu-west-1", "--connect-runtime", "inprocess", "--connect-examples", "5", "-v"]
    result = pytester.runpytest_inprocess("--connect-handler", "reference_impl.handler:lambda_handler", *argv)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*collected 2 items*",
            "connect-contract[[]v1[]]::1-response PASSED*",
            "connect-contract[[]v1[]]::7-aws-calls PASSED*",
        ]
    )


def test_a_backend_that_cannot_start_fails_the_run_once(pytester: pytest.Pytester) -> None:
    dead = f"http://127.0.0.1:{free_loopback_port()}"
    argv = ["--connect-backend", "moto-server", "--connect-endpoint", dead, "--connect-examples", "5", "-rs"]
    result = pytester.runpytest_inprocess("--connect-handler", "reference_impl.handler:lambda_handler", *argv)
    result.assert_outcomes(failed=1, skipped=7)
    result.stdout.fnmatch_lines([f"*no moto server answers at {dead}*", "*not run: the check could not start*"])


def test_an_unknown_clause_is_a_usage_error(pytester: pytest.Pytester) -> None:
    argv = ["--connect-clause", "ttl", "--connect-runtime", "inprocess"]
    result = pytester.runpytest_inprocess("--connect-handler", "reference_impl.handler:lambda_handler", *argv)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*contract v1 has no clause 'ttl'*"])


def test_plugin_checks_a_stack_named_by_its_template(pytester: pytest.Pytester) -> None:
    """``--connect-template`` alone turns the plugin on: the stack's functions come from the template."""
    argv = ["--connect-contract", "v5", "--connect-clause", "disconnect", "--connect-clause", "unknown-route"]
    argv += ["--connect-examples", "5", "-v", "-p", "no:cacheprovider", f"--rootdir={pytester.path}"]
    result = pytester.runpytest_inprocess("--connect-template", str(ROOT / "template.yaml"), *argv)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*connect-contract[[]v5[]]::17-disconnect PASSED*"])
    result.stdout.fnmatch_lines(["*connect-contract[[]v5[]]::23-unknown-route PASSED*"])


def test_plugin_shows_what_the_check_warned_of(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """A check's warnings (here: a function run on the gate's Python, its template's not on PATH) end the
    terminal summary, as the CLI's report ends with them (the plugin dropped them)."""
    version = f"3.{sys.version_info.minor + 1}"
    shims = pytester.mkdir("shims")
    shim = shims / f"python{version}"
    shim.write_text("#!/bin/sh\nexit 127\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{os.environ['PATH']}")
    template = python_stack(pytester.path, ROOT / "reference_impl", "handler.lambda_handler", version=version)
    argv = ["--connect-clause", "response", "--connect-examples", "2", "-p", "no:cacheprovider"]
    result = pytester.runpytest_inprocess("--connect-template", str(template), *argv, f"--rootdir={pytester.path}")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*connect-contract warnings*", f"warning: *is deployed on python{version} but ran*"])
