"""``--format junit``: JUnit XML that CI servers read: one test suite per file, one failing
test case per finding (skipped when suppressed or in the baseline), and an error test case
per input that could not be read."""

from __future__ import annotations

from itertools import groupby
from typing import Iterator
from xml.etree import ElementTree as ET

from ..model import Report
from . import RenderOptions


_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """The document a test suite (a file) at a time, as ``ET.indent`` lays out the whole tree."""
    root = ET.Element(
        "testsuites",
        name="fisc-iac-lint",
        tests=str(len(report.findings) + len(report.errors)),
        failures=str(sum(1 for f in report.findings if f.counts)),
        skipped=str(sum(1 for f in report.findings if not f.counts)),
        errors=str(len(report.errors)),
    )
    suites = _suites(report, options)
    first = next(suites, None)
    if first is None:
        yield _HEADER + ET.tostring(root, encoding="unicode") + "\n"
        return
    root.text = "\x00"
    start, end = ET.tostring(root, encoding="unicode").split("\x00")
    yield _HEADER + start + "\n  " + _serialized(first)
    for suite in suites:
        yield "\n  " + _serialized(suite)
    yield "\n" + end + "\n"


def _serialized(suite: ET.Element) -> str:
    ET.indent(suite, level=1)
    return ET.tostring(suite, encoding="unicode")


def _suites(report: Report, options: RenderOptions) -> Iterator[ET.Element]:
    for file, findings in groupby(report.findings, key=lambda f: f.file):
        items = list(findings)
        failing = sum(1 for f in items if f.counts)
        suite = ET.Element(
            "testsuite",
            name=file,
            tests=str(len(items)),
            failures=str(failing),
            skipped=str(len(items) - failing),
            errors="0",
        )
        for f in items:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{f.rule_id} {f.rule_name} {f.resource_name}",
                classname=f.rule_id,
                file=f.file,
                line=str(f.line),
            )
            if not f.counts:
                why = f"suppressed: {f.suppressed['reason']}" if f.suppressed else "in the baseline"
                ET.SubElement(case, "skipped", message=why)
                continue
            text = f.text(options.lang)
            failure = ET.SubElement(case, "failure", message=text["message"], type=f.severity)
            controls = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(f.controls.items()))
            origin = f" ({f.origin(options.lang)})" if f.construct else ""
            failure.text = f"{f.file}:{f.line}: {text['message']}\nresource: {f.resource_type} {f.resource_name}{origin}\ncontrols: {controls}\nfix: {text['remediation']}"
        yield suite
    if report.errors:
        suite = ET.Element(
            "testsuite",
            name="inputs",
            tests=str(len(report.errors)),
            failures="0",
            errors=str(len(report.errors)),
        )
        for e in report.errors:
            case = ET.SubElement(suite, "testcase", name=e.file, classname="input", file=e.file)
            ET.SubElement(case, "error", message=e.message, type="input-error").text = f"{e.file}: {e.message}"
        yield suite
