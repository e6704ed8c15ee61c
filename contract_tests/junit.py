"""Write a check's report as JUnit XML, one testcase per clause, for CI systems."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from contract_tests.inert_text import inert
from contract_tests.report import failure_details
from contract_tests.results import Report, Status


def render_junit(report: Report) -> str:
    """``report`` as JUnit XML: a testsuite named after the contract and backend, a testcase per clause."""
    results = report.results
    request = report.request
    # A contract whose function stores nothing (the authorizer's) ran on no backend.
    where = f"{request.contract}.{request.backend}" if request.uses_backend else request.contract
    suite = ET.Element(
        "testsuite",
        name=f"connect-contract.{where}",
        tests=str(len(results)),
        failures=str(len(report.failed)),
        skipped=str(sum(r.status is Status.NOT_CHECKED for r in results)),
        errors="0",
        time=f"{report.seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="seed", value=str(report.seed))
    ET.SubElement(properties, "property", name="contract", value=report.request.contract)
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"connect_contract.{where}",
            name=f"{result.clause.number:02d}-{result.clause.id}",
            time=f"{result.seconds:.3f}",
        )
        if result.status is Status.FAILED:
            failure = ET.SubElement(case, "failure", message=inert(result.message))
            failure.text = failure_details(report, result, compact=False)
        elif result.status is Status.NOT_CHECKED:
            ET.SubElement(case, "skipped", message=inert(result.message))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(report: Report, path: str | Path) -> None:
    Path(path).write_text(render_junit(report), encoding="utf-8")
